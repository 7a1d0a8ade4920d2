"""A web crawler: fetch a page, find its links, fetch those, and so on.

``crawl(start_url, *, max_pages=1000, timeout=5.0, workers=1)`` returns a dict
from every URL it fetched to the HTTP status it got (``200``, ``404``, ...) or,
when there was no answer, a short description (``"timeout"``,
``"connection refused"``). It stays on the start URL's site: it follows only
``http``/``https`` links with the same scheme, host and port.

Why this workload
-----------------
A crawler does almost no computing: it waits for servers. Waiting is exactly
what threads and asyncio are good at, even with the GIL, because a thread that
waits for the network lets the others run. With 50 ms per answer, fetching 100
pages one after the other takes 5 s; fetching 50 at a time takes a fraction of
a second, on one core.

Rules every strategy follows (so they all return the same dict)
---------------------------------------------------------------
* **One URL, one fetch.** Links are made absolute and put in a normal form
  (:func:`normalize_url`: lower-case scheme and host, no default port, no
  fragment, unsafe characters percent-encoded), so ``/a#x``, ``/a`` and
  ``HTTP://HOST/a`` are one URL, fetched once. ``/a?b=1`` is another URL.
* **A fixed order, so ``max_pages`` cuts in the same place.** The
  :class:`Frontier` lists URLs in breadth-first order. Fetches may finish in
  any order, but a page's links join the list only after the links of every
  page listed before it, so the first ``max_pages`` URLs are the same whoever
  finished first. This costs no concurrency while URLs are waiting to be
  fetched: any listed URL can be fetched at once.
* **Links come only from successful HTML pages** (status 200, type
  ``text/html``), read with :class:`html.parser.HTMLParser`, which does not
  give up on broken HTML. Redirects are not followed: a redirect is recorded as
  its status (3xx). Proxies from the environment are ignored: the crawler only
  talks to the site it was given.
* **Nothing stops the crawl but the budget.** A failed fetch is that URL's
  result, a link that does not parse is skipped.

The strategies
--------------
``serial``     one ``urllib`` fetch after another.
``threads``    ``workers`` threads, each fetching with ``urllib``, sharing one
               frontier under a lock (a ``threading.Condition``, so an idle
               thread sleeps until another one finds new links).
``asyncio``    the same shape in one thread: ``workers`` tasks share the
               frontier and fetch with ``aiohttp``, a maintained asynchronous
               HTTP client. Each ``await`` is a point where another task may
               run. :func:`crawl_async` is the coroutine (a notebook can
               ``await`` it); :func:`crawl_asyncio` runs it.
``asyncio-streams``  the same tasks with a tiny HTTP/1.1 client written on
               ``asyncio.open_connection`` (:func:`http_get`): it shows what
               an HTTP client does underneath, and that asyncio itself needs no
               third-party package. Real code should use aiohttp or httpx,
               which handle keep-alive, redirects, TLS and many odd servers.
``processes``  the main process keeps the frontier and hands fetches to a
               process pool, at most ``workers`` at a time. Processes are the
               wrong tool for waiting (each costs a whole interpreter); they
               are here to be measured.
"""

import asyncio
import concurrent.futures
import contextlib
import html.parser
import http.client
import socket
import ssl
import threading
import urllib.error
import urllib.parse
import urllib.request

import aiohttp
import yarl

from parallel_patterns._context import mp_context
from parallel_patterns._validate import check_positive_int, check_positive_number, check_workers
from parallel_patterns.helpers.testsite import site_in_process

DEFAULT_PORTS = {"http": 80, "https": 443}
USER_AGENT = "parallel-patterns-crawler/1.0"
SAFE_URL_CHARACTERS = "/%:@!$&'()*+,;=?~"  # kept as they are by normalize_url
DEFAULT_SIZE = 100  # pages of the benchmark site
BENCHMARK_LATENCY = 0.05  # seconds the benchmark site waits before every answer

# -- URLs ------------------------------------------------------------------


