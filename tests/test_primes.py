"""Tests of parallel_patterns.primes: trial division is right, every strategy agrees."""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from parallel_patterns import primes

PROCESS_STRATEGIES = {"processes", "futures", "joblib"}


def sieve(limit):
    """Primality of 0..limit-1 by the sieve of Eratosthenes: an independent oracle."""
    flags = [False, False] + [True] * (limit - 2)
    for n in range(2, int(limit**0.5) + 1):
        if flags[n]:
            flags[n * n :: n] = [False] * len(flags[n * n :: n])
    return flags


def test_is_prime_matches_the_sieve_below_5000():
    assert [primes.is_prime(n) for n in range(5000)] == sieve(5000)


def test_miller_rabin_matches_the_sieve_below_5000():
    assert [primes.is_prime_miller_rabin(n) for n in range(5000)] == sieve(5000)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**11))
@example(10**11 + 3)  # prime
@example(999_983 * 999_983)  # the square of a prime: the last divisor tried must be √n
@example(2**31 - 1)  # a Mersenne prime
def test_trial_division_and_miller_rabin_agree(n):
    assert primes.is_prime(n) == primes.is_prime_miller_rabin(n)


def test_numba_agrees_near_the_limit():
    compiled = primes.compiled_is_prime()
    largest_prime = primes.primes_after(primes.MAX_NUMBER - 100, 1)[0]
    square = 99_999_989**2  # a prime squared, just below 10**16
    for n in (largest_prime, square, square + 2, primes.MAX_NUMBER):
        assert compiled(n) == primes.is_prime_miller_rabin(n), n


@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("strategy", list(primes.IMPLEMENTATIONS))
def test_every_strategy_returns_the_serial_result(strategy, workers):
    implementation = primes.IMPLEMENTATIONS[strategy]

    @settings(max_examples=2 if strategy in PROCESS_STRATEGIES else 15, deadline=None)
    @given(st.lists(st.integers(0, 10**9), max_size=8))  # Hypothesis tries [] first
    def check(numbers):
        result = implementation(numbers, workers=workers)
        assert result == primes.primes_serial(numbers)
        assert all(type(flag) is bool for flag in result)

    check()


def test_numpy_integers_and_ranges_are_accepted():
    assert primes.primes_serial(np.array([2, 4, 7])) == [True, False, True]
    assert primes.primes_numba(range(5), workers=2) == [False, False, True, True, False]


@pytest.mark.parametrize("strategy", list(primes.IMPLEMENTATIONS))
@pytest.mark.parametrize(
    ("numbers", "workers", "error", "match"),
    [
        (17, 1, TypeError, "numbers must be a sequence"),
        ("17", 1, TypeError, "numbers must be a sequence"),
        ([3, -1], 1, ValueError, r"numbers\[1\] must be >= 0"),
        ([2.0], 1, TypeError, r"numbers\[0\] must be an integer"),
        ([True], 1, TypeError, r"numbers\[0\] must be an integer"),
        ([5, primes.MAX_NUMBER + 1], 1, ValueError, r"numbers\[1\] must be <= 1e\+16"),
        ([5], 0, ValueError, "workers"),
    ],
)
def test_bad_arguments_are_named_in_the_error(strategy, numbers, workers, error, match):
    with pytest.raises(error, match=match):
        primes.IMPLEMENTATIONS[strategy](numbers, workers=workers)


def test_primes_after():
    assert primes.primes_after(0, 5) == [2, 3, 5, 7, 11]
    assert primes.primes_after(89, 2) == [97, 101]


def test_benchmark_case_yields_primes_and_checks_size():
    with primes.benchmark_case(3) as (args, kwargs):
        (numbers,) = args
        assert len(numbers) == 3 and min(numbers) > primes.BENCHMARK_START
        assert primes.primes_numba(*args, workers=2, **kwargs) == [True] * 3
    with pytest.raises(TypeError, match="size"):
        with primes.benchmark_case(2.5):
            pass
