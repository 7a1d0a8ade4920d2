"""A parameter sweep: run one model at many parameter values, and collect one number each.

The model is the *logistic map* ``x -> r x (1 - x)``, a one-line population
model that is orderly for some growth rates ``r`` and chaotic for others. Its
*Lyapunov exponent* (:func:`lyapunov`) tells which: below zero, nearby
populations converge (order); above zero, they drift apart (chaos). Computing
it takes a loop of ``n_steps`` iterations in pure Python, so every point of the
sweep costs the same CPU time and holds the GIL all along: a sweep is the
textbook job for a pool of processes.

``sweep(rs, *, n_steps=1000, workers=1)`` returns the list of exponents, one
per value of ``rs``, in the order given.

The strategies
--------------
``serial``     one point after another.
``threads``    the same chunks in a pool of threads. The model is pure Python
               and holds the GIL, so the threads take turns: here to be
               measured, not used.
``processes``  the points cut into chunks (four per worker, as ``Pool.map``
               would), the chunks mapped over a ``ProcessPoolExecutor``.
``dask``       the same chunks as ``dask.delayed`` tasks, computed by dask's
               processes scheduler on a pool we start (and stop) ourselves, so
               the start method is the package's.
``snakemake``  the same chunks as files, one Snakemake job each, in a fresh
               temporary directory (the workflow ``code/workflows/sweep``).
               Every job is a new Python process, and the results travel
               through files written with ``repr``, which reads back as the
               same float.

All of them run the same function on the same chunks, so they return the same
floats, bit for bit.
"""

import concurrent.futures
import contextlib
import math
import pathlib
import tempfile

from parallel_patterns._context import mp_context
from parallel_patterns._validate import check_positive_int, check_workers

TRANSIENT = 100  # steps run before measuring, so the start value is forgotten
DEFAULT_SIZE = 3000  # points in the benchmark's sweep
BENCHMARK_STEPS = 1000  # steps per point in the benchmark: about 0.2 ms each here
TIMEOUT = 600  # seconds to wait for a sweep's results before giving up


def lyapunov(r, n_steps=BENCHMARK_STEPS):
    """The Lyapunov exponent of the logistic map at growth rate ``r``.

    Here 0 < r <= 4. The mean of ``log |r (1 - 2x)|`` (the map's slope) along
    ``n_steps`` iterations, after ``TRANSIENT`` steps from ``x = 0.4``.
    """
    x = 0.4
    for _ in range(TRANSIENT):
        x = r * x * (1 - x)
    total = 0.0
    for _ in range(n_steps):
        x = r * x * (1 - x)
        # a slope of exactly 0 would be log(0)
        total += math.log(abs(r - 2 * r * x) or 1e-300)
    return total / n_steps


def sweep_chunk(rs, n_steps):
    """The exponents of a list of growth rates: one task of the parallel strategies."""
    return [lyapunov(r, n_steps) for r in rs]


def check_arguments(rs, n_steps, workers):
    """Validate what every strategy takes; return ``rs`` as a list of floats."""
    try:
        rs = [float(r) for r in rs]
    except TypeError:
        raise TypeError(f"rs must be a sequence of numbers, got {type(rs).__name__}") from None
    except ValueError as error:
        raise TypeError(f"rs must hold numbers only: {error}") from None
    bad = [r for r in rs if not 0 < r <= 4]
    if bad:
        raise ValueError(f"every growth rate must be in (0, 4], got {bad[:3]}")
    return rs, check_positive_int("n_steps", n_steps), check_workers(workers)


def chunks(rs, workers):
    """``rs`` cut into about four contiguous chunks per worker."""
    size = max(1, math.ceil(len(rs) / (4 * workers)))
    return [rs[i : i + size] for i in range(0, len(rs), size)]


