"""parallel_patterns.helpers.pool_tasks: the small workers of the episode on map and futures."""

import ast
import concurrent.futures
import os
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from parallel_patterns._context import mp_context
from parallel_patterns.matmul import shared_block
from parallel_patterns.helpers.pool_tasks import (
    array_total,
    blas_threads,
    limit_blas_threads,
    collatz_steps,
    nap,
    parse_reading,
    shared_array_total,
    which_worker,
)


@pytest.fixture(scope="module")
def pool():
    """One small process pool for the whole module: starting one costs a few tenths of a second."""
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=mp_context()) as executor:
        yield executor


def test_collatz_steps_known_values():
    assert [collatz_steps(n) for n in (1, 2, 3, 6, 7, 27, 32)] == [0, 1, 7, 8, 16, 111, 5]


@given(st.integers(min_value=1, max_value=10**12))
def test_collatz_steps_of_an_even_number_is_one_more_than_of_its_half(n):
    assert collatz_steps(2 * n) == collatz_steps(n) + 1


def test_collatz_steps_refuses_numbers_that_never_reach_one():
    with pytest.raises(ValueError, match="n must be >= 1"):
        collatz_steps(0)
    with pytest.raises(TypeError, match="n must be an integer"):
        collatz_steps(3.0)
    with pytest.raises(TypeError, match="n must be an integer"):
        collatz_steps(True)


def test_which_worker_reports_this_process_here_and_a_worker_in_a_pool(pool):
    assert which_worker("a") == ("a", os.getpid())
    answers = list(pool.map(which_worker, range(6), timeout=60))
    assert [item for item, _ in answers] == list(range(6))
    assert os.getpid() not in {pid for _, pid in answers}


def test_nap_sleeps_then_returns_its_label():
    start = time.perf_counter()
    assert nap(0.05, "done") == "done"
    assert time.perf_counter() - start >= 0.05
    assert nap(0.01) == 0.01


@pytest.mark.parametrize("seconds, error", [(0, ValueError), (-1, ValueError), ("1", TypeError)])
def test_nap_rejects_bad_durations(seconds, error):
    with pytest.raises(error, match="seconds"):
        nap(seconds)


@pytest.mark.parametrize("text, value", [("21.5 C", 21.5), (" -3 C ", -3.0), ("1e1 C", 10.0)])
def test_parse_reading_reads_good_text(text, value):
    assert parse_reading(text) == value


@pytest.mark.parametrize("text", ["21,5 C", "21.5", "21.5 F", "", "warm C"])
def test_parse_reading_fails_on_bad_text(text):
    with pytest.raises(ValueError):
        parse_reading(text)


def test_parse_reading_wants_text():
    with pytest.raises(TypeError, match="text must be a str"):
        parse_reading(21.5)


def test_a_worker_exception_reaches_the_parent_with_the_worker_traceback(pool):
    future = pool.submit(parse_reading, "21,5 C")
    with pytest.raises(ValueError, match="could not convert string to float: '21,5'") as caught:
        future.result(timeout=60)
    remote = str(caught.value.__cause__)  # the worker's traceback, as text
    assert "pool_tasks.py" in remote and "in parse_reading" in remote


def test_an_array_totals_the_same_pickled_or_in_shared_memory(pool):
    array = np.arange(1000, dtype=np.float64).reshape(40, 25)
    with shared_block(array.nbytes) as block:
        np.ndarray(array.shape, dtype=np.float64, buffer=block.buf)[:] = array
        shared = pool.submit(shared_array_total, block.name, array.shape).result(timeout=60)
    pickled = pool.submit(array_total, array).result(timeout=60)
    assert shared == pickled == array.sum() == 499500.0


def test_limit_blas_threads_as_initializer_caps_every_worker_library():
    with concurrent.futures.ProcessPoolExecutor(
        2, mp_context=mp_context(), initializer=limit_blas_threads, initargs=(1,)
    ) as executor:
        reports = [executor.submit(blas_threads).result(timeout=60) for _ in range(4)]
    for pid, libraries in reports:
        assert pid != os.getpid()
        assert libraries, "NumPy's BLAS library should be loaded"
        assert set(libraries.values()) == {1}, libraries


def test_without_initializer_workers_keep_their_default_blas_threads(pool):
    # The default is what a fresh Python started from this environment gets (the
    # process running the tests may have loaded more libraries, such as numba's OpenMP,
    # or had its own limits set by other tests).
    fresh_python = subprocess.run(
        [sys.executable, "-c", "from parallel_patterns.helpers.pool_tasks import blas_threads; print(blas_threads()[1])"],
        capture_output=True, text=True, timeout=60, check=True,
    )
    default = ast.literal_eval(fresh_python.stdout.strip())

    # The build machine sometimes offers one core for a few seconds, and a worker
    # started then sizes its BLAS for one core: such a worker is replaced by a fresh
    # pool, twice at most.
    seen = [pool.submit(blas_threads).result(timeout=60)[1]]
    while seen[-1] != default and len(seen) < 3:
        time.sleep(2)
        with concurrent.futures.ProcessPoolExecutor(1, mp_context=mp_context()) as fresh:
            seen.append(fresh.submit(blas_threads).result(timeout=60)[1])
    assert default and seen[-1] == default, (seen, default)


@pytest.mark.parametrize("n, error", [(0, ValueError), (1.5, TypeError)])
def test_limit_blas_threads_rejects_bad_counts(n, error):
    with pytest.raises(error):
        limit_blas_threads(n)
