"""The Mandelbrot kernel in C and C++, called from Python four ways, safely.

The kernel fills a block of rows of the image of :mod:`parallel_patterns.mandelbrot`:
``fill(xs, ys, max_iter, out)`` sets ``out[i, j]`` to the escape count of
``xs[j] + i*ys[i]``. It exists here in seven versions with that one signature:

``python``    the lesson's Python loop (:func:`parallel_patterns.mandelbrot.escape_count`)
``numpy``     the lesson's NumPy version, on the block's points at once
``numba``     the Python loop compiled by numba
``ctypes``    ``mandelbrot.c`` as a plain shared library, called through ``ctypes``
``cffi``      the same C, wrapped by cffi (API mode)
``cython``    ``mandelbrot_cython.pyx``, Cython with typed memoryviews
``pybind11``  ``mandelbrot_pybind.cpp``, C++ with pybind11

C cannot check what it is given: a pointer to floats where it expects doubles,
or to the fifth element of a strided slice, makes it read the wrong bytes,
and a too-small ``out`` makes it write past the end of the array, which can
crash the interpreter. :func:`fill_rows` therefore checks every argument in
Python first and raises ``TypeError`` (wrong type or dtype) or ``ValueError``
(wrong shape, layout, or read-only output) before any C runs.

Each compiled kernel comes in two kinds: one that releases the GIL while it
computes, and one that holds it (ctypes: a ``CDLL`` function releases it, a
``PyDLL`` function holds it; numba: ``nogil=True`` or not; Cython: ``with
nogil:`` or not; pybind11: ``py::gil_scoped_release`` or not). cffi always
releases it. :func:`run_in_threads` runs a kernel on bands of rows in a thread
pool: only a kernel that releases the GIL uses two cores.

``IMPLEMENTATIONS`` maps strategy names to functions of
``(width, height, *, max_iter, bounds, workers)`` that all return exactly what
``mandelbrot_serial`` returns (the same array, bit for bit). The compiled
extensions are built on first use (see :mod:`parallel_patterns.tools.extensions`).
"""

import concurrent.futures
import ctypes
import functools

import numpy as np

from parallel_patterns.tools import extensions
from parallel_patterns._validate import check_positive_int, check_workers
from parallel_patterns.mandelbrot import (
    COUNT_DTYPE,
    DEFAULT_BOUNDS,
    escape_count,
    escape_counts_numpy,
    mandelbrot_serial,
    prepare,
)

KERNELS = ("python", "numpy", "numba", "ctypes", "cffi", "cython", "pybind11")
TASKS_PER_WORKER = 8  # run_in_threads cuts the rows into this many bands per thread
TIMEOUT = 600  # seconds to wait for a thread's rows: longer means something hangs

# --- Checking the arguments before C sees them ----------------------------------


def check_array(name, array, dtype, ndim):
    """Raise unless ``array`` is a C-contiguous NumPy array of ``dtype``
    with ``ndim`` dimensions."""
    if not isinstance(array, np.ndarray):
        raise TypeError(
            f"{name} must be a NumPy array, got {type(array).__name__}"
        )
    wanted = np.dtype(dtype).name
    if array.dtype != dtype:
        raise TypeError(
            f"{name} must have dtype {wanted}, got {array.dtype.name}; "
            f"convert it with {name}.astype(np.{wanted})"
        )
    if array.ndim != ndim:
        raise ValueError(
            f"{name} must be {ndim}-dimensional, got {array.ndim} dimensions"
        )
    if not array.flags.c_contiguous:
        raise ValueError(
            f"{name} must be C-contiguous (one block of memory, row after "
            f"row), not a strided view or Fortran-ordered; "
            f"pass np.ascontiguousarray({name})"
        )


def check_arguments(xs, ys, max_iter, out):
    """Check the arguments of a kernel; return ``max_iter`` as an int."""
    check_array("xs", xs, np.float64, 1)
    check_array("ys", ys, np.float64, 1)
    check_array("out", out, COUNT_DTYPE, 2)
    if out.shape != (ys.shape[0], xs.shape[0]):
        raise ValueError(
            f"out must have shape (len(ys), len(xs)) = "
            f"{(ys.shape[0], xs.shape[0])}, got {out.shape}"
        )
    if not out.flags.writeable:
        raise ValueError("out must be writeable, got a read-only array")
    max_iter = check_positive_int("max_iter", max_iter)
    if max_iter >= 2**63:
        raise ValueError(f"max_iter must fit in 64 bits, got {max_iter}")
    return max_iter


# --- The kernels, unchecked: fill(xs, ys, max_iter, out) ----------------------------


