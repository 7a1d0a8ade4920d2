"""A dask cluster made of separate programs: one scheduler, several workers.

On a real cluster nobody calls ``LocalCluster``: an administrator or a batch
job runs the command ``dask scheduler`` on one machine and ``dask worker`` on
others, and they find each other through an address, often written to a
*scheduler file* on a shared file system. :class:`SchedulerAndWorkers` does
exactly that on one machine, so a notebook can show the real thing:

* every program listens on 127.0.0.1 only, on a port the operating system
  picks (``--port 0``), so it neither clashes with other programs nor is
  reachable from the network; the dashboards are off, and the small web
  server every dask program keeps for health checks also listens on
  127.0.0.1 (without ``--dashboard-address`` it would take port 8787 on
  every network interface);
* each program runs in a session of its own, so stopping it also stops the
  worker process that a worker's *nanny* starts;
* the programs are stopped when the ``with`` block ends, on error too, and at
  the latest when the Python process that started them exits (``atexit``);
  and should that process be killed without running ``atexit`` (a notebook
  kernel shut down after a failed cell can be), a small watchdog process,
  which holds the read end of a pipe from it, sees the pipe close and stops
  the programs;
* their output goes to log files in a temporary directory, which
  :meth:`SchedulerAndWorkers.log` returns, because logs are where a cluster
  says what it did.
"""

import atexit
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import weakref

from parallel_patterns._validate import check_positive_int, check_positive_number

HOST = "127.0.0.1"

# The watchdog: reads process-group ids, one a line, until "done" (a normal
# close: nothing to do) or the end of the pipe (its parent died: stop them all).
_WATCHDOG = """
import os, signal, sys, time
groups = []
for line in sys.stdin:
    if line.strip() == "done":
        sys.exit(0)
    groups.append(int(line))
for signum, pause in ((signal.SIGTERM, 5), (signal.SIGKILL, 0)):
    for group in groups:
        try:
            os.killpg(group, signum)
        except OSError:
            pass
    time.sleep(pause)
"""


def config_to_env(config):
    """Environment variables that set dask ``config`` keys in another program.

    dask reads ``DASK_`` variables at import, with ``__`` between levels, so
    ``{"distributed.scheduler.allowed-failures": 1}`` becomes
    ``DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=1``.
    """
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict of dask config keys, got {type(config).__name__}")
    env = {}
    for key, value in config.items():
        if not isinstance(key, str) or not key or " " in key:
            raise ValueError(f"not a dask config key: {key!r}")
        name = "DASK_" + "__".join(part.upper().replace("-", "_") for part in key.split("."))
        env[name] = repr(value) if not isinstance(value, str) else value
    return env


def scheduler_command(scheduler_file):
    """The command line that starts the scheduler."""
    return [
        sys.executable, "-m", "distributed.cli.dask_scheduler",
        "--host", HOST, "--port", "0", "--no-dashboard", "--dashboard-address", f"{HOST}:0",
        "--scheduler-file", str(scheduler_file),
    ]


def worker_command(scheduler_file, *, name, nthreads=1, memory_limit="0", nanny=True,
                   local_directory=None):
    """The command line that starts one worker (and its nanny)."""
    extra = ["--local-directory", str(local_directory)] if local_directory else []
    return [
        sys.executable, "-m", "distributed.cli.dask_worker",
        "--scheduler-file", str(scheduler_file),
        "--host", HOST, "--no-dashboard", "--dashboard-address", f"{HOST}:0",
        "--nthreads", str(nthreads), "--memory-limit", str(memory_limit),
        "--name", name, "--death-timeout", "20s",
        "--nanny" if nanny else "--no-nanny",
        *extra,
    ]


