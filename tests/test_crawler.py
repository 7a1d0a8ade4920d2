"""The crawler: every strategy returns the test site's ground truth, fetching each URL once."""

import asyncio
import socket
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parallel_patterns import crawler
from parallel_patterns.crawler import Frontier, extract_hrefs, normalize_url, resolve_link
from parallel_patterns.helpers.testsite import ALL_FAULTS, TestSite

STRATEGIES = list(crawler.IMPLEMENTATIONS)
WORKERS = {"serial": 1, "threads": 8, "asyncio": 8, "asyncio-streams": 8, "processes": 3}
TIMEOUT = 0.5  # the crawler's; the slow page takes 2 s


@pytest.fixture(scope="module")
def site():
    with TestSite(30, latency=0.02, seed=3, faults=ALL_FAULTS, slow_delay=2.0) as site:
        yield site


@pytest.fixture
def looked_up_hosts(monkeypatch):
    """Every host name this process resolves while the test runs."""
    hosts = []
    real_getaddrinfo = socket.getaddrinfo

    def recording_getaddrinfo(host, *args, **kwargs):
        hosts.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", recording_getaddrinfo)
    return hosts


def target(site, url):
    """The request target ("/page/3?x=1") of a URL on the site."""
    return url[len(site.url) - 1 :]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_strategy_returns_the_ground_truth(site, strategy, looked_up_hosts):
    site.requests.clear()
    result = crawler.IMPLEMENTATIONS[strategy](site.url, timeout=TIMEOUT, workers=WORKERS[strategy])
    expected = site.expected_result(timeout=TIMEOUT)
    assert result == expected
    assert list(result) == list(expected)  # breadth-first order, too
    # every fault is in the ground truth, so the crawler met each of them
    assert {404, 500, "timeout"} <= set(result.values())
    assert result[site.url + "slow"] == "timeout"
    assert site.url + "page/4?from=malformed" in result
    # each URL fetched exactly once, and nothing else asked of the server
    assert site.requests == {target(site, url): 1 for url in expected}
    # no other host was ever contacted (or even looked up) from this process
    assert all(url.startswith(site.url) for url in result)
    assert set(looked_up_hosts) <= {"127.0.0.1"}


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_max_pages_cuts_the_same_urls_for_every_strategy(site, strategy):
    for max_pages in (1, 7, 33):
        site.requests.clear()
        result = crawler.IMPLEMENTATIONS[strategy](
            site.url, max_pages=max_pages, timeout=TIMEOUT, workers=WORKERS[strategy]
        )
        assert result == site.expected_result(max_pages=max_pages, timeout=TIMEOUT)
        assert len(result) == max_pages
        assert sum(site.requests.values()) == max_pages


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_server_that_is_not_there_is_reported_as_refused(strategy):
    with socket.socket() as probe:  # a port that was free a moment ago, and now nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    assert crawler.IMPLEMENTATIONS[strategy](url, timeout=2.0, workers=2) == {url: "connection refused"}


@pytest.mark.parametrize("strategy", ["threads", "asyncio", "asyncio-streams"])
def test_concurrent_strategies_overlap_their_waits(strategy):
    with TestSite(20, latency=0.1) as site:
        started = time.perf_counter()
        result = crawler.IMPLEMENTATIONS[strategy](site.url, workers=21)
        elapsed = time.perf_counter() - started
    assert len(result) == 21
    assert elapsed < 21 * 0.1 / 3  # one after the other would take at least 2.1 s


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_tree_site_gives_the_ground_truth(strategy):
    with TestSite(40, latency=0.01, branching=3, seed=5) as site:
        result = crawler.IMPLEMENTATIONS[strategy](site.url, workers=WORKERS[strategy] + 5)
        assert result == site.expected_result() and list(result) == list(site.expected_result())


def test_crawl_async_can_be_awaited_in_a_running_loop(site):
    async def in_a_notebook():
        with pytest.raises(RuntimeError, match="await crawl_async"):
            crawler.crawl_asyncio(site.url)
        return await crawler.crawl_async(site.url, max_pages=5, timeout=TIMEOUT, workers=4)

    assert asyncio.run(in_a_notebook()) == site.expected_result(max_pages=5, timeout=TIMEOUT)


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize(
    "args, kwargs, error, name",
    [
        ((b"http://127.0.0.1/",), {}, TypeError, "start_url"),
        (("ftp://127.0.0.1/",), {}, ValueError, "start_url"),
        (("http://",), {}, ValueError, "start_url"),
        (("127.0.0.1:8000/page",), {}, ValueError, "start_url"),
        (("http://127.0.0.1/",), {"max_pages": 0}, ValueError, "max_pages"),
        (("http://127.0.0.1/",), {"max_pages": 1.5}, TypeError, "max_pages"),
        (("http://127.0.0.1/",), {"timeout": 0}, ValueError, "timeout"),
        (("http://127.0.0.1/",), {"timeout": "1"}, TypeError, "timeout"),
        (("http://127.0.0.1/",), {"workers": 0}, ValueError, "workers"),
    ],
)
def test_bad_arguments_are_named(strategy, args, kwargs, error, name):
    with pytest.raises(error, match=name):
        crawler.IMPLEMENTATIONS[strategy](*args, **kwargs)


