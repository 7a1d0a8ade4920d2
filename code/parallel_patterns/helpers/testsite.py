"""A small web site on 127.0.0.1 for crawlers to crawl: slow on purpose, and broken on purpose.

A crawler spends nearly all its time waiting for servers to answer. To show
that (and what threads and asyncio do about it) without touching the internet,
:class:`TestSite` serves generated pages from a background thread on this
machine, and can make every answer slow (``latency``) and add faults that a
real crawler meets every day::

    with TestSite(n_pages=100, latency=0.05, faults=ALL_FAULTS) as site:
        print(site.url)                      # http://127.0.0.1:<port>/
        result = crawl(site.url)
        assert result == site.expected_result()

The site
--------
``/`` (the index) links to every page ``/page/0`` ... ``/page/{n-1}``, so a
concurrent crawler has plenty to fetch at once. Each page links back to the
index, onwards to the next page, and to two pages chosen at random (from
``seed``). Every page is one link from the index, so a crawler can fetch all
of them at once after the first answer.

With ``branching=b`` the site is a tree instead: the index links to pages
``0 ... b-1``, and page ``i`` links to its ``b`` children
``b*(i+1) ... b*(i+1)+b-1``, back to the index and to two random pages listed
before it (links that never make a path shorter). A crawler must then go
down level by level: :meth:`TestSite.critical_path` gives the longest chain of
fetches that must happen one after the other, the lower bound on any crawl's
time (episode 1's critical path), and :meth:`TestSite.link_tree` the links
the crawl follows, for drawing. The faults, each switched on by name in
``faults``:

``missing``    the index links to pages that do not exist: 404 Not Found.
``error``      a page that fails on the server: 500 Internal Server Error.
``slow``       a page that answers only after ``slow_delay`` seconds, longer than
               a crawler's timeout should be.
``malformed``  a page of broken HTML and odd links: unclosed and misnested tags,
               unquoted and upper-case attributes, ``href`` without a value,
               fragments, query strings, ``../``, scheme-relative and upper-case
               URLs, ``javascript:``, ``mailto:``, ``data:``, ``ftp:``, URLs that
               do not parse, links inside comments, invalid UTF-8, a binary file
               that merely looks like HTML, and a marked section that makes
               ``html.parser`` raise. Some of its links lead to new pages (a page
               with a query string is a different URL from the page without).
``external``   links that a crawler of this site must not follow: other hosts
               (``http://other.invalid/``, names that can never resolve), this
               server under another name (``localhost``), another scheme
               (``https``) and another port. None of them is ever contacted by a
               correct crawler.

Ground truth
------------
The site knows which links on each page a crawler should follow
(``Page.links``), independently of how any crawler parses HTML, so
:meth:`TestSite.expected_result` computes the exact dict a correct crawler
returns, and :attr:`TestSite.requests` counts the requests the server received,
so a test can check that every URL was fetched exactly once. The rules the
ground truth follows are the crawler's (see ``parallel_patterns.crawler``):
breadth-first order, links followed only from ``200`` pages of type
``text/html``, at most ``max_pages`` URLs, and a slow page reported as
``"timeout"`` when the crawler's timeout is shorter than ``slow_delay``.

To time a crawler, serve the site from a process of its own with
:func:`site_in_process`, so the server's work does not count as the
crawler's. Serve it for a demonstration (Ctrl-C stops it)::

    python -m parallel_patterns.helpers.testsite --port 8001 --pages 100 --latency 0.05 --faults all
"""

import argparse
import collections
import contextlib
import dataclasses
import heapq
import html
import http.server
import random
import sys
import threading

from parallel_patterns._context import mp_context
from parallel_patterns._validate import check_int, check_nonnegative_number, check_positive_int, check_positive_number

HOST = "127.0.0.1"
START_TIMEOUT = 60  # seconds a site in its own process gets to start listening
FAULTS = ("missing", "error", "slow", "malformed", "external")
ALL_FAULTS = frozenset(FAULTS)
RANDOM_LINKS_PER_PAGE = 2


@dataclasses.dataclass(frozen=True)
class Page:
    """What the server answers for one request target (path plus query).

    ``links`` are the targets a correct crawler follows from this page, in the
    order they appear in ``body``; the body may hold many more ``href``
    attributes that must not be followed.
    """

    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    links: tuple = ()
    slow: bool = False


