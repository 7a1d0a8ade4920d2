"""What threads can and cannot speed up: small workloads and a fair stopwatch.

CPython's global interpreter lock (the GIL) lets only one thread at a time run
Python bytecode. A thread gives the GIL up when it waits (sleeping, reading a
file, waiting for the network) and when it calls C code that releases it on
purpose (NumPy's array loops, hashlib on large buffers, numba functions
compiled with ``nogil=True``). So threads speed up work that waits or that runs
in such C code, and do not speed up work done in Python bytecode.

Each workload below is a function of one input, so the same inputs can be
mapped over serially (:func:`run_serial`) or by a thread pool
(:func:`run_in_threads`), and :func:`time_strategies` times them fairly.
"""

import concurrent.futures
import contextlib
import functools
import hashlib
import os
import tempfile
import time

from parallel_patterns._validate import check_positive_int, check_positive_number, check_workers

# ---------------------------------------------------------------- running and timing


def run_serial(task, inputs):
    """``[task(x) for x in inputs]``: the baseline, in the calling thread."""
    return [task(x) for x in inputs]


def run_in_threads(task, inputs, *, workers):
    """``task`` over ``inputs`` in a pool of ``workers`` threads.

    Returns the results in order.
    """
    workers = check_workers(workers)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(task, inputs))


def time_strategies(strategies, *args, repeats=3, **kwargs):
    """The best wall time of each ``strategy(*args, **kwargs)``: a dict name -> seconds.

    ``strategies`` maps a name to a callable. The strategies run in turn,
    ``repeats`` rounds of each, so that a burst of load from other programs
    slows all of them rather than one; the *fastest* round of each counts,
    because noise only ever adds time. All strategies must return the same
    result, or ``AssertionError`` says which differed: a fast wrong answer is
    not a speedup.
    """
    if not isinstance(strategies, dict) or not strategies:
        raise TypeError("strategies must be a non-empty dict of name -> callable")
    repeats = check_positive_int("repeats", repeats)
    best = {name: float("inf") for name in strategies}
    results = {}
    for _ in range(repeats):
        for name, strategy in strategies.items():
            start = time.perf_counter()
            results[name] = strategy(*args, **kwargs)
            best[name] = min(best[name], time.perf_counter() - start)
    reference_name, reference = next(iter(results.items()))
    for name, result in results.items():
        assert same_result(result, reference), (
            f"{name!r} returned a different result from {reference_name!r}"
        )
    return best


def same_result(a, b):
    """True if two results are equal; NumPy arrays (also in lists) compare elementwise."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_result(x, y) for x, y in zip(a, b))
    if hasattr(a, "shape") or hasattr(b, "shape"):
        import numpy as np

        return bool(np.array_equal(a, b))
    return bool(a == b)


# ---------------------------------------------------------------- workloads


def wait(seconds):
    """Sleep for ``seconds``: a stand-in for waiting on a disk, a network or a user.

    A sleeping thread holds no GIL, so other threads run meanwhile.
    """
    seconds = check_positive_number("seconds", seconds)
    time.sleep(seconds)
    return seconds


def checksum(path, *, block_size=2**20):
    """The SHA-256 of a file, read ``block_size`` bytes at a time.

    Reading a file releases the GIL while the operating system copies the
    bytes, and hashlib releases it while it hashes a buffer of more than 2 KiB,
    so several threads can checksum several files at once.
    """
    block_size = check_positive_int("block_size", block_size)
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(block_size):
            digest.update(block)
    return digest.hexdigest()


def write_random_files(directory, count, megabytes):
    """Write ``count`` files of ``megabytes`` MiB of random bytes; return their paths."""
    import numpy as np

    count = check_positive_int("count", count)
    megabytes = check_positive_int("megabytes", megabytes)
    paths = []
    for i in range(count):
        path = os.path.join(directory, f"data-{i:03d}.bin")
        with open(path, "wb") as file:
            file.write(np.random.default_rng(i).bytes(megabytes * 2**20))
        paths.append(path)
    return paths


@contextlib.contextmanager
def temporary_files(count, megabytes):
    """``count`` random files of ``megabytes`` MiB each, in a directory removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="parallel-patterns-") as directory:
        yield write_random_files(directory, count, megabytes)


def sine_sum(values):
    """``sum(sin(x))`` over a NumPy array, computed by NumPy.

    The loop over the elements runs in NumPy's C code, which releases the GIL,
    so threads working on different parts of one array run in parallel.
    """
    import numpy as np

    return float(np.sin(values).sum())


@functools.cache
def compiled_is_prime(*, nogil):
    """``primes.is_prime`` compiled by numba, with or without ``nogil``.

    With ``nogil=False`` the compiled code keeps the GIL while it runs, like
    Python bytecode; with ``nogil=True`` it lets go, and threads run it in
    parallel. The machine code is otherwise the same.
    """
    import numba  # imported on use: importing numba takes a fraction of a second

    from parallel_patterns.primes import is_prime

    compiled = numba.njit(nogil=bool(nogil))(is_prime)
    compiled(7)  # compile now, so that no timing includes the compilation
    return compiled
