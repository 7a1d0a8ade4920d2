"""Tests of parallel_patterns.matmul: every strategy computes a @ b."""

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from multiprocessing.shared_memory import SharedMemory

from parallel_patterns import matmul

PROCESS_STRATEGIES = {"processes"}


@st.composite
def operands(draw):
    """Two float matrices whose shapes fit: (n, k) and (k, m), n, k, m in 1..9."""
    n, k, m = (draw(st.integers(1, 9)) for _ in range(3))
    elements = st.floats(-100, 100, allow_nan=False, allow_infinity=False)
    a = draw(hnp.arrays(np.float64, (n, k), elements=elements))
    b = draw(hnp.arrays(np.float64, (k, m), elements=elements))
    return a, b


def assert_product(result, a, b):
    """``result`` equals a @ b up to rounding: the strategies add in different orders."""
    scale = (np.abs(a) @ np.abs(b)).max()  # the largest sum of |products|
    assert result.shape == (a.shape[0], b.shape[1])
    assert result.dtype == np.float64
    np.testing.assert_allclose(result, a @ b, rtol=1e-12, atol=1e-12 * scale)


@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("strategy", list(matmul.IMPLEMENTATIONS))
def test_every_strategy_multiplies_like_numpy(strategy, workers):
    implementation = matmul.IMPLEMENTATIONS[strategy]

    @settings(max_examples=2 if strategy in PROCESS_STRATEGIES else 20, deadline=None)
    @given(operands())
    def check(pair):
        a, b = pair
        result = implementation(a, b, workers=workers)
        assert_product(result, a, b)
        np.testing.assert_allclose(result, matmul.matmul_serial(a, b), rtol=1e-12, atol=1e-9)

    check()


def test_more_workers_than_rows():
    a, b = np.ones((2, 3)), np.ones((3, 4))
    for strategy in ("threads", "processes", "dask"):
        assert_product(matmul.IMPLEMENTATIONS[strategy](a, b, workers=3), a, b)


def test_float32_and_non_contiguous_inputs_are_accepted():
    rng = np.random.default_rng(0)
    a = rng.random((6, 4)).astype(np.float32)
    b = rng.random((5, 8))[:, ::2].T  # a transposed, strided view: shape (4, 5)
    for implementation in matmul.IMPLEMENTATIONS.values():
        assert_product(implementation(a, b, workers=2), a.astype(np.float64), b)


def shared_blocks():
    """Names of the shared-memory blocks that exist now (Linux keeps them in /dev/shm)."""
    return {name for name in os.listdir("/dev/shm") if name.startswith("psm_")}


@pytest.mark.skipif(not os.path.isdir("/dev/shm"), reason="needs Linux's /dev/shm")
def test_processes_leave_no_shared_memory_behind():
    before = shared_blocks()
    a = np.arange(12.0).reshape(3, 4)
    matmul.matmul_processes(a, a.T, workers=2)
    assert shared_blocks() <= before


def test_a_shared_block_is_unlinked_when_an_error_interrupts():
    with pytest.raises(RuntimeError):
        with matmul.shared_block(64) as block:
            name = block.name
            raise RuntimeError("something went wrong while the block was in use")
    with pytest.raises(FileNotFoundError):
        SharedMemory(name=name)


def test_attached_arrays_see_the_shared_data():
    with matmul.shared_block(6 * 8) as block:
        np.ndarray((2, 3), dtype=np.float64, buffer=block.buf)[:] = [[1, 2, 3], [4, 5, 6]]
        with matmul.attached(block.name, (2, 3)) as array:
            assert array[1, 2] == 6.0
            array[0, 0] = 10.0
            del array
        assert np.ndarray((2, 3), dtype=np.float64, buffer=block.buf)[0, 0] == 10.0


@pytest.mark.parametrize("strategy", list(matmul.IMPLEMENTATIONS))
@pytest.mark.parametrize(
    ("a", "b", "workers", "error", "match"),
    [
        (np.ones((2, 3)), np.ones((4, 2)), 1, ValueError, "b needs 3 rows"),
        ([[1.0]], np.ones((1, 1)), 1, TypeError, "a must be a NumPy array"),
        (np.ones((2, 2)), np.ones((2, 2), dtype=int), 1, TypeError, "b must be an array of floats"),
        (np.ones(3), np.ones((3, 1)), 1, ValueError, "a must be 2-D"),
        (np.ones((2, 2)), np.ones((2, 2, 2)), 1, ValueError, "b must be 2-D"),
        (np.ones((0, 2)), np.ones((2, 2)), 1, ValueError, "a must have at least one row"),
        (np.ones((2, 2)), np.ones((2, 2)), 0, ValueError, "workers"),
    ],
)
def test_bad_arguments_are_named_in_the_error(strategy, a, b, workers, error, match):
    with pytest.raises(error, match=match):
        matmul.IMPLEMENTATIONS[strategy](a, b, workers=workers)


def test_benchmark_case_yields_two_square_matrices_and_checks_size():
    with matmul.benchmark_case(5) as (args, kwargs):
        a, b = args
        assert a.shape == b.shape == (5, 5)
        assert_product(matmul.matmul_numpy(*args, workers=1, **kwargs), a, b)
    with pytest.raises(ValueError, match="size"):
        with matmul.benchmark_case(0):
            pass
