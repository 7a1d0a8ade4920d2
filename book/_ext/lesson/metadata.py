"""Episode metadata: the YAML front matter at the top of every episode.

An episode's front matter says how long it takes and what it is for::

    teaching: 25          # minutes of teaching
    exercises: 20         # minutes of challenges; must equal the sum of its timers
    block: core           # core (day 1) or extension (day 2 / self-study)
    questions: [...]
    objectives: [...]
    keypoints: [...]

The lesson reads it here, once, and every box and generated page is made from
it, so nothing is typed twice.
"""

import functools
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from .errors import LessonError

EPISODE_DIR = "episodes"
BLOCKS = ("core", "extension")
REQUIRED_LISTS = ("questions", "objectives", "keypoints")


@dataclass(frozen=True)
class Episode:
    docname: str
    title: str
    teaching: int
    exercises: int
    block: str
    questions: tuple
    objectives: tuple
    keypoints: tuple

    @property
    def minutes(self):
        return self.teaching + self.exercises


def is_episode(docname):
    return docname.startswith(EPISODE_DIR + "/")


def read_front_matter(path):
    """The YAML between the opening ``---`` lines of a MyST file, as a dict."""
    text = Path(path).read_text(encoding="utf-8")
    if not text.startswith("---"):
        return {}
    _, front, _ = text.split("---", 2)
    try:
        return dict(_parse_yaml(front))
    except yaml.YAMLError as error:
        raise LessonError(f"{path}: the front matter is not valid YAML: {error}") from error


@functools.lru_cache(maxsize=256)
def _parse_yaml(text):
    """Parse each front matter once: the schedule, keypoints and boxes all ask for
    every episode's metadata, and parsing YAML in Python took 0.7 s of a rebuild."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser, where PyYAML has it
    return yaml.load(text, Loader=loader) or {}


def _first_heading(path):
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return Path(path).stem


def load_episode(env, docname):
    """Read and check one episode's metadata; raise LessonError naming the episode."""
    return _episode_from(env.doc2path(docname), docname)


def _episode_from(path, docname):
    meta = read_front_matter(path)
    problems = []
    for key in ("teaching", "exercises"):
        value = meta.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(f"'{key}' must be a whole number of minutes, got {value!r}")
    if meta.get("block") not in BLOCKS:
        problems.append(f"'block' must be one of {BLOCKS}, got {meta.get('block')!r}")
    for key in REQUIRED_LISTS:
        value = meta.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            problems.append(f"'{key}' must be a non-empty list of strings")
    if problems:
        raise LessonError(f"episode {docname}: " + "; ".join(problems))
    return Episode(
        docname=docname,
        title=_first_heading(path),
        teaching=meta["teaching"],
        exercises=meta["exercises"],
        block=meta["block"],
        questions=tuple(meta["questions"]),
        objectives=tuple(meta["objectives"]),
        keypoints=tuple(meta["keypoints"]),
    )


def all_episodes(env):
    """Every episode the build includes, in lesson order (their file names sort so)."""
    names = sorted(d for d in env.found_docs if is_episode(d))
    return [load_episode(env, d) for d in names]


def digest_path(doctreedir, docname):
    """Where the build keeps the digest of one episode's metadata (beside ``.doctrees``)."""
    return Path(doctreedir).parent / "lesson-metadata" / f"{docname}.json"


def write_digests(srcdir, doctreedir):
    """Write each episode's metadata to its digest file, touching only the files whose text changed.

    The schedule and keypoints pages depend on these files rather than on the
    episodes themselves, so a prose edit in an episode (same front matter,
    same title) does not make Sphinx read and write both pages again. Called
    before Sphinx compares the files' times, for every ``episodes/*.md``.
    """
    for source in sorted(Path(srcdir, EPISODE_DIR).glob("*.md")):
        docname = f"{EPISODE_DIR}/{source.stem}"
        text = json.dumps(asdict(_episode_from(source, docname)), indent=1, ensure_ascii=False)
        path = digest_path(doctreedir, docname)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
