"""The built site: episode boxes, timed challenges, generated pages, links.

`make test` builds the site first; these tests read `_build/html`.
"""

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from built_site import HTML, all_pages, episode_pages, page

pytestmark = pytest.mark.site


def test_every_episode_is_built():
    assert episode_pages(), "no episodes found"
    for name in episode_pages():
        page(name)


@pytest.mark.parametrize("name", episode_pages())
def test_episode_has_question_objective_and_keypoint_boxes(name):
    soup = page(name)
    for box in ("lesson-questions", "lesson-objectives", "lesson-keypoints"):
        items = soup.select(f".admonition.{box} li")
        assert items, f"{name}: no items in the {box} box"
    # The overview sits before the first section's content, the keypoints after the last challenge.
    text = soup.select_one("article").get_text()
    assert text.index("Questions") < text.index("Keypoints")


@pytest.mark.parametrize("name", episode_pages())
def test_every_challenge_has_minutes_a_timer_and_a_solution(name):
    soup = page(name)
    challenges = soup.select(".exercise")
    assert len(challenges) >= 2, f"{name}: fewer than two challenges"
    solved = {a["href"].split("#")[-1] for a in soup.select(".solution .admonition-title a[href]")}
    total = 0
    for challenge in challenges:
        timers = challenge.select(".challenge-timer")
        assert len(timers) == 1, f"{name}: challenge {challenge.get('id')} has {len(timers)} timers"
        minutes = int(timers[0]["data-minutes"])
        assert minutes > 0
        assert timers[0].select_one("button.timer-button"), "timer without a button"
        assert challenge.get("id") in solved, f"{name}: challenge {challenge.get('id')} has no solution"
        total += minutes
    declared = int(soup.select_one(".lesson-exercises").get_text())
    assert total == declared, f"{name}: timers add up to {total}, the overview says {declared}"


def test_solutions_ran_at_build():
    """Code cells inside solutions executed: they have outputs on the page."""
    soup = page("episodes/01-introduction.html")
    outputs = [s for s in soup.select(".solution") if s.select(".cell_output")]
    assert outputs, "no solution shows the output of an executed cell"


def _minutes(soup, css):
    return int(soup.select_one(css).get_text())


def test_schedule_totals_match_the_episodes():
    schedule = page("book/schedule.html")
    episodes = [page(name) for name in episode_pages()]
    teaching = sum(_minutes(e, ".lesson-teaching") for e in episodes)
    exercises = sum(_minutes(e, ".lesson-exercises") for e in episodes)
    assert sum(int(s.get_text()) for s in schedule.select(".schedule-teaching")) == teaching
    assert sum(int(s.get_text()) for s in schedule.select(".schedule-exercises")) == exercises
    assert sum(int(s.get_text()) for s in schedule.select(".schedule-episodes")) == len(episodes)
    # Every episode appears in the schedule, linked.
    linked = {a["href"].split("#")[0].split("/")[-1] for a in schedule.select("table a[href]")}
    for name in episode_pages():
        assert name.split("/")[-1] in linked


def _words(element):
    return " ".join(element.get_text(" ").split())


def test_keypoints_page_lists_every_keypoint():
    summary = _words(page("book/keypoints.html").select_one("article"))
    assert "{rubric}" not in summary and "{doc}" not in summary, "unparsed MyST on the keypoints page"
    for name in episode_pages():
        items = page(name).select(".lesson-keypoints li")
        assert items
        for item in items:
            assert _words(item) in summary


def test_instructor_guide_collects_every_note():
    guide = page("book/instructor-guide.html")
    copies = guide.select(".instructor-note-copy")
    notes = sum(len(page(name).select(".instructor-note")) for name in episode_pages())
    assert notes > 0 and len(copies) == notes


def test_machine_stamp_on_pages_with_timings():
    soup = page("episodes/01-introduction.html")
    stamp = soup.select_one(".machine-stamp")
    assert stamp and "usable cores" in stamp.get_text()


def _targets(soup):
    for tag, attr in (("a", "href"), ("img", "src"), ("script", "src"), ("link", "href"), ("object", "data")):
        for element in soup.find_all(tag):
            if element.get(attr):
                yield element[attr]


def test_no_broken_internal_links_anchors_or_images():
    ids_cache = {}
    broken = []
    for name in all_pages():
        here = HTML / name
        for target in _targets(page(name)):
            parts = urlsplit(target)
            if parts.scheme or target.startswith("//") or target.startswith("mailto:"):
                continue
            path = (here.parent / unquote(parts.path)).resolve() if parts.path else here
            if path.is_dir():
                path = path / "index.html"
            if not path.exists():
                broken.append(f"{name}: {target} (no file)")
                continue
            if parts.fragment and path.suffix == ".html":
                if path not in ids_cache:
                    text = path.read_text(encoding="utf-8")
                    ids_cache[path] = set(re.findall(r'\bid="([^"]+)"', text))
                if unquote(parts.fragment) not in ids_cache[path]:
                    broken.append(f"{name}: {target} (no anchor)")
    assert not broken, "\n".join(broken)


def test_pages_load_nothing_from_other_hosts():
    remote = []
    for name in all_pages():
        soup = page(name)
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src")):
            for element in soup.find_all(tag):
                url = element.get(attr, "")
                if tag == "link" and not set(element.get("rel", [])) & {"stylesheet", "preload", "icon"}:
                    continue
                if urlsplit(url).scheme in ("http", "https") or url.startswith("//"):
                    remote.append(f"{name}: <{tag} {attr}={url}>")
    assert not remote, "\n".join(remote)


@pytest.mark.parametrize("name", ["lesson.css", "lesson.js"])
def test_the_site_serves_the_current_static_files(name):
    """An edit of book/_static reaches the site even when no page changed."""
    built = HTML / "_static" / name
    source = HTML.parents[1] / "book" / "_static" / name
    assert built.read_bytes() == source.read_bytes(), f"_build/html/_static/{name} is stale"
