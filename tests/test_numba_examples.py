"""The numba episode's examples: compiled functions agree with the Python they came from."""

import math
import warnings

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parallel_patterns.helpers import numba_examples as ne
from parallel_patterns import pi

held = numba.njit(ne.total_steps)
free = numba.njit(nogil=True)(ne.total_steps)
parallel = numba.njit(parallel=True)(ne.total_steps_prange)


def test_collatz_steps_known_values():
    assert [ne.collatz_steps(n) for n in (1, 2, 3, 6, 7, 27)] == [0, 1, 7, 8, 16, 111]
    assert ne.collatz_steps(0) == 0 and ne.collatz_steps(-5) == 0  # nothing to do, and no endless loop


def test_total_steps_is_the_sum_of_the_steps():
    assert ne.total_steps(1, 100) == sum(ne.collatz_steps(n) for n in range(1, 100))
    assert ne.total_steps(5, 5) == 0


@settings(max_examples=25, deadline=None)
@given(start=st.integers(1, 10_000), length=st.integers(0, 2_000))
def test_compiled_versions_agree_with_python(start, length):
    stop = start + length
    expected = ne.total_steps(start, stop)
    assert held(start, stop) == free(start, stop) == parallel(start, stop) == expected
    assert ne.total_steps_prange(start, stop) == expected  # prange is range in plain Python


@pytest.mark.parametrize("function", [ne.total_steps, ne.total_steps_prange, held, free, parallel])
def test_start_below_one_is_refused_compiled_or_not(function):
    with pytest.raises(ValueError, match="start"):
        function(0, 10)


def test_parallel_sum_is_the_same_with_one_and_two_threads():
    with ne.numba_threads(1):
        one = parallel(1, 20_000)
    with ne.numba_threads(min(2, numba.config.NUMBA_NUM_THREADS)):
        two = parallel(1, 20_000)
    assert one == two == ne.total_steps(1, 20_000)


@settings(max_examples=50, deadline=None)
@given(start=st.integers(-100, 100), length=st.integers(0, 500), parts=st.integers(1, 40))
def test_split_range_covers_the_range_once_in_even_pieces(start, length, parts):
    pieces = ne.split_range(start, start + length, parts)
    assert len(pieces) == parts
    assert [n for a, b in pieces for n in range(a, b)] == list(range(start, start + length))
    sizes = [b - a for a, b in pieces]
    assert max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize(
    "args, error, word",
    [((0, 10, 0), ValueError, "parts"), ((5, 4, 2), ValueError, "stop"), ((0, 1.5, 2), TypeError, "stop")],
)
def test_split_range_rejects_bad_arguments(args, error, word):
    with pytest.raises(error, match=word):
        ne.split_range(*args)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_in_threads_sums_the_pieces(workers):
    assert ne.in_threads(free, 1, 5_000, workers=workers) == ne.total_steps(1, 5_000)
    assert ne.in_threads(ne.total_steps, 1, 500, workers=workers, parts=7) == ne.total_steps(1, 500)


def test_in_threads_rejects_bad_arguments():
    with pytest.raises(TypeError, match="func"):
        ne.in_threads(42, 1, 10, workers=2)
    with pytest.raises(ValueError, match="workers"):
        ne.in_threads(free, 1, 10, workers=0)
    with pytest.raises(ValueError, match="timeout"):
        ne.in_threads(free, 1, 10, workers=1, timeout=0)


def test_in_threads_passes_on_a_worker_error():
    with pytest.raises(ValueError, match="start"):
        ne.in_threads(free, 0, 10, workers=2)


def test_numba_threads_sets_and_restores_the_thread_count():
    before = numba.get_num_threads()
    with ne.numba_threads(1) as n:
        assert n == 1 and numba.get_num_threads() == 1
    assert numba.get_num_threads() == before


def test_numba_threads_refuses_more_threads_than_numba_has():
    with pytest.raises(ValueError, match="NUMBA_NUM_THREADS"):
        with ne.numba_threads(numba.config.NUMBA_NUM_THREADS + 1):
            pass
    with pytest.raises(ValueError, match="workers"):
        with ne.numba_threads(0):
            pass


def test_best_time_warms_up_then_keeps_the_shortest_run():
    calls = []
    seconds = ne.best_time(calls.append, "x", repeat=4)
    assert len(calls) == 5 and 0 <= seconds < 0.1
    ne.best_time(calls.append, "y", repeat=2, warmup=False)
    assert calls.count("y") == 2
    with pytest.raises(ValueError, match="repeat"):
        ne.best_time(calls.append, "z", repeat=0)


