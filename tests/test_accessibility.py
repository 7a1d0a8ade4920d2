"""Accessibility of the built site: axe-core in a real browser, alt texts, the keyboard.

- axe-core (4.4, bundled with the ``axe-core-python`` package, so nothing is
  fetched; ``axe-selenium-python`` 2.1.6, the last release for Python 3.11,
  bundles axe-core 3.1 of 2018, which knows no WCAG 2.1 rules) checks
  every built page in the light colour mode, and the rules that depend on
  colours (contrast) in the dark mode too, on the few pages that together hold
  every kind of element (tag and class) of the site, with the instructor view on (so
  its notes are checked too), one challenge timer running and one run out; any WCAG 2.0/2.1 level A or AA violation fails,
  listed by rule, page and element.
- No ``<img>`` has an empty alternative text or one that is a file name: axe
  accepts ``alt="../_images/3f2a.svg"``; a learner cannot use it.
- The lesson's own controls (instructor-view switch, challenge timers) work
  with the keyboard alone, show where the focus is and have names.

``LESSON_SITE=_build/episode-01-introduction/_build/html`` runs these on a smaller site.
"""

import json
import re
import time
from pathlib import Path

import pytest

from built_site import HTML, all_pages, page
from test_browser import browser, site_url  # noqa: F401  (fixtures shared with the other browser tests)

pytestmark = pytest.mark.site
browser_test = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Violations that come from the theme and that the lesson's CSS and JS cannot
# reasonably fix, each as (axe rule, the element's selector as axe reports it),
# with the reason. Only that rule on that element is let through; the rule
# still applies everywhere else.
KNOWN_THEME_VIOLATIONS = {}

# Alternative texts a learner cannot use: nothing, or a file's name or path.
FILE_NAME_ALT = re.compile(r"(\.(svg|png|jpe?g|gif|pdf|webp)\s*$)|(_images/)|(^\s*$)", re.IGNORECASE)


