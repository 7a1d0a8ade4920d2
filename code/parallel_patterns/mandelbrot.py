"""The Mandelbrot set: an image where every pixel is an independent computation.

Pixel (i, j) stands for the complex number c = x[j] + i·y[i], where ``x`` and
``y`` are evenly spaced over ``bounds = (xmin, xmax, ymin, ymax)``
(``numpy.linspace``). Starting from z = 0 we repeat z = z² + c for
n = 0, 1, 2, ...; the pixel's value is the first n after whose update |z| > 2,
or ``max_iter`` if that never happens. Points inside the set never escape
and cost ``max_iter`` iterations; points far outside escape at once. So the
work is uneven across the image, which is what makes splitting it interesting:
a worker given the middle rows has more to do than one given the top rows.

One arithmetic, the same everywhere
-----------------------------------
Floating-point results depend on the order of operations, and a difference in
the last bit can move an escape by one iteration. Every strategy therefore
does the same operations in the same order on the real and imaginary parts as
floats (never Python's or NumPy's complex type)::

    zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
    escaped = zr * zr + zi * zi > 4.0

which Python, NumPy and numba (without ``fastmath``) all evaluate with the
same IEEE double operations, so every strategy returns the same array, bit
for bit.

The strategies
--------------
``serial``          a Python loop over every pixel (``escape_count``).
``numpy``           all pixels at once as arrays, dropping pixels as they escape.
``numba``           ``escape_count`` compiled by numba, one thread.
``numba_parallel``  the same loop with ``prange`` over rows: numba's threads
                    share the rows out among themselves.
``processes_rows``  a process pool computes rows (in tasks of ``ROWS_PER_TASK`` rows).
``processes_tiles`` a process pool computes square tiles of ``TILE`` pixels a side.
``futures``         bands of rows submitted to a ``ProcessPoolExecutor``, placed in
                    the image as they complete (``as_completed``).
``dask``            a ``dask.array`` of c values in bands of rows, each band
                    computed by the NumPy kernel on dask's thread pool.

numba is imported when a numba strategy first runs, not when this module is
imported: every worker process that ``spawn`` starts imports this module, and
importing numba would add about 0.2 s to each one.
"""

import concurrent.futures
import contextlib
import functools
import math
import numbers

import numpy as np

from parallel_patterns._context import mp_context
from parallel_patterns._validate import check_positive_int, check_workers

DEFAULT_BOUNDS = (-2.0, 1.0, -1.5, 1.5)
COUNT_DTYPE = np.int64
ROWS_PER_TASK = 4  # rows in one task of processes_rows and futures
TILE = 32  # side of a tile, in pixels, for processes_tiles
DASK_ROWS = 32  # rows in one chunk of the dask array
DEFAULT_SIZE = 650  # a 650 x 650 image: about 2 s for the serial strategy
TIMEOUT = 600  # seconds to wait for worker processes: longer means one was lost


def check_bounds(bounds):
    """Return ``bounds`` as 4 finite floats (xmin, xmax, ymin, ymax), or raise."""
    try:
        values = tuple(bounds)
    except TypeError:
        raise TypeError(
            f"bounds must be 4 numbers (xmin, xmax, ymin, ymax), got {bounds!r}"
        ) from None
    if len(values) != 4:
        raise ValueError(f"bounds must be 4 numbers (xmin, xmax, ymin, ymax), got {bounds!r}")
    for index, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"bounds[{index}] must be a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"bounds[{index}] must be finite, got {value!r}")
    xmin, xmax, ymin, ymax = map(float, values)
    if not xmin < xmax:
        raise ValueError(f"bounds: xmin must be < xmax, got xmin={xmin}, xmax={xmax}")
    if not ymin < ymax:
        raise ValueError(f"bounds: ymin must be < ymax, got ymin={ymin}, ymax={ymax}")
    return xmin, xmax, ymin, ymax


def prepare(width, height, max_iter, bounds, workers):
    """Validate the arguments every strategy takes; return the pixel coordinates.

    Returns ``(xs, ys, max_iter, workers)`` with ``xs`` and ``ys`` the
    ``numpy.linspace`` coordinates of the columns and rows.
    """
    width = check_positive_int("width", width)
    height = check_positive_int("height", height)
    max_iter = check_positive_int("max_iter", max_iter)
    xmin, xmax, ymin, ymax = check_bounds(bounds)
    workers = check_workers(workers)
    return np.linspace(xmin, xmax, width), np.linspace(ymin, ymax, height), max_iter, workers


