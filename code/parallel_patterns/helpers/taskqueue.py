"""Start and stop a real Redis server and Celery workers on 127.0.0.1, for the task-queue episode and its tests.

Both are context managers, so they stop on every path out of a ``with``
block, error or not::

    with redis_server() as url, celery_worker(url, name="first") as worker:
        ...                               # url is redis://127.0.0.1:<free port>/0

Nothing is left running when the process that started them dies either (a
notebook kernel that is killed runs no ``finally``): every server is started in
a process group of its own, beside a tiny *watchdog* process that holds the
read end of a pipe from us. When we exit, however we exit, the operating
system closes our end, the watchdog reads end-of-file and kills the whole group
(the Celery worker and its pool processes, or Redis) with SIGKILL.

Redis runs without persistence (no RDB snapshots, no append-only file) in a
temporary directory, on a port the operating system said was free.
"""

import contextlib
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

from parallel_patterns._validate import check_positive_number

HOST = "127.0.0.1"
START_TIMEOUT = 60.0  # seconds a server gets to become ready


class ServerError(RuntimeError):
    """A server did not start, or stopped unexpectedly; the message holds its log's last lines."""


def free_port():
    """A TCP port on 127.0.0.1 that nobody listened on a moment ago."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def check_redis_url(url):
    """Return ``url`` if it is a redis:// URL with a host and port; raise ValueError otherwise."""
    if not isinstance(url, str):
        raise TypeError(f"the broker URL must be a string, got {type(url).__name__}")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "redis" or not parts.hostname:
        raise ValueError(f"the broker URL must look like redis://127.0.0.1:6379/0, got {url!r}")
    return url


def ping_redis(url, timeout=2.0):
    """Raise ConnectionError quickly, with the URL in the message, if no Redis answers at ``url``."""
    import redis

    check_redis_url(url)
    check_positive_number("timeout", timeout)
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        raise ConnectionError(f"no Redis server answers at {url}: {error}") from None
    finally:
        client.close()


def _log_tail(path, lines=15):
    try:
        return "\n".join(pathlib.Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@contextlib.contextmanager
def guarded_process(command, *, log_path, env=None, cwd=None):
    """Run ``command`` in a new process group that dies with us; yield its Popen.

    On exit the group gets SIGTERM, then SIGKILL after 5 s. A watchdog
    process kills the group if this process dies first.
    """
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env, cwd=cwd, start_new_session=True,
        )
    watchdog = subprocess.Popen(
        [sys.executable, "-m", "parallel_patterns.helpers.taskqueue", "--watch", str(process.pid)],
        stdin=subprocess.PIPE, start_new_session=True,
    )
    try:
        yield process
    finally:
        kill_group(process)
        watchdog.stdin.close()  # the watchdog reads end-of-file, kills the (empty) group and exits
        watchdog.wait(timeout=10)


def kill_group(process, grace=5.0):
    """SIGTERM a process's group, SIGKILL it after ``grace`` seconds; reap the leader."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        break
    with contextlib.suppress(ProcessLookupError):  # pool children the leader left behind
        os.killpg(process.pid, signal.SIGKILL)


def watch(group):
    """The watchdog: wait for end-of-file on stdin (our parent died or let go), then kill ``group``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C in the terminal is for the parent
    while sys.stdin.buffer.read(1024):
        pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)


@contextlib.contextmanager
def redis_server(*, port=None, redis_binary="redis-server"):
    """Start ``redis-server`` on 127.0.0.1 without persistence; yield its URL (database 0)."""
    executable = shutil.which(redis_binary)
    if executable is None:
        raise ServerError(f"{redis_binary} is not installed (Debian: apt-get install redis-server; conda: redis-server)")
    port = free_port() if port is None else port
    with tempfile.TemporaryDirectory(prefix="lesson-redis-") as directory:
        log = os.path.join(directory, "redis.log")
        command = [
            executable, "--bind", HOST, "--port", str(port), "--dir", directory,
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes",
        ]
        url = f"redis://{HOST}:{port}/0"
        with guarded_process(command, log_path=log, cwd=directory) as process:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                if process.poll() is not None:
                    raise ServerError(f"redis-server exited with code {process.returncode}:\n{_log_tail(log)}")
                try:
                    ping_redis(url, timeout=0.5)
                    break
                except ConnectionError:
                    if time.monotonic() > deadline:
                        raise ServerError(f"redis-server did not answer within {START_TIMEOUT} s:\n{_log_tail(log)}")
                    time.sleep(0.05)
            yield url


class Worker:
    """A running Celery worker: its process, name, log file and start-up time."""

    def __init__(self, process, name, log_path, startup_seconds):
        self.process = process
        self.name = name
        self.log_path = log_path
        self.startup_seconds = startup_seconds

    @property
    def pid(self):
        return self.process.pid

    def log(self, lines=20):
        """The last lines of the worker's log."""
        return _log_tail(self.log_path, lines)

    def kill(self):
        """SIGKILL the worker and its pool processes at once, as a crash or a power cut would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@contextlib.contextmanager
def celery_worker(broker_url, *, app="parallel_patterns.helpers.celery_tasks", name="worker", concurrency=2, pool="prefork"):
    """Start ``celery -A app worker`` as a separate process; yield a :class:`Worker` once it is ready.

    The broker and result backend URL reach the worker through the
    environment (``LESSON_BROKER_URL``). Start-up is done when the worker logs
    ``ready.``, after it has connected to Redis.
    """
    check_redis_url(broker_url)
    ping_redis(broker_url)
    env = {**os.environ, "LESSON_BROKER_URL": broker_url, "PYTHONUNBUFFERED": "1"}
    with tempfile.TemporaryDirectory(prefix="lesson-celery-") as directory:
        log = os.path.join(directory, f"{name}.log")
        command = [
            sys.executable, "-m", "celery", "-A", app, "worker", "--concurrency", str(concurrency),
            "--pool", pool, "--loglevel", "info", "--hostname", f"{name}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]
        started = time.perf_counter()
        with guarded_process(command, log_path=log, env=env, cwd=directory) as process:
            deadline = time.monotonic() + START_TIMEOUT
            while " ready." not in pathlib.Path(log).read_text(errors="replace"):
                if process.poll() is not None:
                    raise ServerError(f"the Celery worker exited with code {process.returncode}:\n{_log_tail(log)}")
                if time.monotonic() > deadline:
                    raise ServerError(f"the Celery worker was not ready within {START_TIMEOUT} s:\n{_log_tail(log)}")
                time.sleep(0.05)
            yield Worker(process, name, log, time.perf_counter() - started)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--watch":
        watch(int(sys.argv[2]))
    else:
        sys.exit("usage: python -m parallel_patterns.helpers.taskqueue --watch PROCESS_GROUP")
