"""Small tasks for seeing how process pools behave: tiny ones, slow ones, failing ones.

A pool sends its worker function to other processes by name, so every worker
must live in an importable module (see the episode on threads and processes);
these are the workers of the episode on map and futures. Each one is small on
purpose, so the pool's behaviour is what stands out:

``collatz_steps``       a tiny task (microseconds): thousands of them show what a
                        pool's per-task overhead costs, and how ``chunksize`` cuts it.
``which_worker``        returns the process id that ran it: which worker got which item.
``nap``                 sleeps, then returns a label: a slow task for timeouts,
                        cancellation and results that arrive out of order.
``parse_reading``       turns ``"21.5 C"`` into ``21.5`` and fails on bad text: an
                        exception raised in a worker, to catch in the parent.
``array_total``         the sum of an array that travelled to the worker pickled.
``shared_array_total``  the sum of an array that stayed in shared memory: only its
                        name and shape travelled.
``limit_blas_threads``  a pool's ``initializer``: runs once in every worker as it
                        starts, and caps the threads of NumPy's BLAS library there.
``blas_threads``        reports, from inside a worker, how many threads each BLAS
                        (or OpenMP) library loaded there may use.
"""

import os
import time

from parallel_patterns._validate import check_int, check_positive_number
from parallel_patterns.matmul import attached


def collatz_steps(n):
    """Steps of the Collatz map from ``n`` down to 1.

    The map is n -> n/2 if even, 3n + 1 if odd. A few microseconds of pure
    Python for n below a million, and uneven: 27 takes 111 steps, 32 takes 5.
    (``n`` must be at least 1: from 0 the map never reaches 1, and a worker
    would loop forever.)
    """
    n = check_int("n", n, minimum=1)
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


def which_worker(item):
    """``(item, pid)``: the item, and the process id of the worker that handled it."""
    return item, os.getpid()


def nap(seconds, label=None):
    """Sleep for ``seconds``, then return ``label`` (``seconds`` if no label is given).

    Stands for any slow task: a long computation, a download, a query.
    """
    seconds = check_positive_number("seconds", seconds)
    time.sleep(seconds)
    return seconds if label is None else label


def parse_reading(text):
    """A temperature reading such as ``"21.5 C"``, as the float ``21.5``.

    Raises ``ValueError`` for text that is not a number followed by ``C``:
    ``"21,5 C"`` (a decimal comma) fails in ``float``, the way one bad line of
    a data file makes a task fail in a worker.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    number, _, unit = text.strip().partition(" ")
    if unit != "C":
        raise ValueError(f"a reading ends with ' C', got {text!r}")
    return float(number)


def array_total(array):
    """The sum of ``array``, which reaches a worker pickled: a copy of every byte."""
    return float(array.sum())


def shared_array_total(name, shape):
    """The sum of the float64 array in the shared-memory block ``name``.

    The array has shape ``shape``. Only the name and the shape reach the
    worker; it maps the block that the parent created (``matmul.attached``) and
    reads the numbers where they lie.
    """
    with attached(name, shape) as array:
        total = float(array.sum())
        del array  # a block cannot be closed while an array points into it
    return total


# The limit set by ``limit_blas_threads`` lasts as long as the worker process;
# the object is kept here so that it can be inspected (and undone) if needed.
_blas_limit = None


def limit_blas_threads(n_threads):
    """Cap every BLAS and OpenMP library at ``n_threads`` threads.

    It acts in this process. Meant as a pool's ``initializer``
    (``initargs=(n_threads,)``): each worker runs it once as it starts. Without
    it, every worker's BLAS starts one thread per core, and ``n`` workers doing
    matrix algebra ask for ``n`` times as many threads as there are cores
    (oversubscription). NumPy is imported first, because threadpoolctl can only
    limit the libraries already loaded.
    """
    global _blas_limit
    n_threads = check_int("n_threads", n_threads, minimum=1)
    # loads the BLAS library, so that it can be limited
    import numpy  # noqa: F401
    from threadpoolctl import threadpool_limits

    _blas_limit = threadpool_limits(limits=n_threads)


def blas_threads():
    """``(pid, {library: threads})`` for the BLAS/OpenMP libraries loaded in this process."""
    import numpy  # noqa: F401
    from threadpoolctl import threadpool_info

    return os.getpid(), {info["internal_api"]: info["num_threads"] for info in threadpool_info()}