def _axe_source():
    import axe_core_python

    return (Path(axe_core_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def _show_everything(driver):
    """Open what readers can open, so axe checks it too: solutions, dropdowns, a running and a finished timer."""
    driver.execute_script(
        """
        document.querySelectorAll('details').forEach(function (d) { d.open = true; });
        document.querySelectorAll('.toggle-hidden').forEach(function (e) {
          var button = e.querySelector('.toggle-button');
          if (button) { button.click(); }
        });
        var timers = document.querySelectorAll('.challenge-timer');
        if (timers.length > 0) { timers[0].querySelector('.timer-button').click(); }
        // A timer that has run out looks like this (waiting minutes for it is no test).
        if (timers.length > 1) { timers[timers.length - 1].classList.add('timer-done'); }
        """
    )


# The rules whose outcome depends on the colours: the only ones that can pass in
# one colour mode and fail in the other. The dark mode runs these alone, and only
# on pages that together hold every kind of element of the site (below): in a
# fresh-clone run the colour rules on every page took 99 s, against 120 s for
# every rule in the light mode; on the covering pages they took 48 s.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def element_kinds(soup):
    """Each (tag, class) pair on a parsed page, and (tag, None) for tags without a class.

    Colours come from the CSS, and the CSS picks elements by tag and class: two
    pages with the same kinds of element get the same colours.
    """
    return {(el.name, cls) for el in soup.find_all(True) for cls in (el.get("class") or [None])}


def covering_pages(kinds_of):
    """A few pages that together hold every kind of element: greedily, the page adding most first.

    ``kinds_of`` maps a page to its set of kinds. Ties go to the earlier name,
    so the choice is the same in every run.
    """
    left = set().union(*kinds_of.values()) if kinds_of else set()
    chosen = []
    while left:
        best = max(sorted(kinds_of), key=lambda name: len(kinds_of[name] & left))
        chosen.append(best)
        left -= kinds_of[best]
    return chosen


def test_covering_pages_hold_every_kind_and_skip_pages_that_add_nothing():
    kinds_of = {"a": {1, 2}, "b": {2, 3, 4}, "c": {4}, "d": {1, 5}}
    chosen = covering_pages(kinds_of)
    assert set().union(*(kinds_of[name] for name in chosen)) == {1, 2, 3, 4, 5}
    assert chosen == ["b", "d"]
    assert covering_pages({}) == []


def _run_axe(driver, source, rules=None):
    """axe's WCAG A/AA violations on the page; only ``rules`` (axe rule ids) if given."""
    driver.execute_script(source)
    only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": AXE_TAGS}
    result = driver.execute_async_script(
        """
        var done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: %s})
          .then(function (r) { done({violations: r.violations}); },
                function (e) { done({error: String(e)}); });
        """
        % json.dumps(only)
    )
    if "error" in result:
        pytest.fail(f"axe-core failed: {result['error']}")
    return result["violations"]


@browser_test
@pytest.mark.parametrize("mode", ["light", "dark"])
def test_no_wcag_a_or_aa_violations_on_any_page(browser, site_url, mode):  # noqa: F811
    # Every page, with the theme's search and index pages too (other tests skip those).
    pages = all_pages() + [p for p in ("search.html", "genindex.html") if (HTML / p).exists()]
    if mode == "dark":
        pages = covering_pages({name: element_kinds(page(name)) for name in pages})
    source = _axe_source()
    browser.set_script_timeout(120)
    # The storage is set on a file of the site that runs no script. The theme's
    # script saves the mode it read as each page loads; set on a page, the storage
    # was once found back in the light mode (a fresh-clone run, not reproduced).
    browser.get(f"{site_url}/_static/basic.css")
    browser.execute_script(
        "localStorage.clear(); localStorage.setItem('mode', arguments[0]);"
        "localStorage.setItem('theme', arguments[0]); localStorage.setItem('lesson-instructor-view', 'on');",
        mode,
    )
    problems, excused = [], set()
    for name in pages:
        browser.get(f"{site_url}/{name}")
        theme = browser.execute_script("return document.documentElement.dataset.theme;")
        assert theme == mode, f"{name} is in {theme!r} mode, not {mode!r}"
        _show_everything(browser)
        time.sleep(0.3)  # let the theme's scripts and the timer settle
        for violation in _run_axe(browser, source, rules=COLOUR_RULES if mode == "dark" else None):
            for node in violation["nodes"]:
                target = " ".join(node["target"])
                if (violation["id"], target) in KNOWN_THEME_VIOLATIONS:
                    excused.add((violation["id"], target))
                    continue
                summary = " ".join(node.get("failureSummary", "").split())
                problems.append(f"{name} [{mode}] {violation['id']} ({violation['impact']}): {target}\n    {summary}")
    assert not problems, f"{len(problems)} WCAG A/AA violations:\n" + "\n".join(problems)


def test_no_image_has_a_file_name_or_empty_alt_text():
    bad = []
    for name in all_pages():
        for img in page(name).find_all("img"):
            alt = img.get("alt")
            src = img.get("src", "")[:60]
            if alt is None or FILE_NAME_ALT.search(alt) or alt.strip() == Path(src).name:
                bad.append(f"{name}: <img src={src!r}> has alt={alt!r}")
    assert not bad, "images without a usable alternative text:\n" + "\n".join(bad)


def test_alt_text_check_catches_myst_nb_default():
    """myst-nb's default alt text is the image's path; the check above must see it as one."""
    for alt in ("../_images/3f9c0d1e.svg", "_images/plot.png", "figure.PNG", "", "   "):
        assert FILE_NAME_ALT.search(alt), alt
    assert not FILE_NAME_ALT.search("Line plot of speedup against workers: it levels off at 2.")


# --- the keyboard ------------------------------------------------------------------


def _press(driver, key, times=1):
    from selenium.webdriver.common.action_chains import ActionChains

    actions = ActionChains(driver)
    for _ in range(times):
        actions.send_keys(key)
    actions.perform()


def _tab_to(driver, css, limit=800):
    """Press Tab until the element matching ``css`` has the focus; return it (or fail)."""
    from selenium.webdriver.common.keys import Keys

    for _ in range(limit):
        _press(driver, Keys.TAB)
        if driver.execute_script("return document.activeElement.matches(arguments[0]);", css):
            return driver.switch_to.active_element
    pytest.fail(f"{limit} presses of Tab never reached {css}")


def _focus_is_visible(driver, element):
    style = driver.execute_script(
        "var s = getComputedStyle(arguments[0]);"
        "return [s.outlineStyle, s.outlineWidth, s.boxShadow];",
        element,
    )
    outline_style, outline_width, shadow = style
    return (outline_style != "none" and outline_width not in ("0px", "")) or shadow not in ("none", "")


def _accessible_name(driver, element):
    return driver.execute_script(
        """
        var e = arguments[0];
        if (e.getAttribute('aria-label')) { return e.getAttribute('aria-label'); }
        if (e.labels && e.labels.length) { return e.labels[0].textContent; }
        return e.textContent;
        """,
        element,
    ).strip()


@browser_test
def test_instructor_switch_and_timer_work_with_the_keyboard_alone(browser, site_url):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    episode = next((p for p in all_pages() if p.startswith("episodes/") and "challenge-timer" in (HTML / p).read_text()), None)
    assert episode, "no episode with a challenge timer was built"
    browser.get(f"{site_url}/{episode}")
    browser.execute_script("localStorage.clear();")
    browser.refresh()
    note = browser.find_element(By.CSS_SELECTOR, ".instructor-note")
    assert not note.is_displayed()

    switch = _tab_to(browser, "#instructor-view-toggle")
    assert _focus_is_visible(browser, switch), "the instructor-view switch shows no focus"
    assert "Instructor view" in _accessible_name(browser, switch)
    _press(browser, Keys.SPACE)
    assert note.is_displayed(), "Space on the instructor-view switch did not show the notes"
    _press(browser, Keys.SPACE)
    assert not note.is_displayed(), "Space again did not hide the notes"

    start = _tab_to(browser, ".challenge-timer .timer-button")
    timer = start.find_element(By.XPATH, "./ancestor::div[contains(@class, 'challenge-timer')]")
    display = timer.find_element(By.CSS_SELECTOR, ".timer-display")
    minutes = int(timer.get_attribute("data-minutes"))
    assert _focus_is_visible(browser, start), "the timer button shows no focus"
    assert _accessible_name(browser, start).startswith("Start"), _accessible_name(browser, start)
    _press(browser, Keys.ENTER)
    time.sleep(2.3)
    assert "timer-running" in timer.get_attribute("class"), "Enter did not start the timer"
    m, s = map(int, display.text.split(":"))
    assert m * 60 + s < minutes * 60, f"the timer still shows {display.text} after 2.3 s"
    assert _accessible_name(browser, start) == "Pause"
    _press(browser, Keys.SPACE)
    assert "timer-running" not in timer.get_attribute("class"), "Space did not pause the timer"
    paused = display.text
    time.sleep(1.2)
    assert display.text == paused, "the timer kept running after Space paused it"
    assert _accessible_name(browser, start) == "Resume"

    reset = _tab_to(browser, ".challenge-timer .timer-reset", limit=3)
    assert _focus_is_visible(browser, reset), "the timer's reset button shows no focus"
    assert "Reset" in _accessible_name(browser, reset)
    _press(browser, Keys.ENTER)
    assert display.text == f"{minutes}:00", "Enter on Reset did not reset the timer"
    assert _accessible_name(browser, start).startswith("Start")
    status = timer.find_element(By.CSS_SELECTOR, ".timer-status")
    assert status.get_attribute("aria-live") == "polite" and "reset" in status.get_attribute("textContent").lower()


@browser_test
def test_download_menu_works_with_the_keyboard_alone(browser, site_url):  # noqa: F811
    """The notebook download menu (a <details> under the overview): Tab, Enter, Tab to a link."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    episode = next((p for p in all_pages() if p.startswith("episodes/") and "lesson-downloads" in (HTML / p).read_text()), None)
    if episode is None:
        pytest.skip("no episode page has a download menu in this build")
    browser.get(f"{site_url}/{episode}")
    menu = browser.find_element(By.CSS_SELECTOR, ".lesson-downloads")
    assert menu.get_attribute("open") is None, "the download menu starts open"
    summary = _tab_to(browser, ".lesson-downloads > summary")
    assert _focus_is_visible(browser, summary), "the download menu shows no focus"
    assert "Download" in _accessible_name(browser, summary)
    _press(browser, Keys.ENTER)
    assert menu.get_attribute("open") is not None, "Enter did not open the download menu"
    link = _tab_to(browser, ".lesson-downloads a[href]", limit=1)
    assert _focus_is_visible(browser, link), "the download links show no focus"
    assert link.get_attribute("href").endswith(".ipynb") and _accessible_name(browser, link)
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    assert browser.execute_script("return document.activeElement.matches('.lesson-downloads > summary');")
    _press(browser, Keys.SPACE)
    assert menu.get_attribute("open") is None, "Space on the summary did not close the download menu"