NOT_FOUND = Page(404, b"<!DOCTYPE html><title>Not found</title><h1>404 Not found</h1>")


def html_page(title, hrefs, *, extra=""):
    """A small well-formed HTML page with a list of links."""
    items = "\n".join(f'<li><a href="{html.escape(href)}">{html.escape(href)}</a></li>' for href in hrefs)
    return (
        f"<!DOCTYPE html>\n<html><head><title>{html.escape(title)}</title></head>\n"
        f"<body><h1>{html.escape(title)}</h1>\n<ul>\n{items}\n</ul>\n{extra}</body></html>\n"
    ).encode()


def check_faults(faults):
    """Return ``faults`` as a frozenset of known fault names."""
    if isinstance(faults, str):
        raise TypeError(f"faults must be a collection of fault names such as {{'slow'}}, not the string {faults!r}")
    try:
        chosen = frozenset(faults)
    except TypeError:
        raise TypeError(f"faults must be a collection of fault names, got {type(faults).__name__}") from None
    unknown = chosen - ALL_FAULTS
    if unknown:
        raise ValueError(f"faults has unknown names {sorted(map(str, unknown))}; choose from {list(FAULTS)}")
    return chosen


class TestSite:
    """A generated web site served on 127.0.0.1 from a background thread.

    Use it as a context manager: the server starts on ``with`` (on an
    ephemeral port unless ``port`` is given) and is shut down, and its port
    closed, when the block ends, however it ends.
    """

    __test__ = False  # its name starts with "Test", but it is not a pytest class

    def __init__(self, n_pages=100, *, latency=0.0, seed=0, faults=(), slow_delay=2.0, port=0, branching=None):
        self.n_pages = check_positive_int("n_pages", n_pages)
        self.branching = None if branching is None else check_positive_int("branching", branching)
        self.latency = check_nonnegative_number("latency", latency)
        self.seed = check_int("seed", seed)
        self.faults = check_faults(faults)
        self.slow_delay = check_positive_number("slow_delay", slow_delay)
        self.port = check_int("port", port, minimum=0)
        if self.port > 65535:
            raise ValueError(f"port must be <= 65535, got {port!r}")
        self.url = None  # known once the server is listening
        self.pages = {}  # request target ("/page/3", "/page/4?from=malformed") -> Page
        self.requests = collections.Counter()  # request target -> how many times it was asked for
        self._requests_lock = threading.Lock()
        self._closing = threading.Event()
        self._server = None
        self._thread = None

    # -- starting and stopping ---------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.close()

    def start(self):
        """Listen on 127.0.0.1 and serve from a daemon thread."""
        if self._server is not None:
            raise RuntimeError("this TestSite is already running")
        server = _Server((HOST, self.port), _Handler)
        self._closing.clear()  # in case this site was started and closed before
        try:
            server.site = self
            self.port = server.server_port
            self.url = f"http://{HOST}:{self.port}/"
            self.pages = self.build_pages()
            self._thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"TestSite:{self.port}", daemon=True
            )
            self._thread.start()
        except BaseException:
            server.server_close()
            raise
        self._server = server

    def close(self):
        """Stop serving and close the listening socket (safe to call twice)."""
        server, self._server = self._server, None
        if server is None:
            return
        self._closing.set()  # wakes handlers that are sleeping out a latency
        try:
            server.shutdown()  # waits for serve_forever to return
        finally:
            server.server_close()
            self._thread.join(timeout=5)

    # -- the site ------------------------------------------------------------

    def build_pages(self):
        """Every page the server knows, by request target."""
        n = self.n_pages
        rng = random.Random(self.seed)
        pages = {}
        b = self.branching
        for i in range(n):
            if b is None:  # flat: every page is one link from the index
                links = ["/", f"/page/{(i + 1) % n}"]
                links += [f"/page/{rng.randrange(n)}" for _ in range(RANDOM_LINKS_PER_PAGE)]
            else:  # a tree: children, then links back up that never make a path shorter
                links = [f"/page/{child}" for child in range(b * (i + 1), min(b * (i + 2), n))]
                links += ["/"] + [f"/page/{rng.randrange(i + 1)}" for _ in range(RANDOM_LINKS_PER_PAGE)]
            pages[f"/page/{i}"] = Page(200, html_page(f"Page {i}", links), links=tuple(links))
        index_links = [f"/page/{i}" for i in range(n if b is None else min(b, n))]
        not_followed = []
        if "missing" in self.faults:
            index_links += ["/gone/1", "/gone/2"]
        if "error" in self.faults:
            index_links.append("/broken")
            pages["/broken"] = Page(500, b"<!DOCTYPE html><title>Error</title><h1>500 Internal Server Error</h1>")
        if "slow" in self.faults:
            index_links.append("/slow")
            pages["/slow"] = Page(200, html_page("A slow page", []), slow=True)
        if "malformed" in self.faults:
            index_links.append("/malformed")
            pages.update(self.malformed_pages(pages))
        if "external" in self.faults:
            not_followed = [
                "http://other.invalid/",
                "https://other.invalid/page/1",
                f"http://localhost:{self.port}/page/0",
                f"https://{HOST}:{self.port}/page/0",
                f"http://{HOST}:{1 if self.port != 1 else 2}/page/0",
            ]
        pages["/"] = Page(200, html_page("Index", index_links + not_followed), links=tuple(index_links))
        return pages

    def malformed_pages(self, pages):
        """The ``/malformed`` page, and the pages only it leads to.

        Each entry of ``markup`` pairs some HTML with the target a crawler must
        follow from it, or None when it must follow nothing.
        """
        n, port = self.n_pages, self.port
        p = [f"/page/{i % n}" for i in range(1, 9)]
        alias = f"/page/{4 % n}?from=malformed"  # a new URL that serves an existing page
        markup = [
            (f'<p>An unclosed paragraph <b>bold <i>misnested</b> text</i>\n<a href="{p[0]}#part-2">a fragment</a>', p[0]),
            (f"<a href='{p[1][1:]}'>single quotes, relative to /</a>", p[1]),
            (f"<A HREF={p[2]}>upper-case tag, unquoted and never closed", p[2]),
            (f'<a href="../{alias[1:]}">../ and a query string</a>', alias),
            (f'<a href="  {p[4]}\n ">padded with white space</a>', p[4]),
            (f'<a href="HTTP://{HOST}:{port}{p[5]}">upper-case scheme</a>', p[5]),
            (f'<a href="//{HOST}:{port}{p[6]}">scheme-relative</a>', p[6]),
            (f'<a href="http://{HOST}:{port}{p[7]}#">absolute, empty fragment</a>', p[7]),
            ('<a href="#top">a fragment of this page</a>', "/malformed"),
            ('<a href="">empty</a>', "/malformed"),
            ("<a href>no value</a> <a name=anchor>no href</a>", None),
            ('<a href="javascript:alert(1)">javascript</a>', None),
            ('<a href="mailto:someone@example.invalid">mail</a>', None),
            ('<a href="data:text/html,&lt;a href=/trap/data&gt;">data</a>', None),
            (f'<a href="ftp://{HOST}/file.txt">ftp</a>', None),
            ('<a href="http://[::1">a URL that does not parse</a>', None),
            (f'<a href="http://{HOST}:port/">a port that is not a number</a>', None),
            ('<!-- <a href="/trap/comment">inside a comment</a> -->', None),
            ('<a href="/data.bin">binary data</a>', "/data.bin"),
            ('<a href="/gone/malformed">a missing page</a>', "/gone/malformed"),
            (f'<a href="{p[0]}" <b>a broken attribute list</b>', p[0]),
            ("</div></span></table> stray end tags, a < b && c > d", None),
        ]
        body = (
            b"<!DOCTYPE html>\n<html><head><title>Malformed</title>\n<body>\n"
            + "\n".join(html for html, _ in markup).encode()
            + b"\n<p>\xff\xfe is not UTF-8</p>\n"
            # html.parser raises AssertionError on an unknown marked section: last, so it hides no link.
            + b"<![bogus[ html.parser gives up here ]]>\n"
        )
        links = tuple(target for _, target in markup if target is not None)
        return {
            "/malformed": Page(200, body, links=links),
            "/data.bin": Page(200, b'\x00\x01<a href="/trap/binary">not HTML</a>', content_type="application/octet-stream"),
            alias: pages[f"/page/{4 % n}"],
        }

    def page_for(self, target):
        """The Page the server answers for a request target (404 if unknown)."""
        return self.pages.get(target, NOT_FOUND)

    def expected_result(self, *, max_pages=1000, timeout=5.0):
        """The dict a correct crawler returns for ``crawl(site.url, max_pages=..., timeout=...)``.

        Breadth-first from the index over each page's ``links``: the first
        ``max_pages`` URLs found, each mapped to its status, or to
        ``"timeout"`` for a slow page when ``timeout < slow_delay``. Choose
        ``timeout`` well away from ``slow_delay`` and well above ``latency``.
        """
        if self.url is None:
            raise RuntimeError("the site is not running: use it in a with block")
        check_positive_int("max_pages", max_pages)
        check_positive_number("timeout", timeout)
        base = self.url.rstrip("/")
        order, seen = [self.url], {self.url}
        result = {}
        for url in order:  # `order` grows while we walk it: a breadth-first queue
            page = self.page_for(url[len(base):])
            if page.slow and timeout < self.latency + self.slow_delay:
                result[url] = "timeout"
                continue
            result[url] = page.status
            if page.status != 200 or not page.content_type.startswith("text/html"):
                continue
            for target in page.links:
                link = base + target
                if link not in seen and len(order) < max_pages:
                    seen.add(link)
                    order.append(link)
        return result

    def link_tree(self, *, max_pages=1000):
        """How a breadth-first crawl finds each page: request target -> the target it was found on.

        The index maps to None. Only the first ``max_pages`` targets, as in
        :meth:`expected_result`; the other links on each page lead to pages
        found already.
        """
        check_positive_int("max_pages", max_pages)
        self._pages_known()
        found_on, order = {"/": None}, ["/"]
        for target in order:  # `order` grows while we walk it: a breadth-first queue
            page = self.page_for(target)
            if page.status != 200 or not page.content_type.startswith("text/html") or page.slow:
                continue
            for link in page.links:
                if link not in found_on and len(found_on) < max_pages:
                    found_on[link] = target
                    order.append(link)
        return found_on

    def fetch_seconds(self, target, timeout):
        """How long fetching ``target`` takes at best: the latency, or the timeout of a slow page."""
        page = self.page_for(target)
        return min(timeout, self.latency + self.slow_delay) if page.slow else self.latency

    def critical_path(self, *, max_pages=1000, timeout=5.0):
        """The chain of fetches no crawler can overlap: (seconds, [request targets]).

        A page can be fetched only after a page linking to it has arrived, so
        the earliest a page can be done is its own fetch time plus the
        earliest time any page linking to it is done (a shortest path, by
        Dijkstra's algorithm, over the pages of the crawl). The latest such
        time is a lower bound on the time of any crawl, however many workers
        it has: the critical path of episode 1's task graphs.
        """
        check_positive_number("timeout", timeout)
        targets = set(self.link_tree(max_pages=max_pages))
        best = {"/": self.fetch_seconds("/", timeout)}  # earliest finish found so far
        came_from = {"/": None}
        done = set()
        queue = [(best["/"], "/")]
        while queue:
            seconds, target = heapq.heappop(queue)
            if target in done:
                continue
            done.add(target)
            page = self.page_for(target)
            if page.status != 200 or not page.content_type.startswith("text/html") or page.slow:
                continue
            for link in page.links:
                candidate = seconds + self.fetch_seconds(link, timeout)
                if link in targets and candidate < best.get(link, float("inf")):
                    best[link], came_from[link] = candidate, target
                    heapq.heappush(queue, (candidate, link))
        last = max(best, key=lambda target: (best[target], target))
        path = [last]
        while came_from[path[-1]] is not None:
            path.append(came_from[path[-1]])
        return best[last], path[::-1]

    def _pages_known(self):
        if not self.pages:
            raise RuntimeError("the site is not running: use it in a with block")

    def _record(self, target):
        with self._requests_lock:
            self.requests[target] += 1


