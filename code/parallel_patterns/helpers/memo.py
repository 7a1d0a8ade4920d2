"""Small functions for the memoization episode: caches live in one process.

``functools.cache`` keeps its answers in a dictionary inside the process that
called the function. A process pool's workers are other processes: each has
its own copy of the cache, empty when the worker starts, and the parent's
cache never sees what they computed. :func:`cached_probe` makes that
visible: it calls a cached function and reports which process it ran in and
what that process's cache holds.
"""

import functools
import os
import time

from parallel_patterns._validate import check_int, check_nonnegative_number

SLOW_SECONDS = 0.05


@functools.cache
def slow_square(n):
    """``n * n`` after a nap of ``SLOW_SECONDS``.

    A stand-in for an expensive pure function.
    """
    check_int("n", n)
    time.sleep(SLOW_SECONDS)
    return n * n


def cached_probe(n):
    """Call ``slow_square(n)`` here.

    Return ``(process id, result, hits, misses)`` of this process's cache.
    """
    result = slow_square(n)
    info = slow_square.cache_info()
    return os.getpid(), result, info.hits, info.misses


def timed_square(n, seconds=SLOW_SECONDS):
    """``n * n`` after sleeping ``seconds``: the uncached function for ``joblib.Memory`` to cache."""
    check_int("n", n)
    time.sleep(check_nonnegative_number("seconds", seconds))
    return n * n
