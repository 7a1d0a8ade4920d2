"""CPU-bound threads, measured under any Python: with the GIL, or free-threaded.

Since Python 3.13, CPython also comes as a *free-threaded* build (``python3.13t``,
``python3.14t``) with no global interpreter lock, where threads run Python
bytecode on several cores at once. Whether a running interpreter has the GIL
switched off is what ``sys._is_gil_enabled()`` says (the free-threaded build
switches it back on when it imports an extension module that has not declared
itself safe without it).

This module measures the lesson's CPU-bound workload, ``primes``, serially and
in threads, under whichever Python runs it. Run as a script it prints the
measurement as JSON, so the lesson's page can run it under *another*
interpreter, named by the environment variable ``PYTHON_FREETHREADED``::

    PYTHONPATH=code python3.14t -m parallel_patterns.helpers.freethreading --size 6 --workers 2

It imports only the standard library and ``primes`` (which needs nothing
else), so it runs under an interpreter that has none of the lesson's packages.
"""

import argparse
import json
import os
import pathlib
import platform
import sys
import sysconfig
import time

from parallel_patterns._validate import check_positive_int, check_positive_number, check_workers
from parallel_patterns.primes import BENCHMARK_START, IMPLEMENTATIONS, primes_after

FREE_THREADED_ENV = "PYTHON_FREETHREADED"
PACKAGE_PARENT = pathlib.Path(__file__).resolve().parents[2]  # code/: what PYTHONPATH needs


def gil_enabled():
    """True if this interpreter runs with the GIL (always, before Python 3.13)."""
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    return True if is_enabled is None else bool(is_enabled())


def free_threaded_build():
    """True if this interpreter was built free-threaded (``python3.13t`` and later)."""
    return sysconfig.get_config_var("Py_GIL_DISABLED") == 1


def measure(size, *, workers=2, repeats=2):
    """Time ``size`` primes, serially and in ``workers`` threads; return a dict.

    Best of ``repeats`` rounds, serial and threads taking turns, so that a
    burst of load from other programs slows both.
    """
    size, workers = check_positive_int("size", size), check_workers(workers)
    repeats = check_positive_int("repeats", repeats)
    numbers = primes_after(BENCHMARK_START, size)
    serial, threads = IMPLEMENTATIONS["serial"], IMPLEMENTATIONS["threads"]
    best = {"serial": float("inf"), "threads": float("inf")}
    for _ in range(repeats):
        for name, strategy in (("serial", serial), ("threads", threads)):
            start = time.perf_counter()
            result = strategy(numbers, workers=workers)
            best[name] = min(best[name], time.perf_counter() - start)
            assert all(result), f"{name} says a prime is not prime"
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "free_threaded_build": free_threaded_build(),
        "gil_enabled": gil_enabled(),
        "size": size,
        "workers": workers,
        "serial_seconds": best["serial"],
        "threads_seconds": best["threads"],
        "speedup": best["serial"] / best["threads"],
    }


def free_threaded_interpreter():
    """The path in ``PYTHON_FREETHREADED``, or None when it is unset or empty.

    A path that is set but is not an executable file is a mistake worth
    hearing about, so it raises ``ValueError`` instead of being ignored.
    """
    path = os.environ.get(FREE_THREADED_ENV, "").strip()
    if not path:
        return None
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise ValueError(f"{FREE_THREADED_ENV}={path!r} is not an executable file")
    return path


def measure_under(interpreter, size, *, workers=2, repeats=2, timeout=50):
    """Run :func:`measure` under another Python ``interpreter``; return its dict.

    The child finds this package through ``PYTHONPATH``, needs nothing beyond
    the standard library, and is killed if it takes longer than ``timeout``
    seconds (``TimeoutError``). A failure raises ``RuntimeError`` with the
    child's error output.
    """
    from parallel_patterns.helpers.processes import run_python

    size, workers = check_positive_int("size", size), check_workers(workers)
    repeats = check_positive_int("repeats", repeats)
    timeout = check_positive_number("timeout", timeout)
    python_path = os.pathsep.join(
        filter(None, [str(PACKAGE_PARENT), os.environ.get("PYTHONPATH")])
    )
    run = run_python(
        "-m", __name__, "--size", size, "--workers", workers, "--repeats", repeats,
        interpreter=interpreter, env={"PYTHONPATH": python_path}, timeout=timeout,
    )
    if run.timed_out:
        raise TimeoutError(f"{interpreter} took longer than {timeout} s to measure")
    if not run.ok:
        message = f"{interpreter} failed (exit code {run.returncode}):\n{run.stderr}"
        raise RuntimeError(message)
    return json.loads(run.stdout)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Time CPU-bound threads in this Python.")
    parser.add_argument("--size", type=int, default=6, help="how many primes to test")
    parser.add_argument("--workers", type=int, default=2, help="threads")
    parser.add_argument("--repeats", type=int, default=2, help="rounds; the best counts")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.size, workers=args.workers, repeats=args.repeats)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
