"""A broken page must fail the build, with a message that says what is wrong.

Each test builds a one-page book in a temporary folder with the lesson's own
configuration and extension, exactly as `make book` does. The last three check
the retry of book/tools/build-book.sh: a page that fails once is run again, a
page that always fails still fails the build, and other errors are not retried.
"""

import os
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


def lay_out(tmp_path, episode_text):
    """Make a book in ``tmp_path`` whose only episode is ``episode_text``."""
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    shutil.copytree(ROOT / "book" / "_ext", tmp_path / "book" / "_ext")
    shutil.copytree(ROOT / "book" / "_static", tmp_path / "book" / "_static")
    (tmp_path / "episodes").mkdir()
    (tmp_path / "episodes" / "01-broken.md").write_text(episode_text)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: episodes/01-broken\n")


# These pages make no claim about speed: they need not wait for a free core.
NO_CORE_WAIT = {**os.environ, "LESSON_CORE_WAIT": "0"}


def build(tmp_path, episode_text):
    """Build a book whose only episode is ``episode_text``; return (exit code, output)."""
    lay_out(tmp_path, episode_text)
    done = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(tmp_path), "-W", "-n", "--keep-going"],
        env=NO_CORE_WAIT,
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


def build_with_retries(tmp_path, episode_text, attempts=2, second_episode=None):
    """Build as ``make book`` does, through book/tools/build-book.sh."""
    lay_out(tmp_path, episode_text)
    if second_episode is not None:
        (tmp_path / "episodes" / "02-broken.md").write_text(second_episode)
        (tmp_path / "_toc.yml").write_text(
            "format: jb-book\nroot: episodes/01-broken\nchapters:\n  - file: episodes/02-broken\n"
        )
    done = subprocess.run(
        ["sh", str(ROOT / "book" / "tools" / "build-book.sh"), str(attempts), ".", "-W", "-n", "--keep-going"],
        cwd=tmp_path,
        env={
            **NO_CORE_WAIT,
            "PATH": f"{JUPYTER_BOOK.parent}{os.pathsep}{os.environ['PATH']}",
            "BUILD_RETRY_PAUSE": "0",
        },
        capture_output=True,
        text=True,
        timeout=480,
    )
    return done.returncode, done.stdout + done.stderr


FAILS_ONCE = """
```{code-cell} ipython3
from pathlib import Path

marker = Path("already-failed-once")
if not marker.exists():
    marker.write_text("")
    raise AssertionError("a claim about speed did not hold this time")
```
"""


@pytest.mark.slow
def test_a_page_that_fails_once_is_built_again(tmp_path):
    code, output = build_with_retries(tmp_path, episode(5, FAILS_ONCE + challenge("c1", 5)))
    assert code == 0, output
    assert "a claim about speed did not hold this time" in output
    assert "failed (1 of 2 attempts); building again" in output


@pytest.mark.slow
def test_attempts_are_counted_for_each_page(tmp_path):
    """Two pages that fail once each: two attempts per page are enough."""
    second = FAILS_ONCE.replace("already-failed-once", "second-page-failed-once")
    code, output = build_with_retries(
        tmp_path,
        episode(5, FAILS_ONCE + challenge("c1", 5)),
        second_episode=episode(5, second + challenge("c2", 5)).replace("# A broken episode", "# Another"),
    )
    assert code == 0, output
    assert "01-broken.md failed (1 of 2 attempts)" in output
    assert "02-broken.md failed (1 of 2 attempts)" in output


@pytest.mark.slow
def test_a_page_that_always_fails_fails_every_attempt(tmp_path):
    body = "\n```{code-cell} ipython3\nraise RuntimeError('this cell is broken on purpose')\n```\n"
    code, output = build_with_retries(tmp_path, episode(5, body + challenge("c1", 5)))
    assert code != 0
    assert output.count("this cell is broken on purpose") >= 2
    assert "01-broken.md failed in 2 of 2 attempts: giving up" in output


@pytest.mark.slow
def test_a_warning_is_not_retried_and_fails_the_build(tmp_path):
    code, output = build_with_retries(tmp_path, episode(15, challenge("c1", 5)))
    assert code != 0
    assert "add up to 5 min" in output
    assert "not retried" in output


def test_the_quick_exit_wrapper_keeps_jupyter_books_exit_code():
    """build-book.sh runs jupyter-book through book/tools/jupyter_book_build.py,
    which ends the process with os._exit: the exit code must survive it."""
    wrapper = str(ROOT / "book" / "tools" / "jupyter_book_build.py")
    usage_error = subprocess.run([sys.executable, wrapper, "--no-such-option"],
                                 capture_output=True, text=True, timeout=120)
    assert usage_error.returncode == 2 and "no such option" in usage_error.stderr.lower()
    missing = subprocess.run([sys.executable, wrapper, "no-such-folder"],
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode != 0
    helped = subprocess.run([sys.executable, wrapper, "--help"], capture_output=True, text=True, timeout=120)
    assert helped.returncode == 0 and "Convert your book's or page's content to HTML" in helped.stdout
