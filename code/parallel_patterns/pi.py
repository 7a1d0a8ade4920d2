"""Estimate π by throwing random points at a square.

A point (x, y) drawn uniformly from the unit square lands inside the quarter
circle x² + y² <= 1 with probability π/4, so four times the fraction of points
that land inside is an estimate of π. Every point is independent of every
other: this is the "embarrassingly parallel" workload of the lesson.

Reproducible whatever the number of workers
-------------------------------------------
The samples are split into ``CHUNKS`` chunks, a number fixed here and *not*
derived from ``workers``. Chunk ``i`` draws its points from its own random
stream, ``numpy.random.SeedSequence(seed).spawn(CHUNKS)[i]``. Which worker
counts which chunk, and in which order, cannot change any chunk's count, and
the counts are whole numbers, so their sum is the same however it is split.
Every strategy therefore returns exactly the same float for the same
``n_samples`` and ``seed``, with 1 worker or 8.

All strategies read the same numbers from a chunk's stream: x of a point is the
next double of the stream and y the one after. The Python loop and NumPy ask
the generator for a block of points at a time (``rng.random((size, 2))`` fills
rows, x then y); the compiled loop asks for one number at a time, from the same
generator (numba supports ``numpy.random.Generator`` objects and produces the
same doubles; ``tests/test_pi.py`` checks this). Python, NumPy and numba all do
IEEE double arithmetic, and ``x * x + y * y <= 1.0`` is evaluated in the same
order everywhere (numba does not fuse it into one instruction unless asked to
with ``fastmath``), so every strategy counts exactly the same points.

The strategies
--------------
``serial``      a plain Python loop over every point: slow, and the baseline.
``numpy``       whole blocks of points at a time: the loop runs in C.
``numba``       a loop compiled to machine code by numba, in one thread.
``threads``     the compiled loop, released from the GIL (``nogil=True``), so a
                thread pool runs chunks truly in parallel.
``processes``   the plain Python loop in a ``multiprocessing`` pool: each process
                has its own interpreter and its own GIL.
``futures``     the same with ``concurrent.futures``: submit every chunk, add up
                the counts as they complete.
``dask``        one ``dask.delayed`` task per chunk, counted with NumPy, run by
                dask's threaded scheduler (NumPy releases the GIL).

numba is imported when a numba strategy first runs, not when this module is
imported: every worker process that ``spawn`` starts imports this module, and
importing numba would add about 0.2 s to each one.
"""

import concurrent.futures
import contextlib
import functools

import numpy as np

from parallel_patterns._context import mp_context
from parallel_patterns._validate import check_int, check_positive_int, check_workers

CHUNKS = 64  # fixed, so the result cannot depend on the number of workers
BLOCK = 2**16  # points NumPy draws at a time: bounds memory to 1 MiB per chunk
DEFAULT_SIZE = 24_000_000  # about 2.7 s for the serial strategy
TIMEOUT = 600  # seconds to wait for worker processes: longer means one was lost


def chunk_sizes(n_samples):
    """Split ``n_samples`` into ``CHUNKS`` sizes that differ by at most one."""
    base, extra = divmod(n_samples, CHUNKS)
    return [base + 1 if i < extra else base for i in range(CHUNKS)]


def chunk_seeds(seed):
    """One independent random stream (a ``SeedSequence``) per chunk."""
    return np.random.SeedSequence(seed).spawn(CHUNKS)


def draw_points(rng, n_samples):
    """Yield ``n_samples`` random points as arrays of ``BLOCK`` rows (x, y) or fewer.

    Drawing a block at a time is fast, and a block's rows hold the stream's
    doubles in order: x, y of the first point, x, y of the second, ...
    """
    for start in range(0, n_samples, BLOCK):
        yield rng.random((min(BLOCK, n_samples - start), 2))


def count_chunk_python(seed_sequence, n_samples):
    """Count one chunk's points inside the quarter circle with a Python loop."""
    rng = np.random.default_rng(seed_sequence)
    inside = 0
    for points in draw_points(rng, n_samples):
        xs = points[:, 0].tolist()  # Python floats: the loop below is pure Python
        ys = points[:, 1].tolist()
        for x, y in zip(xs, ys):
            if x * x + y * y <= 1.0:
                inside += 1
    return inside


def count_chunk_numpy(seed_sequence, n_samples):
    """Count one chunk's points with NumPy array operations, a block at a time."""
    rng = np.random.default_rng(seed_sequence)
    inside = 0
    for points in draw_points(rng, n_samples):
        x, y = points[:, 0], points[:, 1]
        inside += int(np.count_nonzero(x * x + y * y <= 1.0))
    return inside


def count_inside(rng, n_samples):
    """Count how many random points fall inside the quarter circle.

    There are ``n_samples`` points. The loop numba compiles: it draws x then y
    one number at a time, which is cheap in machine code and needs no memory
    for blocks. (As Python, each ``rng.random()`` call costs far more than the
    arithmetic, which is why ``count_chunk_python`` draws whole blocks
    instead.)
    """
    inside = 0
    for _ in range(n_samples):
        x = rng.random()
        y = rng.random()
        if x * x + y * y <= 1.0:
            inside += 1
    return inside