def python_fill(xs, ys, max_iter, out):
    """The Python loop (holds the GIL, like all Python code)."""
    for i, y in enumerate(ys.tolist()):
        out[i] = [escape_count(x, y, max_iter) for x in xs.tolist()]


def numpy_fill(xs, ys, max_iter, out):
    """The NumPy version: every point of the block at once (NumPy releases the GIL in its loops)."""
    cr, ci = np.meshgrid(xs, ys)
    out[...] = escape_counts_numpy(cr, ci, max_iter)


@functools.cache
def numba_fill(nogil):
    """The Python loop compiled by numba; with ``nogil=True`` it runs without the GIL."""
    import numba  # imported on first use: importing it costs a fraction of a second

    compiled_escape_count = numba.njit(escape_count)

    def fill(xs, ys, max_iter, out):
        for i in range(ys.shape[0]):
            for j in range(xs.shape[0]):
                out[i, j] = compiled_escape_count(xs[j], ys[i], max_iter)

    return numba.njit(nogil=nogil)(fill)


@functools.cache
def ctypes_library(release_gil=True):
    """The C library loaded by ctypes, with every function's argument and result types declared.

    ``ctypes.CDLL`` functions release the GIL while C runs; ``ctypes.PyDLL``
    functions hold it. ``argtypes`` tells ctypes what C expects, so that it
    converts (or refuses) each argument; without it, ctypes guesses from the
    Python value, and a Python int becomes a 32-bit C ``int``.
    """
    path = extensions.ensure_built("ctypes")
    library = (ctypes.CDLL if release_gil else ctypes.PyDLL)(str(path))
    doubles = np.ctypeslib.ndpointer(dtype=np.float64, ndim=1, flags="C_CONTIGUOUS")
    counts = np.ctypeslib.ndpointer(dtype=np.int64, ndim=2, flags=("C_CONTIGUOUS", "WRITEABLE"))
    library.escape_count.argtypes = [ctypes.c_double, ctypes.c_double, ctypes.c_int64]
    library.escape_count.restype = ctypes.c_int64
    library.mandelbrot_rows.argtypes = [doubles, ctypes.c_int64, doubles, ctypes.c_int64, ctypes.c_int64, counts]
    library.mandelbrot_rows.restype = None
    return library


def ctypes_fill(release_gil=True):
    """``fill`` through ctypes: the C function takes pointers and the sizes separately."""
    library = ctypes_library(release_gil)

    def fill(xs, ys, max_iter, out):
        library.mandelbrot_rows(xs, xs.shape[0], ys, ys.shape[0], max_iter, out)

    return fill


def cffi_fill(release_gil=True):
    """``fill`` through cffi's API mode: ``ffi.from_buffer`` passes a pointer to the array's data.

    cffi's wrappers always release the GIL; asking for one that holds it is an error.
    """
    if not release_gil:
        raise ValueError("cffi's wrappers always release the GIL")
    module = extensions.load_module("cffi")
    ffi, lib = module.ffi, module.lib

    def fill(xs, ys, max_iter, out):
        lib.mandelbrot_rows(
            ffi.from_buffer("double[]", xs),
            xs.shape[0],
            ffi.from_buffer("double[]", ys),
            ys.shape[0],
            max_iter,
            ffi.from_buffer("int64_t[]", out, require_writable=True),
        )

    return fill


def cython_fill(release_gil=True):
    module = extensions.load_module("cython")
    return module.fill_rows if release_gil else module.fill_rows_holding_gil


def pybind11_fill(release_gil=True):
    module = extensions.load_module("pybind11")
    return module.fill_rows if release_gil else module.fill_rows_holding_gil


def kernel(name, *, release_gil=True):
    """The unchecked ``fill(xs, ys, max_iter, out)`` of kernel ``name``.

    ``release_gil=False`` gives the version that holds the GIL (Python always
    holds it; NumPy and cffi decide for themselves, so they only come one way).
    """
    if name not in KERNELS:
        raise ValueError(f"kernel must be one of {list(KERNELS)}, got {name!r}")
    if name == "python":
        if release_gil:
            raise ValueError("Python code cannot release the GIL; use release_gil=False")
        return python_fill
    if name == "numpy":
        return numpy_fill
    if name == "numba":
        return numba_fill(release_gil)
    return {"ctypes": ctypes_fill, "cffi": cffi_fill, "cython": cython_fill, "pybind11": pybind11_fill}[name](
        release_gil
    )


def fill_rows(name, xs, ys, max_iter, out, *, release_gil=True):
    """Fill ``out`` with kernel ``name``, after checking every argument (the safe entry point).

    Raises ``TypeError`` or ``ValueError`` for arguments the C code would
    misread; see :func:`check_arguments`.
    """
    max_iter = check_arguments(xs, ys, max_iter, out)
    release_gil = release_gil and name != "python"
    kernel(name, release_gil=release_gil)(xs, ys, max_iter, out)
    return out


