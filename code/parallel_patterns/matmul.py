"""Matrix multiplication: a @ b, from a triple loop to shared memory.

Row i of the product needs row i of ``a`` and all of ``b``, and no other row of
the product, so the rows can be computed by different workers. The catch is
data: each worker needs all of ``b``. Threads share the process's memory for
free; processes would have to receive a copy of every matrix, unless the
matrices live in shared memory that every process maps (``processes``).

NumPy's ``a @ b`` calls an optimized BLAS library that is hard to beat: it
blocks the loops for the CPU caches, uses vector instructions, and usually
starts its own threads. That makes this case study a lesson in *not*
parallelizing by hand: the parallel strategies below only rarely beat plain
``numpy``, and running them with several workers while BLAS also starts a
thread per core oversubscribes the machine.

Inputs are 2-D NumPy arrays of floats (any float dtype); every strategy
computes in float64 and returns a float64 array equal to ``a @ b`` up to
rounding (the strategies add the products in different orders).

The strategies
--------------
``serial``     a pure Python triple loop over lists.
``numpy``      ``a @ b``.
``threads``    a thread pool, one band of rows of ``a`` per thread, each band
               multiplied by NumPy (which releases the GIL while it computes).
``processes``  a process pool, one band of rows per process, with ``a``, ``b``
               and the result in ``multiprocessing.shared_memory`` blocks: no
               matrix is copied between processes.
``numba``      a triple loop compiled by numba, rows shared among its threads
               with ``prange``.
``dask``       ``dask.array`` blocks of rows of ``a``, multiplied on dask's
               thread pool.

numba is imported when the numba strategy first runs, not when this module is
imported: every worker process that ``spawn`` starts imports this module, and
importing numba would add about 0.2 s to each one.
"""

import concurrent.futures
import contextlib
import functools
from multiprocessing.shared_memory import SharedMemory

import numpy as np

from parallel_patterns._context import mp_context
from parallel_patterns._validate import check_positive_int, check_workers

DEFAULT_SIZE = 400  # 400 x 400 matrices: about 4 s for the serial strategy
TIMEOUT = 600  # seconds to wait for worker processes: longer means one was lost