def sweep_serial(rs, *, n_steps=BENCHMARK_STEPS, workers=1):
    """One point after another (``workers`` is ignored)."""
    rs, n_steps, workers = check_arguments(rs, n_steps, workers)
    return sweep_chunk(rs, n_steps)


def sweep_threads(rs, *, n_steps=BENCHMARK_STEPS, workers=1):
    """Chunks of points mapped over a pool of ``workers`` threads (which share one GIL)."""
    rs, n_steps, workers = check_arguments(rs, n_steps, workers)
    parts = chunks(rs, workers)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        results = pool.map(sweep_chunk, parts, [n_steps] * len(parts), timeout=TIMEOUT)
        return [value for part in results for value in part]


def sweep_processes(rs, *, n_steps=BENCHMARK_STEPS, workers=1):
    """Chunks of points mapped over a pool of ``workers`` processes."""
    rs, n_steps, workers = check_arguments(rs, n_steps, workers)
    parts = chunks(rs, workers)
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=mp_context()) as pool:
        results = pool.map(sweep_chunk, parts, [n_steps] * len(parts), timeout=TIMEOUT)
        return [value for part in results for value in part]


def sweep_dask(rs, *, n_steps=BENCHMARK_STEPS, workers=1):
    """The same chunks as ``dask.delayed`` tasks on dask's processes scheduler.
    """
    rs, n_steps, workers = check_arguments(rs, n_steps, workers)
    import dask  # imported on use: worker processes never need it

    tasks = [
        dask.delayed(sweep_chunk)(part, n_steps)
        for part in chunks(rs, workers)
    ]
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=mp_context()
    ) as pool:
        results = dask.compute(*tasks, scheduler="processes", pool=pool)
    return [value for part in results for value in part]


def sweep_snakemake(rs, *, n_steps=BENCHMARK_STEPS, workers=1):
    """The same chunks as files, one job each of the workflow ``sweep``, run by Snakemake on ``workers`` cores."""
    rs, n_steps, workers = check_arguments(rs, n_steps, workers)
    if not rs:
        return []
    from parallel_patterns.helpers import workflows  # imported on use: the other strategies never need it

    with tempfile.TemporaryDirectory(prefix="sweep-snakemake-") as directory:
        write_chunk_files(directory, chunks(rs, workers))
        workflows.copy_workflow("sweep", directory)
        workflows.snakemake(directory, "--cores", str(workers), "--config", f"n_steps={n_steps}", timeout=TIMEOUT)
        lines = pathlib.Path(directory, "results", "exponents.txt").read_text().split()
    return [float(line) for line in lines]


def write_chunk_files(directory, parts):
    """Write ``chunks/0000.txt``, ``chunks/0001.txt``, ...: one growth rate per line, with ``repr``."""
    folder = pathlib.Path(directory, "chunks")
    folder.mkdir(parents=True, exist_ok=True)
    for number, part in enumerate(parts):
        (folder / f"{number:04d}.txt").write_text("".join(f"{r!r}\n" for r in part))


IMPLEMENTATIONS = {
    "serial": sweep_serial,
    "threads": sweep_threads,
    "processes": sweep_processes,
    "dask": sweep_dask,
    "snakemake": sweep_snakemake,
}

sweep = sweep_serial


def growth_rates(n_points, low=2.8, high=4.0):
    """``n_points`` evenly spaced growth rates from ``low`` to ``high``, both included."""
    n_points = check_positive_int("n_points", n_points)
    if not 0 < low < high <= 4:
        raise ValueError(f"need 0 < low < high <= 4, got low={low!r}, high={high!r}")
    if n_points == 1:
        return [low]
    return [low + (high - low) * i / (n_points - 1) for i in range(n_points)]


@contextlib.contextmanager
def benchmark_case(size):
    """A sweep over ``size`` growth rates from 2.8 to 4, ``BENCHMARK_STEPS`` steps each."""
    size = check_positive_int("size", size)
    yield (growth_rates(size),), {"n_steps": BENCHMARK_STEPS}