@functools.cache
def compiled_count_inside():
    """``count_inside`` compiled by numba (compiled on its first call, then reused).

    ``nogil=True`` lets the compiled code run without holding the GIL, so
    several threads can run it at once.
    """
    import numba  # here, not at the top: see the module docstring

    return numba.njit(nogil=True)(count_inside)


def count_chunk_numba(seed_sequence, n_samples):
    """Count one chunk's points with the compiled loop (it runs without the GIL)."""
    return compiled_count_inside()(np.random.default_rng(seed_sequence), n_samples)


def check_arguments(n_samples, seed, workers):
    """Validate the arguments every strategy takes; return them as ints."""
    return (
        check_positive_int("n_samples", n_samples),
        check_int("seed", seed, minimum=0),
        check_workers(workers),
    )


def estimate(inside, n_samples):
    """π from the number of points inside the quarter circle."""
    return 4.0 * inside / n_samples


def pi_serial(n_samples, *, seed=0, workers=1):
    """Count every chunk, one after the other, with the Python loop."""
    n_samples, seed, workers = check_arguments(n_samples, seed, workers)
    inside = sum(
        count_chunk_python(s, n) for s, n in zip(chunk_seeds(seed), chunk_sizes(n_samples))
    )
    return estimate(inside, n_samples)


def pi_numpy(n_samples, *, seed=0, workers=1):
    """Count every chunk with NumPy, in one thread (``workers`` is ignored)."""
    n_samples, seed, workers = check_arguments(n_samples, seed, workers)
    inside = sum(
        count_chunk_numpy(s, n) for s, n in zip(chunk_seeds(seed), chunk_sizes(n_samples))
    )
    return estimate(inside, n_samples)


def pi_numba(n_samples, *, seed=0, workers=1):
    """Count every chunk with the compiled loop, in one thread (``workers`` is ignored)."""
    n_samples, seed, workers = check_arguments(n_samples, seed, workers)
    inside = sum(
        count_chunk_numba(s, n) for s, n in zip(chunk_seeds(seed), chunk_sizes(n_samples))
    )
    return estimate(inside, n_samples)


def pi_threads(n_samples, *, seed=0, workers=1):
    """Count chunks in a thread pool with the compiled loop.

    It releases the GIL.
    """
    n_samples, seed, workers = check_arguments(n_samples, seed, workers)
    # make the one numba dispatcher here, before the threads start
    compiled_count_inside()
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        counts = pool.map(
            count_chunk_numba, chunk_seeds(seed), chunk_sizes(n_samples)
        )
        inside = sum(counts)
    return estimate(inside, n_samples)


def pi_processes(n_samples, *, seed=0, workers=1):
    """Count chunks in a ``multiprocessing`` pool with the Python loop."""
    n_samples, seed, workers = check_arguments(n_samples, seed, workers)
    with mp_context().Pool(processes=workers) as pool:
        counts = pool.starmap_async(
            count_chunk_python, zip(chunk_seeds(seed), chunk_sizes(n_samples)), chunksize=1
        ).get(timeout=TIMEOUT)
    return estimate(sum(counts), n_samples)


def pi_futures(n_samples, *, seed=0, workers=1):
    """Submit one future per chunk to a process pool; add counts as they complete."""
    n_samples, seed, workers = check_arguments(n_samples, seed, workers)
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=mp_context()) as pool:
        futures = [
            pool.submit(count_chunk_python, s, n)
            for s, n in zip(chunk_seeds(seed), chunk_sizes(n_samples))
        ]
        completed = concurrent.futures.as_completed(futures, timeout=TIMEOUT)
        inside = sum(future.result() for future in completed)
    return estimate(inside, n_samples)


def pi_dask(n_samples, *, seed=0, workers=1):
    """One ``dask.delayed`` task per chunk, counted with NumPy on dask's thread pool."""
    n_samples, seed, workers = check_arguments(n_samples, seed, workers)
    import dask  # imported on use, like numba: worker processes never need it

    counts = [
        dask.delayed(count_chunk_numpy)(s, n)
        for s, n in zip(chunk_seeds(seed), chunk_sizes(n_samples))
    ]
    inside = dask.delayed(sum)(counts)
    (inside,) = dask.compute(inside, scheduler="threads", num_workers=workers)
    return estimate(inside, n_samples)


IMPLEMENTATIONS = {
    "serial": pi_serial,
    "numpy": pi_numpy,
    "numba": pi_numba,
    "threads": pi_threads,
    "processes": pi_processes,
    "futures": pi_futures,
    "dask": pi_dask,
}


@contextlib.contextmanager
def benchmark_case(size):
    """Arguments for one benchmark run: ``size`` samples, seed 0."""
    size = check_positive_int("size", size)
    yield (size,), {"seed": 0}
