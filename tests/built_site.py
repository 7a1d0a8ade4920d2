"""Helpers for tests of the built site in ``_build/html``.

``LESSON_SITE=<dir>`` points the tests at another built site, e.g. one episode's
``_build/episode-01-introduction/_build/html``; tests that need every page (all
episodes, the schedule) then fail, the page-by-page checks run on what is there.
"""

import os
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("LESSON_SITE") or ROOT / "_build" / "html").resolve()
EPISODES = sorted((ROOT / "episodes").glob("*.md"))


def require_site():
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built site in {HTML}: run `make book` (or `make test`, which builds it)")


def page(relative):
    """The parsed HTML of one built page, e.g. ``page("episodes/01-introduction.html")``."""
    require_site()
    path = HTML / relative
    assert path.exists(), f"{relative} was not built"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def episode_pages():
    return [f"episodes/{md.stem}.html" for md in EPISODES]


def all_pages():
    require_site()
    skip = {"genindex.html", "search.html"}
    return sorted(
        p.relative_to(HTML).as_posix()
        for p in HTML.rglob("*.html")
        if not p.relative_to(HTML).parts[0].startswith("_") and p.name not in skip
    )
