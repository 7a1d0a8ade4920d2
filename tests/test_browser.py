"""The site in a real browser: headless Chromium, served from 127.0.0.1.

Checks what only a browser can: the challenge timer counts down, the instructor
view shows notes and is remembered across pages, and no page asks any host but
the local one for anything (the site must work offline).
"""

import functools
import http.server
import json
import shutil
import threading
import time
from urllib.parse import urlsplit

import pytest

from built_site import HTML, require_site

pytestmark = [pytest.mark.site, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
PAGES = ["book/index.html", "episodes/01-introduction.html", "book/schedule.html", "book/glossary.html"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_url():
    require_site()
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.fail("headless Chromium is missing: `make test` installs Debian's chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def requested_urls(driver):
    """URLs the browser requested since the last call (from Chrome's performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_pages_request_nothing_from_other_hosts(browser, site_url):
    local = urlsplit(site_url).netloc
    requested_urls(browser)  # discard anything before the first page
    outside = []
    for name in PAGES:
        browser.get(f"{site_url}/{name}")
        time.sleep(1.0)  # let fonts, MathJax and late scripts load
        for url in requested_urls(browser):
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about", "chrome", "chrome-untrusted", "chrome-extension", "devtools"):
                continue  # in-page data and the browser's own internal pages
            if parts.netloc != local:
                outside.append(f"{name}: {url}")
    assert not outside, "requests to other hosts:\n" + "\n".join(outside)


def test_challenge_timer_counts_down(browser, site_url):
    from selenium.webdriver.common.by import By

    browser.get(f"{site_url}/episodes/01-introduction.html")
    timer = browser.find_element(By.CSS_SELECTOR, ".challenge-timer")
    minutes = int(timer.get_attribute("data-minutes"))
    display = timer.find_element(By.CSS_SELECTOR, ".timer-display")
    assert display.text == f"{minutes}:00"
    button = timer.find_element(By.CSS_SELECTOR, ".timer-button")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    button.click()
    time.sleep(2.5)
    shown = display.text
    m, s = map(int, shown.split(":"))
    remaining = m * 60 + s
    assert minutes * 60 - 4 <= remaining <= minutes * 60 - 1, f"timer shows {shown} after 2.5 s"
    assert "timer-running" in timer.get_attribute("class")
    button.click()  # pause
    paused = display.text
    time.sleep(1.5)
    assert display.text == paused, "the timer kept running after Pause"


def test_instructor_view_shows_notes_and_is_remembered(browser, site_url):
    from selenium.webdriver.common.by import By

    browser.get(f"{site_url}/episodes/01-introduction.html")
    browser.execute_script("window.localStorage.clear();")
    browser.refresh()
    note = browser.find_element(By.CSS_SELECTOR, ".instructor-note")
    assert not note.is_displayed(), "instructor notes are visible to readers by default"
    switch = browser.find_element(By.ID, "instructor-view-toggle")
    switch.click()
    assert note.is_displayed(), "switching the instructor view on did not show the note"
    # Another page, then back: the choice is remembered.
    browser.get(f"{site_url}/book/schedule.html")
    assert browser.find_element(By.ID, "instructor-view-toggle").is_selected()
    browser.get(f"{site_url}/episodes/01-introduction.html")
    assert browser.find_element(By.CSS_SELECTOR, ".instructor-note").is_displayed()
    browser.find_element(By.ID, "instructor-view-toggle").click()
    assert not browser.find_element(By.CSS_SELECTOR, ".instructor-note").is_displayed()
