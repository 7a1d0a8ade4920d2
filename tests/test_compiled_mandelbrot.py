"""The Mandelbrot kernel in C and C++: every binding returns what Python returns,
bad input raises a clear error, and only the kernels that release the GIL let
other threads run."""

import ctypes
import os
import signal
import threading
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parallel_patterns import compiled_mandelbrot

from parallel_patterns.tools import extensions
from parallel_patterns.compiled_mandelbrot import IMPLEMENTATIONS, KERNELS, fill_rows, kernel
from parallel_patterns.mandelbrot import mandelbrot_serial
from parallel_patterns.helpers.processes import run_python


@pytest.fixture(scope="module", autouse=True)
def built():
    """Compile what is missing (reused when `make` has built it already)."""
    return extensions.build()


@st.composite
def images(draw):
    """Small images of random parts of the plane, around the set and far from it."""
    xmin = draw(st.floats(-3.0, 2.0))
    ymin = draw(st.floats(-2.0, 2.0))
    return {
        "width": draw(st.integers(1, 14)),
        "height": draw(st.integers(1, 14)),
        "max_iter": draw(st.integers(1, 120)),
        "bounds": (xmin, xmin + draw(st.floats(1e-6, 3.0)), ymin, ymin + draw(st.floats(1e-6, 3.0))),
    }


@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("strategy", list(IMPLEMENTATIONS))
def test_every_strategy_returns_the_serial_array(strategy, workers):
    implementation = IMPLEMENTATIONS[strategy]

    @settings(max_examples=20, deadline=None)
    @given(images())
    def check(image):
        expected = mandelbrot_serial(**image)
        result = implementation(**image, workers=workers)
        assert result.dtype == np.int64 and result.shape == expected.shape
        assert np.array_equal(result, expected)

    check()


def test_a_whole_image_agrees_bit_for_bit():
    """Enough pixels near the boundary of the set that a fused multiply-add would show."""
    expected = mandelbrot_serial(90, 70, max_iter=400)
    assert len(np.unique(expected)) > 50  # a detailed image, not a blank one
    for strategy in IMPLEMENTATIONS:
        assert np.array_equal(IMPLEMENTATIONS[strategy](90, 70, max_iter=400, workers=2), expected), strategy


@settings(max_examples=40, deadline=None)
@given(
    xs=st.lists(st.floats(-2.5, 2.5), min_size=1, max_size=8),
    ys=st.lists(st.floats(-2.5, 2.5), min_size=1, max_size=8),
    max_iter=st.integers(1, 300),
)
def test_every_kernel_fills_what_the_python_kernel_fills(xs, ys, max_iter):
    """Arbitrary points, not an evenly spaced grid: the kernels themselves agree."""
    xs, ys = np.array(xs), np.array(ys)
    expected = np.empty((len(ys), len(xs)), dtype=np.int64)
    kernel("python", release_gil=False)(xs, ys, max_iter, expected)
    for name in KERNELS:
        for release_gil in (True, False) if name in ("numba", "ctypes", "cython", "pybind11") else (True,):
            out = np.full_like(expected, -1)
            fill_rows(name, xs, ys, max_iter, out, release_gil=release_gil)
            assert np.array_equal(out, expected), (name, release_gil)


def test_cython_prange_uses_openmp_and_agrees():
    module = extensions.load_module("cython")
    assert module.OPENMP == (extensions.openmp_flags() is not None)
    expected = mandelbrot_serial(40, 30)
    for workers in (1, 2, 4):
        assert np.array_equal(compiled_mandelbrot.cython_prange(40, 30, workers=workers), expected)


# --- Bad input: a clear error, never a crash ------------------------------------

XS = np.linspace(-2.0, 1.0, 10)
YS = np.linspace(-1.5, 1.5, 6)


def read_only(array):
    array = array.copy()
    array.setflags(write=False)
    return array


BAD_INPUTS = {
    # name: (xs, ys, max_iter, out, expected exception, words in the message)
    "list xs": (XS.tolist(), YS, 50, np.zeros((6, 10), np.int64), TypeError, "xs must be a NumPy array"),
    "float32 xs": (XS.astype(np.float32), YS, 50, np.zeros((6, 10), np.int64), TypeError, "dtype float64"),
    "int32 out": (XS, YS, 50, np.zeros((6, 10), np.int32), TypeError, "out must have dtype int64"),
    "strided xs": (np.linspace(-2, 1, 19)[::2], YS, 50, np.zeros((6, 10), np.int64), ValueError, "C-contiguous"),
    "Fortran out": (XS, YS, 50, np.zeros((6, 10), np.int64, order="F"), ValueError, "C-contiguous"),
    "2-D xs": (XS.reshape(2, 5), YS, 50, np.zeros((6, 10), np.int64), ValueError, "1-dimensional"),
    "short out": (XS, YS, 50, np.zeros((5, 10), np.int64), ValueError, "shape"),
    "wide out": (XS, YS, 50, np.zeros((6, 11), np.int64), ValueError, "shape"),
    "read-only out": (XS, YS, 50, read_only(np.zeros((6, 10), np.int64)), ValueError, "writeable"),
    "float max_iter": (XS, YS, 2.5, np.zeros((6, 10), np.int64), TypeError, "max_iter must be an integer"),
    "zero max_iter": (XS, YS, 0, np.zeros((6, 10), np.int64), ValueError, "max_iter must be >= 1"),
    "huge max_iter": (XS, YS, 2**63, np.zeros((6, 10), np.int64), ValueError, "64 bits"),
}