# --- Threads -------------------------------------------------------------------------


def bands(height, rows_per_task):
    """``(start, stop)`` of consecutive bands of ``rows_per_task`` rows covering ``range(height)``."""
    return [(start, min(start + rows_per_task, height)) for start in range(0, height, rows_per_task)]


def run_in_threads(fill, xs, ys, max_iter, out, *, workers,
                   rows_per_task=None):
    """Fill ``out`` with ``fill``, band by band, in ``workers`` threads.

    By default the rows are cut into ``TASKS_PER_WORKER`` bands per thread:
    a thread that drew quick rows at the edge of the set then takes more
    while another is still in the slow middle. Each band ``out[start:stop]``
    is a view of ``out`` (no copy, and still C-contiguous), so every thread
    writes its rows straight into the one image. No two bands overlap: the
    threads need no lock.
    """
    workers = check_workers(workers)
    height = ys.shape[0]
    if rows_per_task is None:  # rounded up
        rows_per_task = max(1, -(-height // (TASKS_PER_WORKER * workers)))
    rows_per_task = check_positive_int("rows_per_task", rows_per_task)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        tasks = [
            pool.submit(fill, xs, ys[start:stop], max_iter, out[start:stop])
            for start, stop in bands(height, rows_per_task)
        ]
        for task in concurrent.futures.as_completed(tasks, timeout=TIMEOUT):
            task.result()  # re-raises a thread's exception here
    return out


# --- Whole images: the strategies ----------------------------------------------------


def image(name, width, height, *, max_iter=256, bounds=DEFAULT_BOUNDS, workers=1, release_gil=True):
    """The whole image with kernel ``name``: in one call, or in ``workers`` threads if > 1."""
    xs, ys, max_iter, workers = prepare(width, height, max_iter, bounds, workers)
    out = np.empty((height, width), dtype=COUNT_DTYPE)
    fill = kernel(name, release_gil=release_gil and name != "python")
    if workers == 1:
        fill(xs, ys, max_iter, out)
    else:
        run_in_threads(fill, xs, ys, max_iter, out, workers=workers)
    return out


def cython_prange(width, height, *, max_iter=256, bounds=DEFAULT_BOUNDS, workers=1):
    """The Cython loop with ``prange``: OpenMP shares the rows among ``workers`` threads."""
    xs, ys, max_iter, workers = prepare(width, height, max_iter, bounds, workers)
    out = np.empty((height, width), dtype=COUNT_DTYPE)
    extensions.load_module("cython").fill_rows_prange(xs, ys, max_iter, out, workers)
    return out


def _strategy(name, *, threads, release_gil=True):
    def strategy(width, height, *, max_iter=256, bounds=DEFAULT_BOUNDS, workers=1):
        workers = check_workers(workers)
        return image(
            name,
            width,
            height,
            max_iter=max_iter,
            bounds=bounds,
            workers=workers if threads else 1,
            release_gil=release_gil,
        )

    how = f"in threads, GIL {'released' if release_gil else 'held'}" if threads else "in one call"
    strategy.__name__ = f"mandelbrot_{name}" + ("_threads" if threads else "") + ("" if release_gil else "_gil_held")
    strategy.__doc__ = f"The image with the {name} kernel, {how}."
    return strategy


IMPLEMENTATIONS = {
    "serial": mandelbrot_serial,
    "python_threads": _strategy("python", threads=True, release_gil=False),
    "numpy": _strategy("numpy", threads=False),
    "numpy_threads": _strategy("numpy", threads=True),
    "numba": _strategy("numba", threads=False),
    "numba_threads": _strategy("numba", threads=True),
    "numba_threads_gil_held": _strategy("numba", threads=True, release_gil=False),
    "ctypes": _strategy("ctypes", threads=False),
    "ctypes_threads": _strategy("ctypes", threads=True),
    "ctypes_threads_gil_held": _strategy("ctypes", threads=True, release_gil=False),
    "cffi": _strategy("cffi", threads=False),
    "cffi_threads": _strategy("cffi", threads=True),
    "cython": _strategy("cython", threads=False),
    "cython_threads": _strategy("cython", threads=True),
    "cython_threads_gil_held": _strategy("cython", threads=True, release_gil=False),
    "cython_prange": cython_prange,
    "pybind11": _strategy("pybind11", threads=False),
    "pybind11_threads": _strategy("pybind11", threads=True),
    "pybind11_threads_gil_held": _strategy("pybind11", threads=True, release_gil=False),
}