def escape_count(cr, ci, max_iter):
    """Iterations of z = z² + c, from z = 0, before |z| > 2 (``max_iter`` if never)."""
    zr = zi = 0.0
    for n in range(max_iter):
        zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
        if zr * zr + zi * zi > 4.0:
            return n
    return max_iter


def escape_counts_row(xs, y, max_iter):
    """Escape counts of one row of pixels, as a list."""
    return [escape_count(x, y, max_iter) for x in xs]


def escape_counts_block(xs, ys, max_iter):
    """Escape counts of the rows ``ys`` by columns ``xs``, as a list of rows."""
    return [escape_counts_row(xs, y, max_iter) for y in ys]


def escape_counts_numpy(cr, ci, max_iter):
    """Escape counts of an array of points c = cr + i·ci, with NumPy.

    Each step updates only the points that have not escaped yet: ``index``
    remembers where they belong in the result.
    """
    counts = np.full(cr.shape, max_iter, dtype=COUNT_DTYPE)
    flat_counts = counts.reshape(-1)  # a view: writing to it fills counts
    cr, ci = cr.ravel(), ci.ravel()
    index = np.arange(cr.size)
    zr = np.zeros_like(cr)
    zi = np.zeros_like(ci)
    # huge c overflows; it escapes at once
    with np.errstate(over="ignore", invalid="ignore"):
        for n in range(max_iter):
            zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
            escaped = zr * zr + zi * zi > 4.0
            flat_counts[index[escaped]] = n
            remaining = ~escaped
            index, cr, ci = index[remaining], cr[remaining], ci[remaining]
            zr, zi = zr[remaining], zi[remaining]
            if index.size == 0:
                break
    return counts


@functools.cache
def compiled_kernels():
    """Compile ``escape_count`` and a loop over the image with numba, on first use.

    Returns ``(fill, fill_parallel)``: the same loop compiled twice. Without
    ``parallel=True``, ``prange`` is an ordinary ``range``; with it, numba
    splits the rows among its threads. Each fills ``out[i, j]`` for the rows
    ``ys`` and columns ``xs``.
    """
    import numba  # here, not at the top: see the module docstring

    compiled_escape_count = numba.njit(escape_count)

    def fill(xs, ys, max_iter, out):
        for i in numba.prange(ys.shape[0]):
            for j in range(xs.shape[0]):
                out[i, j] = compiled_escape_count(xs[j], ys[i], max_iter)

    return numba.njit(fill), numba.njit(parallel=True)(fill)


def bands(length, size):
    """``(start, stop)`` of consecutive bands of ``size`` that cover ``range(length)``."""
    return [(start, min(start + size, length)) for start in range(0, length, size)]


def mandelbrot_serial(width, height, *, max_iter=256, bounds=DEFAULT_BOUNDS, workers=1):
    """Every pixel in turn, in Python."""
    xs, ys, max_iter, workers = prepare(width, height, max_iter, bounds, workers)
    counts = escape_counts_block(xs.tolist(), ys.tolist(), max_iter)
    return np.array(counts, dtype=COUNT_DTYPE)


def mandelbrot_numpy(width, height, *, max_iter=256, bounds=DEFAULT_BOUNDS, workers=1):
    """All pixels at once, as NumPy arrays (one thread; ``workers`` is ignored)."""
    xs, ys, max_iter, workers = prepare(width, height, max_iter, bounds, workers)
    cr, ci = np.meshgrid(xs, ys)  # shape (height, width): cr[i, j] = xs[j], ci[i, j] = ys[i]
    return escape_counts_numpy(cr, ci, max_iter)


def mandelbrot_numba(width, height, *, max_iter=256, bounds=DEFAULT_BOUNDS, workers=1):
    """Every pixel in turn, compiled by numba (one thread; ``workers`` is ignored)."""
    xs, ys, max_iter, workers = prepare(width, height, max_iter, bounds, workers)
    fill, _ = compiled_kernels()
    counts = np.empty((height, width), dtype=COUNT_DTYPE)
    fill(xs, ys, max_iter, counts)
    return counts


def mandelbrot_numba_parallel(
    width, height, *, max_iter=256, bounds=DEFAULT_BOUNDS, workers=1
):
    """Rows shared among ``workers`` numba threads with ``prange``.

    numba starts at most ``numba.config.NUMBA_NUM_THREADS`` threads (by
    default, one per core), so asking for more workers than that uses them all.
    """
    xs, ys, max_iter, workers = prepare(width, height, max_iter, bounds, workers)
    import numba

    _, fill_parallel = compiled_kernels()
    counts = np.empty((height, width), dtype=COUNT_DTYPE)
    previous = numba.get_num_threads()
    numba.set_num_threads(min(workers, numba.config.NUMBA_NUM_THREADS))
    try:
        fill_parallel(xs, ys, max_iter, counts)
    finally:
        numba.set_num_threads(previous)
    return counts