def normalize_url(url):
    """The normal form of an absolute http(s) URL, or None if it is not one.

    Lower-case scheme and host, no user name, no default port, ``/`` for an
    empty path, no fragment, and characters that may not appear in a request
    (spaces, non-ASCII) percent-encoded: two spellings of one page give one
    string.
    """
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname  # IPv6 needs brackets
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = urllib.parse.quote(parts.path or "/", safe=SAFE_URL_CHARACTERS)
    query = urllib.parse.quote(parts.query, safe=SAFE_URL_CHARACTERS)
    return urllib.parse.urlunsplit((scheme, netloc, path, query, ""))


def resolve_link(page_url, href):
    """The normalized absolute URL an ``href`` on ``page_url`` points to, or None."""
    try:
        return normalize_url(urllib.parse.urljoin(page_url, href.strip()))
    except ValueError:  # urljoin rejects some malformed URLs, e.g. "http://[::1"
        return None


def same_site(url, start_url):
    """True if two normalized URLs have the same scheme, host and port."""
    return urllib.parse.urlsplit(url)[:2] == urllib.parse.urlsplit(start_url)[:2]


# -- Pages -----------------------------------------------------------------


class LinkParser(html.parser.HTMLParser):
    """Collects the ``href`` of every ``<a>`` tag, in document order."""

    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href is not None:  # <a href> without a value gives None
                self.hrefs.append(href)


def extract_hrefs(text):
    """Every link target in an HTML document, however broken the HTML.

    HTMLParser recovers from unclosed and misnested tags, but it can still
    raise on a few constructs (an unknown ``<![...[`` section raises
    AssertionError): then the links found before that point are kept.
    """
    parser = LinkParser()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # noqa: BLE001 - a page we cannot finish reading still has its first links
        pass
    return parser.hrefs


def charset_of(content_type):
    """The ``charset`` parameter of a Content-Type header (UTF-8 if none)."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"') or "utf-8"
    return "utf-8"


def page_links(url, status, content_type, body):
    """The absolute links on a fetched page; only a 200 HTML page is read."""
    if status != 200 or not content_type.lower().startswith("text/html"):
        return []
    try:
        text = body.decode(charset_of(content_type), errors="replace")
    except LookupError:  # a charset Python does not know
        text = body.decode("utf-8", errors="replace")
    return [link for href in extract_hrefs(text) if (link := resolve_link(url, href)) is not None]


def describe_error(error):
    """A short, stable description of why a fetch got no HTTP status."""
    if isinstance(error, urllib.error.URLError) and not isinstance(error, urllib.error.HTTPError):
        if not isinstance(error.reason, BaseException):
            return str(error.reason)
        error = error.reason  # urllib wraps the socket's error: look at that
    if isinstance(error, aiohttp.ClientConnectorError):
        error = error.os_error  # aiohttp wraps the socket's error too
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return "no response"
    if isinstance(error, aiohttp.ClientPayloadError):
        return "bad response"
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, http.client.RemoteDisconnected):
        return "no response"
    if isinstance(error, ConnectionResetError):
        return "connection reset"
    if isinstance(error, (http.client.HTTPException, asyncio.IncompleteReadError)):
        return "bad response"
    if isinstance(error, socket.gaierror):
        return "unknown host"
    if isinstance(error, ssl.SSLError):
        return "TLS error"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return type(error).__name__


# -- Fetching with urllib (serial, threads, processes) ----------------------


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """Make urllib report a redirect as its status instead of following it."""

    def redirect_request(self, *args, **kwargs):
        return None


# No ProxyHandler settings from the environment: talk to the crawled site only.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirects())


def fetch_page(url, timeout):
    """GET ``url`` with urllib: return (status or error description, links on the page)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            body = response.read()
            content_type = response.headers.get("Content-Type", "")
            return response.status, page_links(url, response.status, content_type, body)
    except urllib.error.HTTPError as error:  # 4xx, 5xx, 3xx: an answer, with a status
        error.close()
        return error.code, []
    except Exception as error:  # noqa: BLE001 - any failure of one fetch is that URL's result
        return describe_error(error), []


