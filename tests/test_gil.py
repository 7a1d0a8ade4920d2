"""parallel_patterns.helpers.gil: thread workloads and the stopwatch that compares strategies."""

import hashlib
import math
import os
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parallel_patterns.helpers.gil import (
    checksum,
    compiled_is_prime,
    run_in_threads,
    run_serial,
    sine_sum,
    temporary_files,
    time_strategies,
    wait,
    write_random_files,
)
from parallel_patterns.primes import is_prime


def test_threads_return_results_in_input_order():
    inputs = [5, 1, 4, 2, 3]
    assert run_in_threads(lambda x: x * x, inputs, workers=3) == run_serial(lambda x: x * x, inputs) == [25, 1, 16, 4, 9]


def test_run_in_threads_checks_workers():
    with pytest.raises(ValueError, match="workers"):
        run_in_threads(abs, [1], workers=0)


def test_waits_overlap_in_threads():
    start = time.perf_counter()
    assert run_in_threads(wait, [0.2] * 4, workers=4) == [0.2] * 4
    assert time.perf_counter() - start < 0.6  # four waits of 0.2 s, at the same time


def test_wait_rejects_bad_durations():
    with pytest.raises(ValueError, match="seconds"):
        wait(0)
    with pytest.raises(TypeError, match="seconds"):
        wait("1")


def test_time_strategies_returns_the_best_time_of_each():
    times = time_strategies({"short": lambda x: (wait(0.01), x)[1], "long": lambda x: (wait(0.05), x)[1]}, 3, repeats=2)
    assert list(times) == ["short", "long"]
    assert 0.01 <= times["short"] < times["long"]


def test_time_strategies_refuses_a_wrong_answer():
    with pytest.raises(AssertionError, match="'wrong'"):
        time_strategies({"right": lambda: 1, "wrong": lambda: 2}, repeats=1)


def test_time_strategies_rejects_bad_arguments():
    with pytest.raises(TypeError, match="strategies"):
        time_strategies({})
    with pytest.raises(ValueError, match="repeats"):
        time_strategies({"a": lambda: 1}, repeats=0)


@settings(max_examples=20, deadline=None)
@given(data=st.binary(max_size=5000), block_size=st.integers(1, 6000))
def test_checksum_is_sha256_of_the_whole_file_whatever_the_block_size(tmp_path_factory, data, block_size):
    path = tmp_path_factory.mktemp("checksum") / "file.bin"
    path.write_bytes(data)
    assert checksum(path, block_size=block_size) == hashlib.sha256(data).hexdigest()


def test_checksum_rejects_a_bad_block_size(tmp_path):
    (tmp_path / "f").write_bytes(b"x")
    with pytest.raises(ValueError, match="block_size"):
        checksum(tmp_path / "f", block_size=0)


def test_temporary_files_are_random_sized_and_removed():
    with temporary_files(3, 1) as paths:
        assert len(paths) == 3
        assert all(os.path.getsize(p) == 2**20 for p in paths)
        assert len({checksum(p) for p in paths}) == 3  # different contents
        directory = os.path.dirname(paths[0])
    assert not os.path.exists(directory)


def test_files_are_reproducible(tmp_path):
    (first,) = write_random_files(tmp_path, 1, 1)
    again = tmp_path / "again"
    again.mkdir()
    (second,) = write_random_files(again, 1, 1)
    assert checksum(first) == checksum(second)
    with pytest.raises(ValueError, match="megabytes"):
        write_random_files(tmp_path, 1, 0)


def test_sine_sum_matches_math():
    values = np.linspace(0, 10, 1001)
    assert sine_sum(values) == pytest.approx(math.fsum(math.sin(x) for x in values), rel=1e-12)
    assert isinstance(sine_sum(values), float)


@pytest.mark.parametrize("nogil", [False, True])
def test_compiled_is_prime_agrees_with_python(nogil):
    compiled = compiled_is_prime(nogil=nogil)
    assert compiled is compiled_is_prime(nogil=nogil)  # compiled once
    numbers = list(range(200)) + [2**31 - 1, 2**31 + 1, 10**12 + 39]
    assert [compiled(n) for n in numbers] == [is_prime(n) for n in numbers]


def test_same_result_compares_arrays_element_by_element():
    from parallel_patterns.helpers.gil import same_result

    a = [np.arange(3), np.arange(4)]
    assert same_result(a, [np.arange(3), np.arange(4)])
    assert not same_result(a, [np.arange(3), np.arange(1, 5)])
    assert not same_result(a, a[:1])
    assert same_result((1, "x"), [1, "x"]) and not same_result(1, 2)


def test_time_strategies_accepts_array_results():
    times = time_strategies({"a": lambda: np.arange(5), "b": lambda: np.arange(5)}, repeats=1)
    assert set(times) == {"a", "b"}
