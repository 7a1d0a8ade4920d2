"""Plain Python functions for the numba episode to compile, and the tools to time them.

Most functions here are *ordinary Python*. The episode compiles them itself,
``numba.njit(total_steps)``, ``numba.njit(nogil=True)(total_steps)``,
``numba.vectorize(...)(collatz_steps)``, so the options show where they are
used, and the compiled function can be compared with the Python function it
came from (same arguments, same result, only faster).

The running example is the Collatz rule: halve an even number, replace an odd
number ``n`` by ``3n + 1``, and count the steps until 1 is reached. It is a
loop whose length depends on the data, with a branch inside: slow in Python,
awkward in NumPy (every number needs a different number of steps), and just
what a compiler does well. Summing the steps of many numbers is embarrassingly
parallel.

Also here: a thread runner for functions compiled with ``nogil=True``
(:func:`in_threads`), a way to set numba's thread count for a block
(:func:`numba_threads`), timers that warm compiled code up before timing it and
let rival versions take turns (:func:`best_time`, :func:`best_times`), π by Monte Carlo with a ``prange`` loop
(:func:`pi_prange`, the same estimate as every strategy of
:mod:`parallel_patterns.pi`), loops an optimising compiler removes
(:func:`sum_of_odd_numbers`, :func:`roots_discarded`), and a command that times a
function's first call in a fresh process, to show what ``cache=True`` saves
(``python -m parallel_patterns.helpers.numba_examples``, :func:`first_call_in_new_process`).

numba is imported at the top: this module is for the numba episode, and no
process pool ever imports it.
"""

import concurrent.futures
import contextlib
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numba
import numpy as np
from numba.extending import register_jitable

from parallel_patterns import pi
from parallel_patterns._validate import check_int, check_positive_int, check_positive_number, check_workers

# --- The running example: Collatz steps ---------------------------------------


@register_jitable  # a plain function in Python; compiled code may call it
def collatz_steps(n):
    """Steps the Collatz rule takes to bring ``n`` down to 1 (0 for ``n`` <= 1).

    A scalar function: ``numba.vectorize`` turns it into a NumPy ufunc.
    ``register_jitable`` leaves it a plain Python function but lets functions
    that numba compiles call it (numba compiles it into them).
    """
    steps = 0
    while n > 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


def total_steps(start, stop):
    """Sum of ``collatz_steps(n)`` for every ``n`` in ``range(start, stop)``.

    Plain Python as written; the episode compiles it with ``numba.njit``.
    ``start`` must be at least 1 (numba compiles the check and the ``raise``).
    """
    if start < 1:
        raise ValueError("start must be >= 1")
    total = 0
    for n in range(start, stop):
        total += collatz_steps(n)
    return total


def total_steps_prange(start, stop):
    """:func:`total_steps` with ``prange``: compiled with ``parallel=True``, its
    iterations are shared out among numba's threads, and ``total += ...``
    becomes a reduction (each thread sums its own part, then the parts are
    added).

    In plain Python ``numba.prange`` is just ``range``.
    """
    if start < 1:
        raise ValueError("start must be >= 1")
    total = 0
    for n in numba.prange(start, stop):
        total += collatz_steps(n)
    return total


# --- Threads: splitting a range, running pieces in a pool ---------------------


def split_range(start, stop, parts):
    """Split ``range(start, stop)`` into ``parts`` contiguous ``(start, stop)`` pairs.

    Their lengths differ by at most one; together they cover the range exactly once.
    """
    start = check_int("start", start)
    stop = check_int("stop", stop, minimum=start)
    parts = check_positive_int("parts", parts)
    base, extra = divmod(stop - start, parts)
    pieces = []
    for i in range(parts):
        size = base + (1 if i < extra else 0)
        pieces.append((start, start + size))
        start += size
    return pieces