class _Server(http.server.ThreadingHTTPServer):
    """One thread per request; a long listen queue so 100 clients at once are not refused."""

    daemon_threads = True  # a handler still sleeping never keeps Python from exiting
    request_queue_size = 256

    def handle_error(self, request, client_address):
        """Stay quiet when a client hangs up early (it timed out): that is expected here."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "TestSite/1.0"

    def do_GET(self):
        site = self.server.site
        site._record(self.path)
        page = site.page_for(self.path)
        delay = site.latency + (site.slow_delay if page.slow else 0.0)
        if site._closing.wait(delay):  # the site is shutting down: answer nothing
            return
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        self.wfile.write(page.body)

    def log_message(self, format, *args):
        """Log nothing: a crawl makes hundreds of requests."""


def link_tree_graph(tree, *, path=()):
    """A ``graphviz.Digraph`` of a crawl's link tree (from :meth:`TestSite.link_tree`).

    One small circle per page, one row per level (how many fetches from the
    index), an arrow from the page where the crawl found each page. The chain
    of pages ``path`` (a critical path) is drawn red and three times as thick,
    so it stands out without colour too.
    """
    import graphviz

    on_path = set(zip(path, path[1:]))
    red = {"color": "#b02a37", "penwidth": "3"}
    graph = graphviz.Digraph(
        graph_attr={"rankdir": "TB", "ranksep": "0.35", "nodesep": "0.05", "size": "9,5", "ratio": "compress"},
        node_attr={"shape": "circle", "width": "0.3", "fixedsize": "true", "fontsize": "9", "style": "filled",
                   "fillcolor": "white"},
        edge_attr={"arrowsize": "0.4", "color": "#777777"},
    )
    for target, parent in tree.items():
        style = {**red, "fillcolor": "#f4cccc", "style": "filled,bold"} if target in path else {}
        if target == "/":
            graph.node(target, "index", shape="box", fixedsize="false", **style)
        else:
            graph.node(target, target.rsplit("/", 1)[-1], **style)
        if parent is not None:
            graph.edge(parent, target, **(red if (parent, target) in on_path else {}))
    return graph


def serve_until_stopped(options, ready, stop):
    """In a process of its own: serve a TestSite, report its URL on ``ready``, stop when ``stop`` is set."""
    try:
        site = TestSite(**options)
        site.start()
    except BaseException as error:
        ready.put(("error", f"{type(error).__name__}: {error}"))
        raise
    try:
        ready.put(("url", site.url))
        stop.wait()
    finally:
        site.close()


@contextlib.contextmanager
def site_in_process(**options):
    """Serve ``TestSite(**options)`` from a separate process; yield its URL.

    Use it to *measure* a crawler: a real server runs on another machine,
    and a server in the crawler's own process would spend the same GIL and
    cores as the crawler (about a millisecond of CPU per request), so the
    timing would include the server's work. The ground truth lives in the
    other process: for tests, use the ``TestSite`` context manager instead.
    """
    TestSite(**options)  # check the options here, where a mistake is easy to read
    context = mp_context()
    ready, stop = context.Queue(), context.Event()
    server = context.Process(target=serve_until_stopped, args=(options, ready, stop), daemon=True)
    server.start()
    try:
        kind, value = ready.get(timeout=START_TIMEOUT)
        if kind == "error":
            raise RuntimeError(f"the test site could not start: {value}")
        yield value
    finally:
        stop.set()
        server.join(timeout=10)
        if server.is_alive():
            server.terminate()
            server.join()


def main(argv=None):
    """Serve a TestSite until Ctrl-C."""
    parser = argparse.ArgumentParser(description="Serve a generated test site on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds before every answer")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--faults", default="none", help="'all', 'none' or a comma-separated list of " + ",".join(FAULTS))
    args = parser.parse_args(argv)
    faults = {"all": ALL_FAULTS, "none": ()}.get(args.faults, None)
    if faults is None:
        faults = [name.strip() for name in args.faults.split(",") if name.strip()]
    with TestSite(args.pages, latency=args.latency, seed=args.seed, faults=faults, port=args.port) as site:
        print(f"Serving {len(site.pages)} pages at {site.url} (Ctrl-C to stop)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("Stopped.")


if __name__ == "__main__":
    main()
