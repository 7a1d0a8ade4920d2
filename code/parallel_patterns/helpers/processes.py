"""Processes by hand: starting them, timing the start methods, and a queue pipeline.

A process has its own interpreter, its own memory and its own GIL, so
processes compute in parallel where threads cannot. The price is that they
share nothing: arguments, results and the function to run travel between them
*pickled*, through pipes. Under the ``spawn`` and ``forkserver`` start methods a
function is pickled by *name* (module and qualified name) and the new process
imports it again, which is why workers must live in an importable module, not
in a notebook or an unguarded script.

The pipeline here is the classic producer/consumer: a producer process puts
numbers on a task queue, consumer processes take them off, test them for
primality and put the answers on a result queue. One *sentinel* per consumer at
the end of the task queue tells each consumer that there is no more work.
"""

import dataclasses
import multiprocessing
import os
import queue
import re
import signal
import subprocess
import sys
import time

from parallel_patterns._context import mp_context
from parallel_patterns._validate import check_positive_int, check_positive_number, check_workers
from parallel_patterns.primes import check_numbers, is_prime

SENTINEL = None  # "no more work": the producer puts one per consumer on the task queue

# ---------------------------------------------------------------- start methods


def do_nothing():
    """The target of a process that only has to start and stop."""


def time_process_start(method, *, repeats=5, timeout=30):
    """Seconds to start a process with ``method``, run :func:`do_nothing` and join it.

    Returns one time per repeat. With ``forkserver`` the first start also starts
    the fork server (once per parent process), so the first time is the slowest.
    """
    if method not in multiprocessing.get_all_start_methods():
        methods = multiprocessing.get_all_start_methods()
        raise ValueError(f"method must be one of {methods}, got {method!r}")
    repeats = check_positive_int("repeats", repeats)
    timeout = check_positive_number("timeout", timeout)
    context = multiprocessing.get_context(method)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        process = context.Process(target=do_nothing)
        process.start()
        process.join(timeout)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise TimeoutError(f"a {method} process did not finish within {timeout} s")
        times.append(time.perf_counter() - start)
    return times


# ---------------------------------------------------------------- producer, consumers


def produce(numbers, tasks, consumers):
    """Put each number on ``tasks``, then one sentinel per consumer."""
    for n in numbers:
        tasks.put(n)
    for _ in range(consumers):
        tasks.put(SENTINEL)


def consume(tasks, results):
    """Take ``n`` from ``tasks``, put ``(n, is_prime(n))``.

    Repeat until a sentinel comes.
    """
    while (n := tasks.get()) is not SENTINEL:
        results.put((n, is_prime(n)))


def primes_pipeline(numbers, *, workers=2, timeout=60):
    """Which ``numbers`` are prime.

    It uses one producer and ``workers`` consumer processes. Returns a list of
    bools in the order of ``numbers``, like
    ``primes.IMPLEMENTATIONS["serial"]``. Results arrive in the order the
    consumers finish them, so each carries its number. The parent takes every
    result off the queue *before* it joins the processes: a process that has
    put data on a queue does not exit until that data has been read.
    """
    numbers, workers = check_numbers(numbers), check_workers(workers)
    timeout = check_positive_number("timeout", timeout)
    context = mp_context()
    tasks, results = context.Queue(), context.Queue()
    producer = context.Process(target=produce, args=(numbers, tasks, workers))
    consumers = [
        context.Process(target=consume, args=(tasks, results))
        for _ in range(workers)
    ]
    processes = [producer, *consumers]
    for process in processes:
        process.start()
    try:
        answers = {}
        for _ in numbers:
            try:
                n, prime = results.get(timeout=timeout)
            except queue.Empty:
                message = f"no result within {timeout} s; is a consumer dead?"
                raise TimeoutError(message) from None
            answers[n] = prime
        for process in processes:
            process.join(timeout)
    finally:
        # only after an error or a timeout is any still alive
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()
    return [answers[n] for n in numbers]


# ---------------------------------------------------------------- Python in a subprocess


@dataclasses.dataclass(frozen=True)
class RunResult:
    """What a Python subprocess did: its exit code and output, or that it timed out."""

    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool

    @property
    def ok(self):
        return self.returncode == 0 and not self.timed_out

    def errors(self):
        """The exceptions in stderr, one line each (``SomeError: message``), no repeats.

        A traceback ends with the exception's name and message; when the
        message starts on the next line, its first paragraph is joined on.
        """
        pattern = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Pool|Interrupt)\b:?(.*)$")
        lines = self.stderr.splitlines()
        found = []
        for index, line in enumerate(lines):
            match = pattern.match(line)
            if not match:
                continue
            if not match.group(2).strip():  # the message starts on the next lines
                message = []
                for following in lines[index + 1 :]:
                    if not following.strip():
                        if message:
                            break
                        continue
                    message.append(following.strip())
                line = line.rstrip() + " " + " ".join(message)
            if line not in found:
                found.append(line)
        return found


def run_python(*arguments, timeout=60, interpreter=None, env=None):
    """Run ``interpreter arguments...`` (by default this Python); return a RunResult.

    For demonstrations that may fail or hang: the child runs in a new session,
    and if it is still running after ``timeout`` seconds the whole session
    (the child and any processes it started) is killed, and the result says
    ``timed_out``. ``env`` entries are added to this process's environment.
    """
    timeout = check_positive_number("timeout", timeout)
    command = [interpreter or sys.executable, *map(str, arguments)]
    environment = {**os.environ, **(env or {})}
    new_session = {"start_new_session": True} if os.name == "posix" else {}
    child = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        **new_session,
    )
    try:
        stdout, stderr = child.communicate(timeout=timeout)
        return RunResult(child.returncode, stdout, stderr, timed_out=False)
    except subprocess.TimeoutExpired:
        if os.name == "posix":
            os.killpg(child.pid, signal.SIGKILL)  # the child and everything it started
        else:
            child.kill()
        stdout, stderr = child.communicate()
        return RunResult(None, stdout, stderr, timed_out=True)
