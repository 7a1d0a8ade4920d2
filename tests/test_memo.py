"""A functools cache lives in one process: pool workers have their own."""

import concurrent.futures

import pytest

from parallel_patterns.helpers import memo
from parallel_patterns._context import mp_context


def test_slow_square_is_cached():
    memo.slow_square.cache_clear()
    assert memo.slow_square(12) == memo.slow_square(12) == 144
    info = memo.slow_square.cache_info()
    assert (info.hits, info.misses) == (1, 1)


def test_each_worker_has_its_own_cache():
    memo.slow_square.cache_clear()
    with concurrent.futures.ProcessPoolExecutor(max_workers=2, mp_context=mp_context()) as pool:
        list(pool.map(memo.timed_square, [0, 0], [0.3, 0.3], timeout=60))  # both workers are up
        probes = list(pool.map(memo.cached_probe, [7] * 8, timeout=60))
    assert {result for _, result, _, _ in probes} == {49}
    misses = {}
    for pid, _, _, miss in probes:
        misses[pid] = max(misses.get(pid, 0), miss)
    assert set(misses.values()) == {1}  # each worker computed 7 * 7 once, for itself
    assert memo.slow_square.cache_info().currsize == 0  # and the parent's cache saw none of it


def test_bad_input():
    with pytest.raises(TypeError):
        memo.slow_square("7")
    with pytest.raises(TypeError, match="unhashable"):
        memo.slow_square([7])
    with pytest.raises(ValueError, match="seconds"):
        memo.timed_square(3, -1)