# -- Fetching with asyncio ---------------------------------------------------


async def http_get(url):
    """A minimal HTTP/1.1 GET: return (status, headers with lower-case names, body).

    One request per connection (``Connection: close``). The body is read by
    Content-Length, by chunks (Transfer-Encoding: chunked), or until the
    server closes the connection. It raises the exceptions ``http.client``
    would, so :func:`describe_error` describes both clients' failures alike.
    """
    parts = urllib.parse.urlsplit(url)
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    use_tls = parts.scheme == "https"
    reader, writer = await asyncio.open_connection(parts.hostname, port, ssl=True if use_tls else None)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        writer.write(
            f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nUser-Agent: {USER_AGENT}\r\n"
            f"Accept: */*\r\nConnection: close\r\n\r\n".encode("ascii")
        )
        await writer.drain()
        status_line = await reader.readline()
        if not status_line:
            raise http.client.RemoteDisconnected("the server closed the connection without answering")
        version, status, *_ = status_line.decode("latin-1").split(None, 2) + [""]
        if not version.startswith("HTTP/") or not status.isdigit():
            raise http.client.BadStatusLine(status_line.decode("latin-1"))
        headers = {}
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = await read_chunked(reader)
        elif headers.get("content-length", "").isdigit():
            body = await reader.readexactly(int(headers["content-length"]))
        else:
            body = await reader.read()  # until the server closes the connection
        return int(status), headers, body
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def read_chunked(reader):
    """The body of a chunked response: hex size line, data, CRLF; until a size of 0."""
    chunks = []
    while True:
        size_line = await reader.readline()
        try:
            size = int(size_line.split(b";")[0], 16)
        except ValueError:
            raise http.client.IncompleteRead(b"".join(chunks)) from None
        if size == 0:
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readline()  # the CRLF after each chunk


async def fetch_page_async(url, timeout):
    """GET ``url`` with :func:`http_get`: return (status or error description, links)."""
    try:
        async with asyncio.timeout(timeout):  # the whole fetch, connecting included
            status, headers, body = await http_get(url)
    except Exception as error:  # noqa: BLE001 - any failure of one fetch is that URL's result
        return describe_error(error), []
    return status, page_links(url, status, headers.get("content-type", ""), body)


# -- Fetching with aiohttp ------------------------------------------------------


async def fetch_page_aiohttp(session, url, timeout):
    """GET ``url`` in an ``aiohttp`` session.

    Return (status or error description, links). No redirects followed, the
    URL sent exactly as normalized (``encoded=True``: yarl does not quote it
    again), and one deadline for the whole fetch.
    """
    try:
        # connecting, sending and reading the body
        async with asyncio.timeout(timeout):
            async with session.get(
                yarl.URL(url, encoded=True), allow_redirects=False
            ) as response:
                body = await response.read()
                content_type = response.headers.get("Content-Type", "")
                status = response.status
    except Exception as error:  # noqa: BLE001
        # any failure of one fetch is that URL's result
        return describe_error(error), []
    return status, page_links(url, status, content_type, body)


# -- The frontier: what to fetch, in which order ---------------------------------