def mandelbrot_processes_rows(
    width, height, *, max_iter=256, bounds=DEFAULT_BOUNDS, workers=1
):
    """Rows computed by a process pool, ``ROWS_PER_TASK`` rows per task."""
    xs, ys, max_iter, workers = prepare(width, height, max_iter, bounds, workers)
    xs = xs.tolist()
    with mp_context().Pool(processes=workers) as pool:
        tasks = [(xs, y, max_iter) for y in ys.tolist()]
        pending = pool.starmap_async(
            escape_counts_row, tasks, chunksize=ROWS_PER_TASK
        )
        rows = pending.get(timeout=TIMEOUT)
    return np.array(rows, dtype=COUNT_DTYPE)


def mandelbrot_processes_tiles(
    width, height, *, max_iter=256, bounds=DEFAULT_BOUNDS, workers=1
):
    """Square tiles of ``TILE`` pixels a side computed by a process pool."""
    xs, ys, max_iter, workers = prepare(width, height, max_iter, bounds, workers)
    tiles = [
        (rows, columns) for rows in bands(height, TILE) for columns in bands(width, TILE)
    ]
    tasks = [
        (xs[c0:c1].tolist(), ys[r0:r1].tolist(), max_iter) for (r0, r1), (c0, c1) in tiles
    ]
    with mp_context().Pool(processes=workers) as pool:
        pending = pool.starmap_async(escape_counts_block, tasks, chunksize=1)
        blocks = pending.get(timeout=TIMEOUT)
    counts = np.empty((height, width), dtype=COUNT_DTYPE)
    for ((r0, r1), (c0, c1)), block in zip(tiles, blocks):
        counts[r0:r1, c0:c1] = block
    return counts


def mandelbrot_futures(
    width, height, *, max_iter=256, bounds=DEFAULT_BOUNDS, workers=1
):
    """Bands of rows submitted to a process pool, placed as each one completes.
    """
    xs, ys, max_iter, workers = prepare(
        width, height, max_iter, bounds, workers
    )
    xs = xs.tolist()
    counts = np.empty((height, width), dtype=COUNT_DTYPE)
    with concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=mp_context()
    ) as pool:
        first_row = {
            pool.submit(
                escape_counts_block, xs, ys[start:stop].tolist(), max_iter
            ): start
            for start, stop in bands(height, ROWS_PER_TASK)
        }
        for future in concurrent.futures.as_completed(
            first_row, timeout=TIMEOUT
        ):
            band = future.result()
            start = first_row[future]
            counts[start : start + len(band)] = band
    return counts


def mandelbrot_dask(width, height, *, max_iter=256, bounds=DEFAULT_BOUNDS, workers=1):
    """A ``dask.array`` in bands of ``DASK_ROWS`` rows, each computed with NumPy.

    ``map_blocks`` applies ``escape_counts_numpy`` to each band; dask's
    threaded scheduler runs bands in parallel while NumPy releases the GIL.
    """
    xs, ys, max_iter, workers = prepare(width, height, max_iter, bounds, workers)
    import dask
    import dask.array as da

    cr, ci = np.meshgrid(xs, ys)
    chunks = (DASK_ROWS, width)
    counts = da.map_blocks(
        escape_counts_numpy,
        da.from_array(cr, chunks=chunks),
        da.from_array(ci, chunks=chunks),
        max_iter=max_iter,
        dtype=COUNT_DTYPE,
        meta=np.empty((0, 0), dtype=COUNT_DTYPE),
    )
    (counts,) = dask.compute(counts, scheduler="threads", num_workers=workers)
    return counts


IMPLEMENTATIONS = {
    "serial": mandelbrot_serial,
    "numpy": mandelbrot_numpy,
    "numba": mandelbrot_numba,
    "numba_parallel": mandelbrot_numba_parallel,
    "processes_rows": mandelbrot_processes_rows,
    "processes_tiles": mandelbrot_processes_tiles,
    "futures": mandelbrot_futures,
    "dask": mandelbrot_dask,
}


@contextlib.contextmanager
def benchmark_case(size):
    """Arguments for one benchmark run: a ``size`` x ``size`` image of the whole set."""
    size = check_positive_int("size", size)
    yield (size, size), {"max_iter": 256, "bounds": DEFAULT_BOUNDS}