@pytest.mark.parametrize("name", KERNELS)
@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_raises_a_clear_error_and_writes_nothing(name, case):
    xs, ys, max_iter, out, error, words = BAD_INPUTS[case]
    before = out.copy()
    with pytest.raises(error, match=words):
        fill_rows(name, xs, ys, max_iter, out)
    assert np.array_equal(out, before)


def test_unknown_kernel_and_impossible_gil_requests_are_refused():
    with pytest.raises(ValueError, match="kernel must be one of"):
        kernel("fortran")
    with pytest.raises(ValueError, match="cannot release the GIL"):
        kernel("python", release_gil=True)
    with pytest.raises(ValueError, match="always release"):
        kernel("cffi", release_gil=False)


def test_the_compiled_modules_check_arrays_themselves():
    """Without the Python wrapper, Cython and pybind11 still refuse what they cannot read."""
    out = np.zeros((6, 10), np.int64)
    for module in (extensions.load_module("cython"), extensions.load_module("pybind11")):
        with pytest.raises((TypeError, ValueError)):
            module.fill_rows(XS.astype(np.float32), YS, 50, out)
        with pytest.raises((TypeError, ValueError)):
            module.fill_rows(XS, YS, 50, np.zeros((6, 10), np.int64, order="F"))
        with pytest.raises(ValueError, match="shape"):
            module.fill_rows(XS, YS, 50, np.zeros((5, 10), np.int64))
    with pytest.raises(ctypes.ArgumentError, match="float64"):
        compiled_mandelbrot.ctypes_library().mandelbrot_rows(XS.astype(np.float32), 10, YS, 6, 50, out)


CRASH = """
import ctypes, sys
import numpy as np
library = ctypes.CDLL(sys.argv[1])  # no argtypes: ints are passed as 32-bit C ints
xs = np.linspace(-2.0, 1.0, 600)
ys = np.linspace(-1.5, 1.5, 400)
out = np.zeros((400, 600), dtype=np.int64)
library.mandelbrot_rows(xs.ctypes.data, 600, ys.ctypes.data, 400, 256, out.ctypes.data)
print("finished")
"""


@pytest.mark.skipif(os.name != "posix", reason="Windows reports an access violation, not a signal")
def test_ctypes_without_argtypes_crashes_the_process_and_with_them_it_works():
    path = extensions.ensure_built("ctypes")
    crashed = run_python("-c", CRASH, path, timeout=60)
    assert not crashed.timed_out and "finished" not in crashed.stdout
    assert crashed.returncode in (-signal.SIGSEGV, -signal.SIGBUS), crashed  # SIGBUS: macOS
    declared = CRASH.replace(
        "library = ctypes.CDLL(sys.argv[1])",
        "library = ctypes.CDLL(sys.argv[1])\n"
        "library.mandelbrot_rows.argtypes = [ctypes.c_void_p, ctypes.c_int64] * 2 + [ctypes.c_int64, ctypes.c_void_p]",
    )
    survived = run_python("-c", declared, path, timeout=60)
    assert survived.ok and "finished" in survived.stdout, survived


# --- The GIL: which kernels let other Python threads run ---------------------------


def longest_pause_of_python(fill, size=700):
    """While ``fill`` computes a size x size image in another thread, the longest
    time the main thread went without running Python, as a fraction of the
    time ``fill`` took.

    A kernel that holds the GIL stops every other Python thread until it
    returns: the fraction is close to 1. One that releases it lets the main
    thread run all along: the pauses are only the operating system's
    scheduling, a small fraction.
    """
    xs = np.linspace(-2.0, 1.0, size)
    ys = np.linspace(-1.5, 1.5, size)
    out = np.empty((size, size), dtype=np.int64)
    fill(xs[:2], ys[:2], 10, np.empty((2, 2), dtype=np.int64))  # compile numba first
    started, done = threading.Event(), threading.Event()
    clock = {}

    def work():
        clock["start"] = time.perf_counter()
        started.set()  # the main thread wakes up, and needs the GIL to run
        fill(xs, ys, 256, out)
        clock["stop"] = time.perf_counter()
        done.set()

    worker = threading.Thread(target=work)
    worker.start()
    started.wait(timeout=60)
    last = clock["start"]
    longest = 0.0
    while not done.is_set():
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
    worker.join(timeout=60)
    assert not worker.is_alive()
    longest = max(longest, clock["stop"] - last)  # in case Python did not run at all meanwhile
    return longest / (clock["stop"] - clock["start"])


@pytest.mark.parametrize("name", ["numba", "ctypes", "cython", "pybind11"])
def test_only_the_kernels_that_release_the_gil_let_other_threads_run(name):
    assert longest_pause_of_python(kernel(name, release_gil=False)) > 0.8
    assert longest_pause_of_python(kernel(name, release_gil=True)) < 0.5


def test_cffi_releases_the_gil():
    assert longest_pause_of_python(kernel("cffi")) < 0.5


def test_run_in_threads_fills_every_band_once_and_reraises_errors():
    xs, ys = np.linspace(-2, 1, 7), np.linspace(-1, 1, 23)
    out = np.full((23, 7), -1, dtype=np.int64)
    calls = []

    def record(band_xs, band_ys, max_iter, band_out):
        calls.append(len(band_ys))
        band_out[...] = 1

    compiled_mandelbrot.run_in_threads(record, xs, ys, 10, out, workers=3, rows_per_task=5)
    assert (out == 1).all() and sorted(calls) == [3, 5, 5, 5, 5]

    def fail(*arguments):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        compiled_mandelbrot.run_in_threads(fail, xs, ys, 10, out, workers=2)
    with pytest.raises(ValueError, match="workers"):
        compiled_mandelbrot.run_in_threads(record, xs, ys, 10, out, workers=0)