def check_matrix(name, matrix):
    """Return ``matrix`` as a C-ordered float64 array if it is a 2-D float array."""
    if not isinstance(matrix, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array, got {type(matrix).__name__}")
    if not np.issubdtype(matrix.dtype, np.floating):
        raise TypeError(
            f"{name} must be an array of floats, got dtype {matrix.dtype} "
            f"(convert it with {name}.astype(float))"
        )
    if matrix.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got {matrix.ndim}-D with shape {matrix.shape}")
    if 0 in matrix.shape:
        raise ValueError(
            f"{name} must have at least one row and one column, got shape {matrix.shape}"
        )
    return np.ascontiguousarray(matrix, dtype=np.float64)


def check_operands(a, b, workers):
    """Validate the arguments every strategy takes."""
    a, b = check_matrix("a", a), check_matrix("b", b)
    if a.shape[1] != b.shape[0]:
        raise ValueError(
            f"shapes do not match: a is {a.shape[0]} x {a.shape[1]}, so b needs "
            f"{a.shape[1]} rows, but b is {b.shape[0]} x {b.shape[1]}"
        )
    return a, b, check_workers(workers)


def row_bands(n_rows, n_bands):
    """Split ``range(n_rows)`` into ``n_bands`` (or fewer) ``(start, stop)`` bands."""
    n_bands = min(n_bands, n_rows)
    edges = [n_rows * k // n_bands for k in range(n_bands + 1)]
    return list(zip(edges[:-1], edges[1:]))


def matmul_serial(a, b, *, workers=1):
    """The textbook triple loop, in pure Python on lists of floats."""
    a, b, workers = check_operands(a, b, workers)
    rows, inner = a.shape
    columns = b.shape[1]
    a_rows, b_rows = a.tolist(), b.tolist()
    product = [[0.0] * columns for _ in range(rows)]
    for i in range(rows):
        for j in range(columns):
            total = 0.0
            for k in range(inner):
                total += a_rows[i][k] * b_rows[k][j]
            product[i][j] = total
    return np.array(product, dtype=np.float64)


def matmul_numpy(a, b, *, workers=1):
    """NumPy's ``@`` (BLAS decides how many threads to use; ``workers`` is ignored)."""
    a, b, workers = check_operands(a, b, workers)
    return a @ b


def multiply_band(a, b, out, start, stop):
    """Write rows ``start:stop`` of ``a @ b`` into the same rows of ``out``."""
    np.matmul(a[start:stop], b, out=out[start:stop])


def matmul_threads(a, b, *, workers=1):
    """Bands of rows multiplied by NumPy in a thread pool, written into one result."""
    a, b, workers = check_operands(a, b, workers)
    out = np.empty((a.shape[0], b.shape[1]))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(multiply_band, a, b, out, start, stop)
            for start, stop in row_bands(a.shape[0], workers)
        ]
        for future in futures:
            future.result()  # re-raises an exception from the thread, if any
    return out


@contextlib.contextmanager
def shared_block(nbytes):
    """A new shared-memory block of ``nbytes`` bytes, closed and unlinked on exit.

    On Linux and macOS a block lives on (on Linux as a file in ``/dev/shm``)
    until it is unlinked: ``unlink`` frees it once every process has closed it.
    Python's resource tracker (a helper process) unlinks blocks a program forgot
    when it ends, with a warning; only if the tracker dies too does a block stay
    until the machine restarts. On Windows the system frees a
    block when the last process that has it open closes it; ``unlink`` does nothing.
    """
    block = SharedMemory(create=True, size=nbytes)
    try:
        yield block
    finally:
        try:
            block.close()
        finally:
            block.unlink()


@contextlib.contextmanager
def attached(name, shape):
    """The float64 array of ``shape`` held in the existing shared block ``name``.

    The caller must drop its reference to the array before the ``with`` ends:
    a block cannot be closed while an array still points into it.
    """
    block = SharedMemory(name=name)
    try:
        yield np.ndarray(shape, dtype=np.float64, buffer=block.buf)
    finally:
        try:
            block.close()
        except BufferError:
            # Only after an error, while its traceback still holds the array.
            # The operating system unmaps the block when the process exits.
            pass


def multiply_band_shared(a_name, a_shape, b_name, b_shape, out_name, start, stop):
    """In a worker process: rows ``start:stop`` of a @ b, all in shared memory."""
    out_shape = (a_shape[0], b_shape[1])
    with (
        attached(a_name, a_shape) as a,
        attached(b_name, b_shape) as b,
        attached(out_name, out_shape) as out,
    ):
        multiply_band(a, b, out, start, stop)
        del a, b, out  # see attached()


def matmul_processes(a, b, *, workers=1):
    """Bands of rows in a process pool.

    ``a``, ``b`` and the result live in shared memory. Only the blocks' names,
    the shapes and each band's rows travel to the workers; each worker maps the
    same memory and writes its rows of the result.
    """
    a, b, workers = check_operands(a, b, workers)
    out_shape = (a.shape[0], b.shape[1])
    with (
        shared_block(a.nbytes) as a_block,
        shared_block(b.nbytes) as b_block,
        shared_block(8 * out_shape[0] * out_shape[1]) as out_block,
    ):
        np.ndarray(a.shape, dtype=np.float64, buffer=a_block.buf)[:] = a
        np.ndarray(b.shape, dtype=np.float64, buffer=b_block.buf)[:] = b
        tasks = [
            (
                a_block.name, a.shape, b_block.name, b.shape,
                out_block.name, start, stop,
            )
            for start, stop in row_bands(a.shape[0], workers)
        ]
        with mp_context().Pool(processes=workers) as pool:
            pool.starmap_async(multiply_band_shared, tasks).get(timeout=TIMEOUT)
        return np.ndarray(
            out_shape, dtype=np.float64, buffer=out_block.buf
        ).copy()


@functools.cache
def compiled_multiply():
    """A triple loop compiled by numba, rows shared among threads with ``prange``.

    The loops run i, k, j rather than i, j, k: the innermost loop then walks
    along rows of ``b`` and ``out``, which lie next to each other in memory.
    """
    import numba  # here, not at the top: see the module docstring

    @numba.njit(parallel=True)
    def multiply(a, b, out):
        for i in numba.prange(a.shape[0]):
            for j in range(b.shape[1]):
                out[i, j] = 0.0
            for k in range(a.shape[1]):
                a_ik = a[i, k]
                for j in range(b.shape[1]):
                    out[i, j] += a_ik * b[k, j]

    return multiply


def matmul_numba(a, b, *, workers=1):
    """The compiled loop on ``workers`` numba threads.

    numba starts at most ``numba.config.NUMBA_NUM_THREADS`` threads (by
    default, one per core), so asking for more workers than that uses them all.
    """
    a, b, workers = check_operands(a, b, workers)
    import numba

    multiply = compiled_multiply()
    out = np.empty((a.shape[0], b.shape[1]))
    previous = numba.get_num_threads()
    numba.set_num_threads(min(workers, numba.config.NUMBA_NUM_THREADS))
    try:
        multiply(a, b, out)
    finally:
        numba.set_num_threads(previous)
    return out


def matmul_dask(a, b, *, workers=1):
    """``dask.array``: ``a`` in bands of rows, each band times ``b``, on dask's threads."""
    a, b, workers = check_operands(a, b, workers)
    import dask
    import dask.array as da

    rows_per_band = -(-a.shape[0] // workers)  # ceiling division: one band per worker
    product = da.from_array(a, chunks=(rows_per_band, -1)) @ da.from_array(b, chunks=-1)
    (product,) = dask.compute(product, scheduler="threads", num_workers=workers)
    return product


IMPLEMENTATIONS = {
    "serial": matmul_serial,
    "numpy": matmul_numpy,
    "threads": matmul_threads,
    "processes": matmul_processes,
    "numba": matmul_numba,
    "dask": matmul_dask,
}


@contextlib.contextmanager
def benchmark_case(size):
    """Arguments for one benchmark run: two random ``size`` x ``size`` matrices."""
    size = check_positive_int("size", size)
    rng = np.random.default_rng(0)
    yield (rng.random((size, size)), rng.random((size, size))), {}
