# cython: language_level=3, boundscheck=False, wraparound=False
# cython: initializedcheck=False
"""The lesson's Mandelbrot kernel in Cython 3.

Typed memoryviews (``const double[::1]``: a C-contiguous array of doubles)
check the dtype and the layout of every NumPy array on the way in, and raise
``ValueError`` for a wrong one, so C never reads memory it should not. The
directives in the first lines turn off the per-element index checks inside
the loops: the shapes are checked once, before them.

The same operations in the same order as ``escape_count`` in
``parallel_patterns/mandelbrot.py`` (and built with ``-ffp-contract=off``),
so the result is the same bit for bit.
"""
from cython.parallel cimport prange
from libc.stdint cimport int64_t

# True when the C compiler built this module with OpenMP (-fopenmp): only
# then does prange run its iterations on several threads.
cdef extern from *:
    """
    #ifdef _OPENMP
    #define LESSON_HAS_OPENMP 1
    #else
    #define LESSON_HAS_OPENMP 0
    #endif
    """
    int LESSON_HAS_OPENMP

OPENMP = bool(LESSON_HAS_OPENMP)


cdef inline int64_t escape_count(double cr, double ci,
                                 int64_t max_iter) noexcept nogil:
    cdef double zr = 0.0, zi = 0.0, next_zr
    cdef int64_t n
    for n in range(max_iter):
        next_zr = zr * zr - zi * zi + cr
        zi = 2.0 * zr * zi + ci
        zr = next_zr
        if zr * zr + zi * zi > 4.0:
            return n
    return max_iter


cdef check_shape(const double[::1] xs, const double[::1] ys,
                 int64_t[:, ::1] out):
    if out.shape[0] != ys.shape[0] or out.shape[1] != xs.shape[0]:
        raise ValueError(
            f"out must have shape ({ys.shape[0]}, {xs.shape[0]}), "
            f"got ({out.shape[0]}, {out.shape[1]})"
        )


def fill_rows(const double[::1] xs, const double[::1] ys,
              int64_t max_iter, int64_t[:, ::1] out):
    """Fill out[i, j] with the escape count of xs[j] + i*ys[i]."""
    check_shape(xs, ys, out)
    cdef Py_ssize_t i, j
    with nogil:  # no Python objects in here: other threads may run
        for i in range(ys.shape[0]):
            for j in range(xs.shape[0]):
                out[i, j] = escape_count(xs[j], ys[i], max_iter)


def fill_rows_holding_gil(const double[::1] xs, const double[::1] ys,
                          int64_t max_iter, int64_t[:, ::1] out):
    """The same loop, holding the GIL all the time: threads take turns."""
    check_shape(xs, ys, out)
    cdef Py_ssize_t i, j
    for i in range(ys.shape[0]):
        for j in range(xs.shape[0]):
            out[i, j] = escape_count(xs[j], ys[i], max_iter)


def fill_rows_prange(const double[::1] xs, const double[::1] ys,
                     int64_t max_iter, int64_t[:, ::1] out,
                     int num_threads=1):
    """The same loop, its rows shared among num_threads OpenMP threads.

    schedule="dynamic" hands out rows one at a time to whichever thread
    is free: rows through the middle of the set take far longer than rows
    at the edge.
    """
    check_shape(xs, ys, out)
    if num_threads < 1:
        raise ValueError(f"num_threads must be >= 1, got {num_threads}")
    cdef Py_ssize_t i, j
    for i in prange(ys.shape[0], nogil=True, schedule="dynamic",
                    num_threads=num_threads):
        for j in range(xs.shape[0]):
            out[i, j] = escape_count(xs[j], ys[i], max_iter)
