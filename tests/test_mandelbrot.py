"""Tests of parallel_patterns.mandelbrot: the escape counts, identical in every strategy."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parallel_patterns import mandelbrot

PROCESS_STRATEGIES = {"processes_rows", "processes_tiles", "futures"}


@st.composite
def images(draw):
    """Small images of random parts of the plane, around the set and far from it."""
    xmin = draw(st.floats(-3.0, 2.0))
    ymin = draw(st.floats(-2.0, 2.0))
    bounds = (
        xmin,
        xmin + draw(st.floats(1e-6, 3.0)),
        ymin,
        ymin + draw(st.floats(1e-6, 3.0)),
    )
    return {
        "width": draw(st.integers(1, 12)),
        "height": draw(st.integers(1, 12)),
        "max_iter": draw(st.integers(1, 80)),
        "bounds": bounds,
    }


@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("strategy", list(mandelbrot.IMPLEMENTATIONS))
def test_every_strategy_returns_the_serial_array(strategy, workers):
    implementation = mandelbrot.IMPLEMENTATIONS[strategy]

    @settings(max_examples=2 if strategy in PROCESS_STRATEGIES else 25, deadline=None)
    @given(images())
    def check(image):
        expected = mandelbrot.mandelbrot_serial(**image)
        result = implementation(**image, workers=workers)
        assert result.shape == (image["height"], image["width"])
        assert np.issubdtype(result.dtype, np.integer)
        assert np.array_equal(result, expected)

    check()


def pixel(c, max_iter=50):
    """The escape count of the single point c, by the serial strategy."""
    bounds = (c.real, c.real + 1.0, c.imag, c.imag + 1.0)  # a 1 x 1 image sits at (xmin, ymin)
    return mandelbrot.mandelbrot_serial(1, 1, max_iter=max_iter, bounds=bounds)[0, 0]


def test_escape_counts_follow_the_definition():
    assert pixel(0j) == 50  # z stays 0: never escapes
    assert pixel(-2 + 0j) == 50  # z = -2, 2, 2, ...: |z| = 2 is not > 2
    assert pixel(3 + 0j) == 0  # |z| = 3 after the first update (n = 0)
    assert pixel(1 + 0j) == 2  # z = 1, 2, 5: escapes after the update with n = 2
    assert pixel(1j, max_iter=7) == 7  # z = i, -1+i, -i, -1+i, ...: a cycle


def test_pixels_follow_linspace_rows_and_columns():
    bounds = (-2.0, 0.5, -1.0, 1.0)
    counts = mandelbrot.mandelbrot_numpy(7, 5, max_iter=30, bounds=bounds)
    x = np.linspace(-2.0, 0.5, 7)
    y = np.linspace(-1.0, 1.0, 5)
    for i in range(5):
        for j in range(7):
            assert counts[i, j] == mandelbrot.escape_count(x[j], y[i], 30)


def test_the_default_image_holds_the_set():
    counts = mandelbrot.mandelbrot_numba(61, 61)  # pixel (30, 40) is c = 0, (30, 0) is c = -2
    assert counts[30, 40] == counts[30, 0] == 256
    assert counts[0, 0] == 0  # c = -2 - 1.5i is far outside


def test_huge_coordinates_escape_at_once_without_warnings():
    bounds = (-1e200, 1e200, -1e200, 1e200)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        counts = mandelbrot.mandelbrot_numpy(4, 4, bounds=bounds)
    assert np.array_equal(counts, mandelbrot.mandelbrot_serial(4, 4, bounds=bounds))
    assert not counts.any()


@pytest.mark.parametrize("strategy", list(mandelbrot.IMPLEMENTATIONS))
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"width": 0}, ValueError, "width"),
        ({"height": 2.5}, TypeError, "height"),
        ({"max_iter": 0}, ValueError, "max_iter"),
        ({"bounds": None}, TypeError, "bounds"),
        ({"bounds": (0.0, 1.0, 0.0)}, ValueError, "bounds"),
        ({"bounds": (0.0, 1.0, float("nan"), 1.0)}, ValueError, r"bounds\[2\]"),
        ({"bounds": (0.0, "1", 0.0, 1.0)}, TypeError, r"bounds\[1\]"),
        ({"bounds": (1.0, 1.0, 0.0, 1.0)}, ValueError, "xmin must be < xmax"),
        ({"bounds": (0.0, 1.0, 2.0, 1.0)}, ValueError, "ymin must be < ymax"),
        ({"workers": 0}, ValueError, "workers"),
    ],
)
def test_bad_arguments_are_named_in_the_error(strategy, kwargs, error, match):
    arguments = {"width": 4, "height": 3, **kwargs}
    width, height = arguments.pop("width"), arguments.pop("height")
    with pytest.raises(error, match=match):
        mandelbrot.IMPLEMENTATIONS[strategy](width, height, **arguments)


def test_benchmark_case_yields_a_square_image_and_checks_size():
    with mandelbrot.benchmark_case(16) as (args, kwargs):
        assert mandelbrot.mandelbrot_numpy(*args, workers=1, **kwargs).shape == (16, 16)
    with pytest.raises(ValueError, match="size"):
        with mandelbrot.benchmark_case(-1):
            pass