class Frontier:
    """The URLs of one crawl in breadth-first order, and what became of them.

    ``next_url()`` hands out listed URLs not yet handed out; ``record()``
    takes a fetched page's result and links. Links join the list in the order
    of the pages they come from: a page's links wait in ``waiting_links``
    until every page listed before it has been recorded. So the list, and its
    first ``max_pages`` URLs, are the same whatever order fetches finish in.
    It does no locking: a strategy that shares it between threads holds a lock.
    """

    def __init__(self, start_url, max_pages):
        self.start_url = start_url
        self.max_pages = max_pages
        self.order = [start_url]  # every URL to fetch, breadth-first; at most max_pages
        self.seen = {start_url}
        self.results = {}
        self.waiting_links = {}  # url -> its links, until its turn to add them
        self.handed_out = 0  # order[:handed_out] have been given to a fetcher
        self.expanded = 0  # order[:expanded] have had their links added

    def waiting(self):
        """How many listed URLs are waiting to be handed out."""
        return len(self.order) - self.handed_out

    def has_next(self):
        """True if a URL is waiting to be fetched."""
        return self.handed_out < len(self.order)

    def finished(self):
        """True when every listed URL is fetched and its links added: nothing more will come."""
        return self.expanded == len(self.order)

    def next_url(self):
        """The next URL to fetch, or None if none is waiting now."""
        if not self.has_next():
            return None
        self.handed_out += 1
        return self.order[self.handed_out - 1]

    def record(self, url, result, links):
        """Store ``url``'s result; add links of every page whose turn has come."""
        self.results[url] = result
        self.waiting_links[url] = links
        while self.expanded < len(self.order) and self.order[self.expanded] in self.waiting_links:
            for link in self.waiting_links.pop(self.order[self.expanded]):
                if len(self.order) < self.max_pages and link not in self.seen and same_site(link, self.start_url):
                    self.seen.add(link)
                    self.order.append(link)
            self.expanded += 1

    def result(self):
        """URL -> status or error description, in breadth-first order."""
        return {url: self.results[url] for url in self.order}


# -- The strategies ------------------------------------------------------------


def check_arguments(start_url, max_pages, timeout, workers):
    """Validate what every strategy takes; return the start URL normalized."""
    if not isinstance(start_url, str):
        raise TypeError(f"start_url must be a string, got {type(start_url).__name__}")
    url = normalize_url(start_url)
    if url is None:
        raise ValueError(f"start_url must be an http:// or https:// URL with a host, got {start_url!r}")
    return (
        url,
        check_positive_int("max_pages", max_pages),
        check_positive_number("timeout", timeout),
        check_workers(workers),
    )


def wake_fetchers(changed, frontier):
    """After a ``record``: wake one idle fetcher per waiting URL, or all of them when the crawl is over.

    Waking every fetcher after every page (``notify_all``) would make n
    fetchers check the frontier n times per page: with 100 fetchers, most of
    a fast crawl's CPU time. ``changed`` is a threading or an asyncio Condition.
    """
    if frontier.finished():
        changed.notify_all()
    else:
        changed.notify(frontier.waiting())


def crawl_serial(start_url, *, max_pages=1000, timeout=5.0, workers=1):
    """Fetch one page at a time (``workers`` is ignored)."""
    start_url, max_pages, timeout, workers = check_arguments(start_url, max_pages, timeout, workers)
    frontier = Frontier(start_url, max_pages)
    while (url := frontier.next_url()) is not None:
        result, links = fetch_page(url, timeout)
        frontier.record(url, result, links)
    return frontier.result()


def crawl_threads(start_url, *, max_pages=1000, timeout=5.0, workers=1):
    """``workers`` threads fetch pages, sharing one frontier under a lock."""
    start_url, max_pages, timeout, workers = check_arguments(start_url, max_pages, timeout, workers)
    frontier = Frontier(start_url, max_pages)
    changed = threading.Condition()  # a lock, and a way to wake threads waiting for work

    def fetcher():
        while True:
            with changed:
                changed.wait_for(lambda: frontier.has_next() or frontier.finished())
                url = frontier.next_url()
            if url is None:  # finished: no URL is left, and none can come
                return
            result, links = fetch_page(url, timeout)  # the lock is free while we wait
            with changed:
                frontier.record(url, result, links)
                wake_fetchers(changed, frontier)

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(fetcher) for _ in range(workers)]:
            future.result()
    return frontier.result()


