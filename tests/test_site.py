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


def _notebook_behind(name, link):
    import nbformat

    path = ((HTML / name).parent / unquote(link["href"])).resolve()
    assert path.is_file(), f"{name}: {link['href']} does not exist"
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    return notebook


@pytest.mark.parametrize("name", episode_pages())
def test_episode_offers_learner_and_full_notebooks(name):
    """A keyboard-usable menu (native <details>) with two named download links, both valid notebooks."""
    soup = page(name)
    menus = soup.select("details.lesson-downloads")
    assert len(menus) == 1, f"{name}: {len(menus)} download menus"
    assert menus[0].select_one("summary").get_text(strip=True), "the menu's summary has no text"
    links = {}
    for link in menus[0].select("a[download][href]"):
        assert link.get_text(strip=True), f"{name}: a download link without text"
        assert not urlsplit(link["href"]).scheme, "downloads must work offline, from the site itself"
        links[link["class"][0]] = link
    learner = _notebook_behind(name, links["lesson-download-learner"])
    full = _notebook_behind(name, links["lesson-download-full"])

    cells = soup.select("div.cell")
    shown_code = [c for c in cells if "tag_remove-input" not in c.get("class", [])]
    outside_solutions = [c for c in shown_code if not c.find_parent(class_="solution")]
    learner_code = [c for c in learner.cells if c.cell_type == "code"]
    full_code = [c for c in full.cells if c.cell_type == "code"]
    assert len(learner_code) == len(outside_solutions), f"{name}: learner notebook cells differ from the page's"
    assert len(full_code) == len(cells), f"{name}: full notebook cells differ from the page's"
    assert not any(c.outputs for c in learner_code), "the learner notebook has outputs"
    with_output = [c for c in cells if c.select(".cell_output")]
    assert sum(bool(c.outputs) for c in full_code) >= len(with_output), "the full notebook lacks the page's outputs"


def test_setup_page_offers_a_zip_of_every_learner_notebook():
    import io
    import zipfile

    import nbformat

    soup = page("book/setup.html")
    link = soup.select_one("a.lesson-download-zip[download][href]")
    assert link and link.get_text(strip=True)
    path = ((HTML / "book/setup.html").parent / link["href"]).resolve()
    assert path.is_file(), f"{link['href']} does not exist"
    with zipfile.ZipFile(path) as archive:
        names = sorted(n.split("/")[-1] for n in archive.namelist())
        assert names == sorted(f"{Path(e).stem}.ipynb" for e in episode_pages())
        for member in archive.namelist():
            notebook = nbformat.read(io.TextIOWrapper(archive.open(member), encoding="utf-8"), as_version=4)
            nbformat.validate(notebook)
            assert not any(c.get("outputs") for c in notebook.cells if c.cell_type == "code")


def test_schedule_shows_both_days_with_start_times():
    schedule = page("book/schedule.html")
    text = _words(schedule.select_one("article"))
    assert "Day 1: core episodes" in text and "Day 2: extension episodes" in text
    assert "9:00" in text
