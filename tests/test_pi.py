"""Tests of parallel_patterns.pi: every strategy returns exactly the serial float."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parallel_patterns import pi

PROCESS_STRATEGIES = {"processes", "futures"}  # each example starts a pool: keep them few


@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("strategy", list(pi.IMPLEMENTATIONS))
def test_every_strategy_returns_exactly_the_serial_estimate(strategy, workers):
    estimate = pi.IMPLEMENTATIONS[strategy]

    @settings(max_examples=2 if strategy in PROCESS_STRATEGIES else 15, deadline=None)
    @given(n_samples=st.integers(1, 3000), seed=st.integers(0, 2**64))
    def check(n_samples, seed):
        assert estimate(n_samples, seed=seed, workers=workers) == pi.pi_serial(
            n_samples, seed=seed
        )

    check()


def test_the_estimate_is_close_to_pi():
    # 4 * Binomial(n, π/4) / n has a standard deviation of about 1.64 / sqrt(n).
    n_samples = 400_000
    assert abs(pi.pi_numpy(n_samples, seed=1) - math.pi) < 5 * 1.64 / math.sqrt(n_samples)


def test_the_estimate_depends_on_the_seed():
    estimates = {pi.pi_numpy(10_000, seed=seed) for seed in range(5)}
    assert len(estimates) > 1


def test_numba_draws_the_same_numbers_as_numpy():
    import numba

    @numba.njit
    def draw(rng, n):
        out = np.empty(n)
        for i in range(n):
            out[i] = rng.random()
        return out

    seed = pi.chunk_seeds(7)[3]
    from_numba = draw(np.random.default_rng(seed), 10_000)
    from_numpy = np.random.default_rng(seed).random(10_000)
    assert np.array_equal(from_numba, from_numpy)


@pytest.mark.parametrize("n_samples", [1, 2, 1000, pi.BLOCK, pi.BLOCK + 17])
def test_the_four_chunk_counters_agree(n_samples):
    seed = pi.chunk_seeds(42)[5]
    counts = {
        "plain loop": pi.count_inside(np.random.default_rng(seed), n_samples),
        "compiled loop": pi.count_chunk_numba(seed, n_samples),
        "python blocks": pi.count_chunk_python(seed, n_samples),
        "numpy blocks": pi.count_chunk_numpy(seed, n_samples),
    }
    assert len(set(counts.values())) == 1, counts
    assert 0 <= counts["plain loop"] <= n_samples


@given(st.integers(1, 10**9))
def test_chunks_cover_every_sample_and_do_not_depend_on_workers(n_samples):
    sizes = pi.chunk_sizes(n_samples)
    assert len(sizes) == pi.CHUNKS
    assert sum(sizes) == n_samples
    assert max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize("strategy", list(pi.IMPLEMENTATIONS))
@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"n_samples": 0}, ValueError, "n_samples"),
        ({"n_samples": 10.0}, TypeError, "n_samples"),
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": "0"}, TypeError, "seed"),
        ({"workers": 0}, ValueError, "workers"),
        ({"workers": 2.0}, TypeError, "workers"),
    ],
)
def test_bad_arguments_are_named_in_the_error(strategy, kwargs, error, name):
    arguments = {"n_samples": 100, "seed": 0, "workers": 1, **kwargs}
    n_samples = arguments.pop("n_samples")
    with pytest.raises(error, match=name):
        pi.IMPLEMENTATIONS[strategy](n_samples, **arguments)


def test_benchmark_case_yields_a_call_and_checks_size():
    with pi.benchmark_case(1000) as (args, kwargs):
        assert pi.pi_serial(*args, workers=1, **kwargs) == pi.pi_numba(*args, **kwargs)
    with pytest.raises(ValueError, match="size"):
        with pi.benchmark_case(0):
            pass
