"""A broken page must fail the build, with a message that says what is wrong.

Each test builds a one-page book in a temporary folder with the lesson's own
configuration and extension, exactly as `make book` does.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"

HEADER = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {name: python3, display_name: Python 3, language: python}
teaching: 5
exercises: EXERCISES
block: core
questions:
  - Does it build?
objectives:
  - Find out.
keypoints:
  - It does not.
---

# A broken episode

```{episode-overview}
```
"""

FOOTER = """
```{episode-keypoints}
```
"""

CHALLENGE = """
````{exercise-start} A challenge
:label: LABEL
````

TIMER

Do something.

````{exercise-end}
````

````{solution-start} LABEL
:class: dropdown
````

```{code-cell} ipython3
print("solved")
```

````{solution-end}
````
"""


def challenge(label, minutes):
    timer = f"```{{timer}} {minutes}\n```" if minutes else ""
    return CHALLENGE.replace("LABEL", label).replace("TIMER", timer)


def build(tmp_path, episode_text):
    """Build a book whose only episode is ``episode_text``; return (exit code, output)."""
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    shutil.copytree(ROOT / "book" / "_ext", tmp_path / "book" / "_ext")
    shutil.copytree(ROOT / "book" / "_static", tmp_path / "book" / "_static")
    (tmp_path / "episodes").mkdir()
    (tmp_path / "episodes" / "01-broken.md").write_text(episode_text)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: episodes/01-broken\n")
    done = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(tmp_path), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
        timeout=240,
    )
    return done.returncode, done.stdout + done.stderr


def episode(exercises, body):
    return HEADER.replace("EXERCISES", str(exercises)) + body + FOOTER


@pytest.mark.slow
def test_a_good_episode_builds(tmp_path):
    code, output = build(tmp_path, episode(5, "\n```{code-cell} ipython3\n1 + 1\n```\n" + challenge("c1", 5)))
    assert code == 0, output


@pytest.mark.slow
def test_a_failing_cell_fails_the_build(tmp_path):
    body = "\n```{code-cell} ipython3\nraise RuntimeError('this cell is broken on purpose')\n```\n"
    code, output = build(tmp_path, episode(5, body + challenge("c1", 5)))
    assert code != 0
    assert "this cell is broken on purpose" in output


@pytest.mark.slow
def test_timers_that_do_not_add_up_fail_the_build_naming_the_episode(tmp_path):
    code, output = build(tmp_path, episode(15, challenge("c1", 5) + challenge("c2", 5)))
    assert code != 0
    assert "episodes/01-broken" in output and "add up to 10 min" in output and "exercises: 15" in output


@pytest.mark.slow
def test_a_challenge_without_a_timer_fails_the_build(tmp_path):
    code, output = build(tmp_path, episode(0, challenge("c1", 0)))
    assert code != 0
    assert "needs exactly one {timer}" in output