def test_best_times_takes_turns_and_keeps_each_shortest_run():
    order = []
    times = ne.best_times({"a": lambda: order.append("a"), "b": lambda: order.append("b")}, repeat=2)
    assert order == ["a", "b"] * 3  # warm-up round, then two timed rounds, in turns
    assert set(times) == {"a", "b"} and all(0 <= t < 0.1 for t in times.values())
    ne.best_times({"a": lambda: order.append("x")}, repeat=1, warmup=False)
    assert order[-1] == "x" and len(order) == 7


@pytest.mark.parametrize("calls", [{}, [print], {"a": 42}])
def test_best_times_wants_named_functions(calls):
    with pytest.raises(TypeError, match="calls"):
        ne.best_times(calls)


def test_count_inside_row_as_a_generalised_ufunc_agrees_with_numpy():
    gufunc = numba.guvectorize(["void(float64[:], float64[:], int64[:])"], "(n),(n)->()")(ne.count_inside_row)
    rng = np.random.default_rng(1)
    xs, ys = rng.random((2, 6, 1_000))
    expected = np.count_nonzero(xs * xs + ys * ys <= 1.0, axis=1)
    assert gufunc(xs, ys).tolist() == expected.tolist()
    out = np.zeros(1, dtype=np.int64)
    ne.count_inside_row(xs[0], ys[0], out)  # the Python function itself works on one row
    assert out[0] == expected[0]


@pytest.mark.parametrize("workers", [1, 2])
def test_pi_prange_gives_the_same_float_as_every_pi_strategy(workers):
    workers = min(workers, numba.config.NUMBA_NUM_THREADS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no type-safety warnings from the compiled loop
        estimate = ne.pi_prange(50_001, seed=3, workers=workers)
    assert estimate == pi.pi_numpy(50_001, seed=3) == pi.pi_numba(50_001, seed=3)
    assert abs(estimate - math.pi) < 0.05


def test_pi_prange_validates_like_the_pi_strategies():
    with pytest.raises(ValueError, match="n_samples"):
        ne.pi_prange(0)
    with pytest.raises(TypeError, match="seed"):
        ne.pi_prange(10, seed=1.5)
    with pytest.raises(ValueError, match="workers"):
        ne.pi_prange(10, workers=0)


def test_the_loops_a_compiler_removes_still_compute_the_right_thing():
    assert ne.sum_of_odd_numbers(10) == 100 == numba.njit(ne.sum_of_odd_numbers)(10)
    xs = np.arange(10.0)
    assert ne.roots_discarded(xs) is None
    assert math.isclose(numba.njit(ne.sum_of_roots)(xs), sum(math.sqrt(x) for x in xs))


def test_a_compiled_loop_with_a_closed_form_takes_no_time():
    compiled = numba.njit(ne.sum_of_odd_numbers)
    assert compiled(10**9) == 10**18
    # A billion additions take at least 0.2 s on any CPU; the formula takes nanoseconds.
    assert ne.best_time(compiled, 10**9, repeat=3) < 1e-3


def test_cache_writes_index_and_code_and_a_second_process_loads_them(tmp_path):
    first = ne.first_call_in_new_process(tmp_path, timeout=120)
    files = ne.cache_files(tmp_path)
    assert any(name.endswith(".nbi") for name in files), files
    assert any(name.endswith(".nbc") for name in files), files
    second = ne.first_call_in_new_process(tmp_path, timeout=120)
    assert first["result"] == second["result"] == ne.total_steps(1, ne.CACHE_DEMO_STOP)
    assert first["cache_dir"] == second["cache_dir"] == str(tmp_path)
    assert second["first_call_seconds"] < 0.7 * first["first_call_seconds"], (first, second)


def test_first_call_in_new_process_needs_an_existing_directory(tmp_path):
    with pytest.raises(ValueError, match="cache_dir"):
        ne.first_call_in_new_process(tmp_path / "missing")


def test_a_compiled_loop_whose_result_is_unused_takes_no_time():
    data = np.random.default_rng(0).random(5_000_000)
    # Five million square roots take milliseconds; the deleted loop, microseconds.
    assert ne.best_time(numba.njit(ne.roots_discarded), data, repeat=3) < 5e-4
    assert ne.best_time(numba.njit(ne.sum_of_roots), data, repeat=3) > 1e-3