# -- URLs and links -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, normal",
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/"),
        ("HTTP://Example.ORG:80/a/b#part", "http://example.org/a/b"),
        ("https://example.org:443/?q=1#", "https://example.org/?q=1"),
        ("http://user:secret@example.org:8080/x", "http://example.org:8080/x"),
        ("http://example.org/a b/ü", "http://example.org/a%20b/%C3%BC"),
        ("http://[::1]:8000/", "http://[::1]:8000/"),
        ("  http://example.org/\n", "http://example.org/"),
        ("mailto:someone@example.org", None),
        ("javascript:alert(1)", None),
        ("ftp://example.org/file", None),
        ("http://[::1", None),
        ("http://example.org:port/", None),
        ("/relative/path", None),
    ],
)
def test_normalize_url(url, normal):
    assert normalize_url(url) == normal


@pytest.mark.parametrize(
    "href, resolved",
    [
        ("../c?x=1#f", "http://h/c?x=1"),
        ("d", "http://h/a/d"),
        ("", "http://h/a/b"),
        ("#top", "http://h/a/b"),
        ("//other.invalid/x", "http://other.invalid/x"),
        ("http://[::1", None),
    ],
)
def test_resolve_link(href, resolved):
    assert resolve_link("http://h/a/b", href) == resolved


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>!-[]/=\"' ahrefAHREF#:&;x\n")) | st.characters(), max_size=200))
def test_link_extraction_never_raises_on_any_text(text):
    hrefs = extract_hrefs(text)
    assert all(isinstance(href, str) for href in hrefs)


def test_link_extraction_keeps_links_before_a_parser_error():
    assert extract_hrefs('<a href="/one">1</a><![bogus[ x ]]><a href="/two">') == ["/one"]


# -- The frontier --------------------------------------------------------------------


def breadth_first(links, start, max_pages):
    """The reference: a plain queue, pages expanded in the order they were found."""
    order, seen = [start], {start}
    for url in order:
        for link in links.get(url, []):
            if link.startswith("http://h/") and link not in seen and len(order) < max_pages:
                seen.add(link)
                order.append(link)
    return order


site_graphs = st.integers(1, 12).flatmap(
    lambda n: st.lists(
        st.lists(st.integers(0, n) | st.just(-1), max_size=5),  # n: a missing page; -1: another host
        min_size=n,
        max_size=n,
    )
)


@settings(max_examples=200, deadline=None)
@given(site_graphs, st.integers(1, 15), st.integers(1, 6), st.randoms(use_true_random=False))
def test_frontier_lists_the_same_urls_whatever_order_fetches_finish_in(graph, max_pages, workers, rng):
    def url(i):
        return "http://other.invalid/" if i == -1 else f"http://h/{i}"

    links = {url(i): [url(j) for j in targets] for i, targets in enumerate(graph)}
    frontier = Frontier(url(0), max_pages)
    in_flight = []
    while not frontier.finished():
        while len(in_flight) < workers and (next_url := frontier.next_url()) is not None:
            in_flight.append(next_url)
        fetched = in_flight.pop(rng.randrange(len(in_flight)))  # any fetch may finish first
        frontier.record(fetched, 200 if fetched in links else 404, links.get(fetched, []))
    assert list(frontier.result()) == breadth_first(links, url(0), max_pages)


def test_frontier_hands_out_every_known_url_at_once():
    frontier = Frontier("http://h/", 100)
    frontier.record(frontier.next_url(), 200, [f"http://h/{i}" for i in range(50)])
    handed_out = [frontier.next_url() for _ in range(50)]
    assert handed_out == [f"http://h/{i}" for i in range(50)]
    assert frontier.next_url() is None and not frontier.finished()


def test_benchmark_case_serves_a_site_of_the_given_size():
    with crawler.benchmark_case(5) as (args, kwargs):
        result = crawler.crawl_threads(*args, workers=6, **kwargs)
    assert len(result) == 6 and set(result.values()) == {200}
    with pytest.raises(ValueError, match="size"):
        with crawler.benchmark_case(0):
            pass



def test_the_script_runs_the_crawler_with_asyncio_run():
    import pathlib
    import subprocess
    import sys

    script = pathlib.Path(__file__).parents[1] / "code" / "scripts" / "crawl_site.py"
    done = subprocess.run(
        [sys.executable, str(script), "--pages", "10", "--workers", "5"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("19 URLs in ") and "'timeout': 1" in done.stdout