def in_threads(func, start, stop, *, workers, parts=None, timeout=60):
    """Sum ``func(a, b)`` over pieces of ``range(start, stop)``.

    A thread pool runs the pieces. ``func`` is meant to be compiled with
    ``numba.njit(nogil=True)``: it then runs without the GIL and the threads
    really work at the same time. With the GIL held (plain ``njit``, or plain
    Python) they take turns. The range is cut into ``parts`` pieces (default
    ``4 * workers``) so that a slow piece does not leave the other threads idle
    at the end.
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    workers = check_workers(workers)
    parts = 4 * workers if parts is None else check_positive_int("parts", parts)
    timeout = check_positive_number("timeout", timeout)
    pieces = split_range(start, stop, parts)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(func, a, b) for a, b in pieces]
        return sum(future.result(timeout=timeout) for future in futures)


@contextlib.contextmanager
def numba_threads(n):
    """Run numba's parallel code (``prange``, ufuncs) on ``n`` threads.

    It holds in the block. ``numba.set_num_threads`` can lower the number of
    threads numba uses, down from ``numba.config.NUMBA_NUM_THREADS`` (the
    cores, unless the environment variable ``NUMBA_NUM_THREADS`` says
    otherwise), never raise it. The setting belongs to the calling thread; the
    old value comes back on leaving the block.
    """
    n = check_workers(n)
    most = numba.config.NUMBA_NUM_THREADS
    if n > most:
        raise ValueError(
            f"workers must be <= {most}, numba's thread count "
            "(set NUMBA_NUM_THREADS before numba is imported to change it), "
            f"got {n}"
        )
    before = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        yield n
    finally:
        numba.set_num_threads(before)


def best_time(func, *args, repeat=3, warmup=True, **kwargs):
    """The shortest wall time, in seconds, of ``repeat`` calls of ``func(*args, **kwargs)``.

    With ``warmup`` (the default) one untimed call comes first, so that a
    numba function is compiled before the clock starts. The minimum, not the
    mean: other programs can only make a run slower, never faster.
    """
    repeat = check_positive_int("repeat", repeat)
    if warmup:
        func(*args, **kwargs)
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        func(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best


def best_times(calls, *, repeat=3, warmup=True):
    """The shortest wall time of each of several ``calls`` (name -> function of no arguments).

    The calls take turns: one round runs each once, and there are ``repeat``
    rounds. A burst of load from other programs then slows all of them alike,
    instead of spoiling the one that happened to be running, so their ratios
    (speedups) are fair. ``warmup`` runs each once, untimed, first.
    """
    if not isinstance(calls, dict) or not calls or not all(callable(c) for c in calls.values()):
        raise TypeError("calls must be a non-empty dict from names to functions of no arguments")
    repeat = check_positive_int("repeat", repeat)
    if warmup:
        for call in calls.values():
            call()
    best = dict.fromkeys(calls, math.inf)
    for _ in range(repeat):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


# --- A generalised ufunc ------------------------------------------------------


def count_inside_row(xs, ys, out):
    """Count the points ``(xs[i], ys[i])`` inside the quarter circle.

    The count goes into ``out[0]``. The kernel of a generalised ufunc with
    layout ``(n),(n)->()``: it sees one row of ``n`` points and writes one
    number. ``numba.guvectorize`` makes it loop over all the rows of 2-D (or
    higher) arrays.
    """
    inside = 0
    for i in range(xs.shape[0]):
        if xs[i] * xs[i] + ys[i] * ys[i] <= 1.0:
            inside += 1
    out[0] = inside


# --- π with prange: the same estimate as parallel_patterns.pi ------------------


count_inside_compiled = pi.compiled_count_inside()  # the loop pi's numba strategies compile


def count_inside_chunks(rngs, sizes):
    """Total points inside the quarter circle over every chunk: chunk ``i`` draws
    ``sizes[i]`` points from generator ``rngs[i]``.

    Compiled with ``parallel=True`` (:data:`count_inside_chunks_parallel`), the
    chunks are shared out among numba's threads and the ``+=`` is a reduction.
    Each chunk has its own generator and is counted by one thread from start to
    end, so the total does not depend on how many threads there are.
    """
    inside = 0
    for i in numba.prange(len(sizes)):
        # prange counts with unsigned ints; a typed list wants signed
        rng = rngs[np.int64(i)]
        inside += count_inside_compiled(rng, sizes[i])
    return inside


count_inside_chunks_parallel = numba.njit(parallel=True)(count_inside_chunks)  # compiled on first call


def pi_prange(n_samples, *, seed=0, workers=1):
    """π by Monte Carlo: a ``prange`` loop counts the chunks on ``workers`` threads.

    Same chunks, same random streams and so exactly the same float as every
    strategy in :mod:`parallel_patterns.pi`. The generators travel to numba in
    a typed list (``numba.typed.List``), the container numba compiles code for.
    """
    n_samples, seed, workers = pi.check_arguments(n_samples, seed, workers)
    rngs = numba.typed.List(
        [np.random.default_rng(s) for s in pi.chunk_seeds(seed)]
    )
    sizes = np.array(pi.chunk_sizes(n_samples), dtype=np.int64)
    with numba_threads(workers):
        inside = count_inside_chunks_parallel(rngs, sizes)
    return pi.estimate(int(inside), n_samples)


# --- Loops a compiler removes ---------------------------------------------------
# The challenge "the loop that ran in 100 ns" shows these three to learners, so
# their docstrings say what they compute and not what the compiler does to them.
# Compiled by numba, sum_of_odd_numbers takes the same time for any n: LLVM
# recognises the sum of a polynomial in the loop counter and replaces the loop
# by its closed form (n**2). roots_discarded also takes no time: its sum is
# never returned, so nothing depends on the loop and LLVM deletes it as dead
# code (a square root has no side effects). Only sum_of_roots really runs.


def sum_of_odd_numbers(n):
    """The sum of the first ``n`` odd numbers, ``1 + 3 + 5 + ... + (2n - 1)``."""
    total = 0
    for i in range(n):
        total += 2 * i + 1
    return total


def roots_discarded(xs):
    """Add up the square roots of ``xs`` (and forget to return the sum)."""
    total = 0.0
    for x in xs:
        total += math.sqrt(x)


def sum_of_roots(xs):
    """The sum of the square roots of ``xs``."""
    total = 0.0
    for x in xs:
        total += math.sqrt(x)
    return total


# --- cache=True: timing a first call in a fresh process -----------------------

CACHE_DEMO_STOP = 20_000  # the cached demo sums Collatz steps of range(1, CACHE_DEMO_STOP)


def time_first_call():
    """Compile ``total_steps_prange`` with ``cache=True``.

    Then time its first call. Run in a fresh process
    (``python -m parallel_patterns.helpers.numba_examples``), the first call
    compiles, or, if an earlier process left the compiled code in the cache
    directory, loads it. Returns a dict that can be dumped as JSON.
    """
    cached = numba.njit(cache=True, parallel=True)(total_steps_prange)
    start = time.perf_counter()
    result = cached(1, CACHE_DEMO_STOP)
    first = time.perf_counter() - start
    start = time.perf_counter()
    cached(1, CACHE_DEMO_STOP)
    second = time.perf_counter() - start
    return {
        "first_call_seconds": first,
        "second_call_seconds": second,
        "result": result,
        "cache_dir": numba.config.CACHE_DIR,
    }


def first_call_in_new_process(cache_dir, *, timeout=60):
    """Run :func:`time_first_call` in a new Python process whose numba caches in ``cache_dir``.

    ``NUMBA_CACHE_DIR`` tells numba where to write (and look for) compiled
    code, instead of the ``__pycache__`` folder next to the source file. The
    process is killed if it runs longer than ``timeout`` seconds.
    """
    cache_dir = Path(cache_dir)
    if not cache_dir.is_dir():
        raise ValueError(f"cache_dir must be an existing directory, got {str(cache_dir)!r}")
    timeout = check_positive_number("timeout", timeout)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache_dir)}
    completed = subprocess.run(
        [sys.executable, "-m", "parallel_patterns.helpers.numba_examples"],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return json.loads(completed.stdout)


def cache_files(cache_dir):
    """The files numba wrote under ``cache_dir``: ``{relative path: size in bytes}``."""
    cache_dir = Path(cache_dir)
    return {
        path.relative_to(cache_dir).as_posix(): path.stat().st_size
        for path in sorted(cache_dir.rglob("*"))
        if path.is_file()
    }


def main():
    print(json.dumps(time_first_call()))


if __name__ == "__main__":
    main()
