"""Re-pin requirements-learner.txt to the versions in requirements.txt.

`make lock` runs this after re-pinning requirements.txt, so the learner
environment always installs what the lesson was built and tested with.
Lines without a version pin (`-c`, `-e .`, `setuptools>=77`) stay as they are.

    python book/tools/pin-learner.py [requirements.txt] [requirements-learner.txt]
"""

import re
import sys
from pathlib import Path

PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)(?P<extras>\[[^\]]*\])?==(?P<version>[^;\s]+)(?P<rest>.*)$")


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def repin(authoring_text, learner_text):
    versions = {}
    for line in authoring_text.splitlines():
        match = PIN.match(line.strip())
        if match:
            versions[canonical(match["name"])] = match["version"]
    out = []
    for line in learner_text.splitlines():
        match = PIN.match(line)
        if match:
            name = canonical(match["name"])
            if name not in versions:
                raise SystemExit(f"{match['name']} is pinned for learners but not in requirements.txt")
            line = f"{match['name']}{match['extras'] or ''}=={versions[name]}{match['rest']}"
        out.append(line)
    return "\n".join(out) + "\n"


def main(argv):
    authoring = Path(argv[1] if len(argv) > 1 else "requirements.txt")
    learner = Path(argv[2] if len(argv) > 2 else "requirements-learner.txt")
    learner.write_text(repin(authoring.read_text(encoding="utf-8"), learner.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv)
