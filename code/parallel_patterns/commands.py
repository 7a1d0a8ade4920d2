"""Run a command-line program over many inputs, a bounded number at a time.

Many research tools are programs, not Python functions (an aligner, a
converter, a compiler). Running them in parallel needs no pool of Python
workers: each command is already a process. What it needs is a limit on how
many run at once (so 500 files do not start 500 processes), a timeout for each,
and a clear report of the ones that failed.

``run_commands(commands, *, max_running=2, timeout=60)`` returns one
:class:`CommandResult` per command, in the order given, whichever finished
first. The strategies in ``IMPLEMENTATIONS`` return the same list (timings
apart):

``serial``   ``subprocess.run`` one command after another.
``popen``    at most ``max_running`` ``subprocess.Popen`` at once, polled by
             one loop: the lowest-level way, with no threads at all.
``threads``  a ``ThreadPoolExecutor`` of ``max_running`` threads, each calling
             ``subprocess.run``: the simplest correct way. A thread that waits
             for a child process holds no GIL.
"""

import concurrent.futures
import dataclasses
import subprocess
import time

from parallel_patterns._validate import check_positive_int, check_positive_number

POLL_SECONDS = 0.005  # how often the popen loop looks for finished commands


@dataclasses.dataclass(frozen=True)
class CommandResult:
    """What became of one command. ``returncode`` is None when it timed out and was killed."""

    args: tuple
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float = dataclasses.field(default=0.0, compare=False)

    @property
    def ok(self):
        return self.returncode == 0

    def describe(self):
        """One line: the command and what went wrong (or "ok")."""
        command = " ".join(map(str, self.args))
        if self.returncode is None:
            return f"{command}: timed out and was killed"
        if self.returncode != 0:
            last_line = (self.stderr.strip().splitlines() or ["(nothing on stderr)"])[-1]
            return f"{command}: exit code {self.returncode}: {last_line}"
        return f"{command}: ok"


class CommandsFailed(RuntimeError):
    """Raised by :func:`check_results` with every failed command in its message."""


def check_commands(commands):
    """Return the commands as a list of tuples of strings; reject a bare string."""
    if isinstance(commands, (str, bytes)):
        raise TypeError("commands must be a list of argument lists, not one string")
    checked = []
    for command in commands:
        if isinstance(command, (str, bytes)) or not command:
            raise TypeError(f"each command must be a non-empty list of arguments, got {command!r}")
        checked.append(tuple(map(str, command)))
    return checked


def _finish(args, process, started, timeout):
    """Collect a started process's output, killing it after ``timeout`` seconds."""
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        returncode = process.returncode
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        returncode = None
    return CommandResult(args, returncode, stdout, stderr, time.perf_counter() - started)


def run_one(args, timeout):
    """Run one command with ``subprocess.run``-like behaviour.

    Output captured as text.
    """
    started = time.perf_counter()
    try:
        process = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    except OSError as error:  # the program does not exist or may not run
        return CommandResult(
            args, 127, "", f"{type(error).__name__}: {error}", 0.0
        )
    with process:
        return _finish(args, process, started, timeout)


def run_serial(commands, *, max_running=1, timeout=60.0):
    """One command after another (``max_running`` is ignored)."""
    commands = check_commands(commands)
    check_positive_int("max_running", max_running)
    timeout = check_positive_number("timeout", timeout)
    return [run_one(args, timeout) for args in commands]


def run_threads(commands, *, max_running=2, timeout=60.0):
    """A thread pool of ``max_running`` threads.

    Each thread runs one command at a time.
    """
    commands = check_commands(commands)
    max_running = check_positive_int("max_running", max_running)
    timeout = check_positive_number("timeout", timeout)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max_running) as pool:
        return list(pool.map(lambda args: run_one(args, timeout), commands))


def run_popen(commands, *, max_running=2, timeout=60.0):
    """At most ``max_running`` processes at once.

    Started and polled by this thread alone. Output goes to temporary files
    rather than pipes: a child that writes more than a pipe holds (64 KiB)
    would block until someone reads it, and this loop reads only at the end.
    """
    import tempfile

    commands = check_commands(commands)
    max_running = check_positive_int("max_running", max_running)
    timeout = check_positive_number("timeout", timeout)
    results = [None] * len(commands)
    waiting = list(enumerate(commands))[::-1]  # pop() takes the first command
    running = {}  # index -> (process, started, stdout file, stderr file)
    try:
        while waiting or running:
            while waiting and len(running) < max_running:
                index, args = waiting.pop()
                out, err = (
                    tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
                )
                started = time.perf_counter()
                try:
                    process = subprocess.Popen(
                        args, stdout=out, stderr=err, text=True
                    )
                except OSError as error:
                    out.close(), err.close()
                    results[index] = CommandResult(
                        args, 127, "", f"{type(error).__name__}: {error}", 0.0
                    )
                    continue
                running[index] = (process, started, out, err)
            for index, (process, started, out, err) in list(running.items()):
                returncode = process.poll()
                if (
                    returncode is None
                    and time.perf_counter() - started > timeout
                ):
                    process.kill()
                    process.wait()
                elif returncode is None:
                    continue
                out.seek(0), err.seek(0)
                results[index] = CommandResult(
                    commands[index], returncode, out.read(), err.read(),
                    time.perf_counter() - started,
                )
                out.close(), err.close()
                del running[index]
            time.sleep(POLL_SECONDS)
    finally:  # an exception (Ctrl-C) must not leave children running
        for process, _, out, err in running.values():
            process.kill()
            process.wait()
            out.close(), err.close()
    return results


def check_results(results):
    """Raise :class:`CommandsFailed` listing every command that did not exit with 0."""
    failed = [result.describe() for result in results if not result.ok]
    if failed:
        raise CommandsFailed(f"{len(failed)} of {len(results)} commands failed:\n" + "\n".join(failed))
    return results


IMPLEMENTATIONS = {"serial": run_serial, "popen": run_popen, "threads": run_threads}

run_commands = run_popen