async def fetch_concurrently(frontier, fetch, workers):
    """Run ``workers`` tasks that take URLs from ``frontier`` and ``await fetch(url)`` them."""
    changed = asyncio.Condition()  # a lock, and a way to wake tasks waiting for work

    async def fetcher():
        while True:
            async with changed:
                await changed.wait_for(lambda: frontier.has_next() or frontier.finished())
                url = frontier.next_url()
            if url is None:  # finished: no URL is left, and none can come
                return
            result, links = await fetch(url)  # other tasks run while this one waits
            async with changed:
                frontier.record(url, result, links)
                wake_fetchers(changed, frontier)

    async with asyncio.TaskGroup() as group:  # waits for every task; cancels the rest if one fails
        for _ in range(workers):
            group.create_task(fetcher())


async def crawl_async(start_url, *, max_pages=1000, timeout=5.0, workers=1):
    """``workers`` asyncio tasks fetch pages with aiohttp.

    Await this in a notebook.
    """
    start_url, max_pages, timeout, workers = check_arguments(
        start_url, max_pages, timeout, workers
    )
    frontier = Frontier(start_url, max_pages)
    # at most `workers` connections at once
    connector = aiohttp.TCPConnector(limit=workers)
    async with aiohttp.ClientSession(
        connector=connector, headers={"User-Agent": USER_AGENT}
    ) as session:
        await fetch_concurrently(
            frontier,
            lambda url: fetch_page_aiohttp(session, url, timeout),
            workers,
        )
    return frontier.result()


def crawl_asyncio(start_url, *, max_pages=1000, timeout=5.0, workers=1):
    """Run :func:`crawl_async` in a new event loop (a script's way; a notebook awaits it)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop running here: the normal case
        return asyncio.run(crawl_async(start_url, max_pages=max_pages, timeout=timeout, workers=workers))
    raise RuntimeError("an event loop is already running here (a notebook?): use `await crawl_async(...)` instead")


async def crawl_streams_async(start_url, *, max_pages=1000, timeout=5.0, workers=1):
    """As :func:`crawl_async`, with the hand-written :func:`http_get` instead of aiohttp."""
    start_url, max_pages, timeout, workers = check_arguments(start_url, max_pages, timeout, workers)
    frontier = Frontier(start_url, max_pages)
    await fetch_concurrently(frontier, lambda url: fetch_page_async(url, timeout), workers)
    return frontier.result()


def crawl_streams(start_url, *, max_pages=1000, timeout=5.0, workers=1):
    """Run :func:`crawl_streams_async` in a new event loop."""
    return asyncio.run(crawl_streams_async(start_url, max_pages=max_pages, timeout=timeout, workers=workers))


def crawl_processes(start_url, *, max_pages=1000, timeout=5.0, workers=1):
    """The main process keeps the frontier; a process pool fetches, ``workers`` at a time."""
    start_url, max_pages, timeout, workers = check_arguments(start_url, max_pages, timeout, workers)
    frontier = Frontier(start_url, max_pages)
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=mp_context()) as pool:
        running = {}  # future -> its URL
        while not frontier.finished():
            while len(running) < workers and (url := frontier.next_url()) is not None:
                running[pool.submit(fetch_page, url, timeout)] = url
            done, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                result, links = future.result()
                frontier.record(running.pop(future), result, links)
    return frontier.result()


IMPLEMENTATIONS = {
    "serial": crawl_serial,
    "threads": crawl_threads,
    "asyncio": crawl_asyncio,
    "asyncio-streams": crawl_streams,
    "processes": crawl_processes,
}

crawl = crawl_serial


@contextlib.contextmanager
def benchmark_case(size):
    """Serve a test site of ``size`` pages, 50 ms per answer, while the benchmark crawls it.

    The site runs in a process of its own, like a real server on another
    machine, so the timings are the crawler's alone (see ``site_in_process``).
    """
    size = check_positive_int("size", size)
    with site_in_process(n_pages=size, latency=BENCHMARK_LATENCY) as url:
        yield (url,), {"max_pages": size + 1, "timeout": 5.0}