class SchedulerAndWorkers:
    """Start ``dask scheduler`` and ``n_workers`` ``dask worker`` programs on 127.0.0.1.

    Use it as a context manager::

        with SchedulerAndWorkers(n_workers=2) as cluster:
            client = Client(cluster.address)

    or call :meth:`start` and :meth:`close` (a notebook cannot keep a ``with``
    block open across cells). ``config`` holds dask settings for all the
    programs, for example ``{"distributed.scheduler.allowed-failures": 1}``.
    ``timeout`` (seconds) bounds the wait for the scheduler and the workers.
    """

    def __init__(self, n_workers=2, *, threads_per_worker=1, memory_limit="0",
                 nanny=True, config=None, timeout=60):
        self.n_workers = check_positive_int("n_workers", n_workers)
        self.threads_per_worker = check_positive_int("threads_per_worker", threads_per_worker)
        self.timeout = check_positive_number("timeout", timeout)
        self.memory_limit = str(memory_limit)
        self.nanny = bool(nanny)
        self.env = {**os.environ, **config_to_env(config or {})}
        self.directory = None
        self.address = None
        self._processes = {}  # name -> Popen
        self._logs = {}
        self._finalizer = None
        self._watchdog = None

    # -------------------------------------------------------------- start
    @property
    def scheduler_file(self):
        return os.path.join(self.directory, "scheduler.json") if self.directory else None

    def start(self):
        """Start the programs and wait until every worker has joined the scheduler."""
        if self.directory is not None:
            raise RuntimeError("this cluster has been started already")
        self.directory = tempfile.mkdtemp(prefix="dask-cluster-")
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG], stdin=subprocess.PIPE, text=True,
            start_new_session=True,
        )
        self._finalizer = weakref.finalize(
            self, _stop, self._processes, self.directory, self._watchdog
        )
        atexit.register(self._finalizer)
        try:
            self._launch("scheduler", scheduler_command(self.scheduler_file))
            deadline = time.monotonic() + self.timeout
            self.address = self._wait_for_scheduler_file(deadline)
            for i in range(self.n_workers):
                command = worker_command(
                    self.scheduler_file, name=f"worker-{i}", nthreads=self.threads_per_worker,
                    memory_limit=self.memory_limit, nanny=self.nanny,
                    local_directory=self.directory,
                )
                self._launch(f"worker-{i}", command)
            self._wait_for_workers(deadline)
        except BaseException:
            self.close()
            raise
        return self

    def _launch(self, name, command):
        log = open(os.path.join(self.directory, f"{name}.log"), "w+b")
        self._logs[name] = log.name
        try:
            self._processes[name] = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=self.env, start_new_session=True,
            )
            self._watchdog.stdin.write(f"{self._processes[name].pid}\n")
            self._watchdog.stdin.flush()
        finally:
            log.close()  # the child has its own copy of the file descriptor

    def _check_alive(self):
        for name, process in self._processes.items():
            if process.poll() is not None:
                raise RuntimeError(
                    f"dask {name} exited with code {process.returncode}; "
                    f"the end of its log:\n{self.log(name)[-2000:]}"
                )

    def _wait_for_scheduler_file(self, deadline):
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                with open(self.scheduler_file, encoding="utf-8") as file:
                    return json.load(file)["address"]
            except (FileNotFoundError, json.JSONDecodeError, KeyError):
                time.sleep(0.05)
        raise TimeoutError(f"the dask scheduler did not start within {self.timeout} s")

    def _wait_for_workers(self, deadline):
        from distributed import Client

        with Client(self.address, timeout=max(1, deadline - time.monotonic())) as client:
            while len(client.scheduler_info(n_workers=-1)["workers"]) < self.n_workers:
                self._check_alive()
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"only {len(client.scheduler_info(n_workers=-1)['workers'])} of "
                        f"{self.n_workers} dask workers joined within {self.timeout} s"
                    )
                time.sleep(0.05)

    # -------------------------------------------------------------- use
    def pids(self):
        """The process ids of the programs we started, by name (nannies, for workers)."""
        return {name: process.pid for name, process in self._processes.items()}

    def log(self, name):
        """What the program ``name`` (``"scheduler"``, ``"worker-0"``, ...) has logged so far."""
        if name not in self._logs:
            raise ValueError(f"no program called {name!r}; there are {sorted(self._logs)}")
        with open(self._logs[name], encoding="utf-8", errors="replace") as file:
            return file.read()

    # -------------------------------------------------------------- stop
    def close(self):
        """Stop every program (SIGTERM, then SIGKILL after 10 s) and remove the directory."""
        if self._finalizer is not None:
            self._finalizer()
            atexit.unregister(self._finalizer)

    @property
    def running(self):
        return any(process.poll() is None for process in self._processes.values())

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.close()


def _stop(processes, directory, watchdog, grace=10):
    """Stop the programs' whole sessions: workers first, then the scheduler."""
    order = sorted(processes, key=lambda name: name == "scheduler")
    for names in ([n for n in order if n != "scheduler"], ["scheduler"]):
        for name in names:
            if name in processes:
                _signal_session(processes[name], signal.SIGTERM)
        deadline = time.monotonic() + grace
        for name in names:
            if name not in processes:
                continue
            try:
                processes[name].wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            # The nanny's worker process is in the same session: make sure it is gone.
            _signal_session(processes[name], signal.SIGKILL)
            processes[name].wait()
    with contextlib.suppress(OSError):
        watchdog.stdin.write("done\n")
        watchdog.stdin.close()
    try:
        watchdog.wait(10)
    except subprocess.TimeoutExpired:
        watchdog.kill()
        watchdog.wait()
    shutil.rmtree(directory, ignore_errors=True)


def _signal_session(process, signum):
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)  # start_new_session: the group id is the pid
