"""parallel_patterns.helpers.races: the race is visible without the lock, gone with it."""

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parallel_patterns.helpers.races import (
    BankAccount,
    deposit_safe,
    deposit_unsafe,
    repeat_in_threads,
    run_deposits,
    run_withdrawals,
    withdraw_safe,
    withdraw_unsafe,
)

RUNS = 5  # the page shows one run; a demo that only sometimes works is no demo


def test_unlocked_deposits_lose_updates_every_time():
    for _ in range(RUNS):
        balance, expected = run_deposits(deposit_unsafe, threads=4, deposits=50, amount=10)
        assert balance < expected
        assert balance % 10 == 0  # whole deposits are lost, never half of one


def test_locked_deposits_lose_nothing():
    for _ in range(RUNS):
        assert run_deposits(deposit_safe, threads=4, deposits=50, amount=10) == (2000, 2000)


@settings(max_examples=15, deadline=None)
@given(threads=st.integers(1, 6), deposits=st.integers(1, 30), amount=st.integers(1, 100))
def test_locked_deposits_are_exact_for_any_shape(threads, deposits, amount):
    balance, expected = run_deposits(deposit_safe, threads=threads, deposits=deposits, amount=amount)
    assert balance == expected == threads * deposits * amount


def test_one_thread_cannot_race():
    assert run_deposits(deposit_unsafe, threads=1, deposits=20, amount=5) == (100, 100)


def test_unlocked_withdrawals_overdraw_every_time():
    for _ in range(RUNS):
        balance, successes = run_withdrawals(withdraw_unsafe, balance=100, threads=4, attempts=10, amount=10)
        assert balance < 0
        assert successes > 10


def test_locked_withdrawals_never_overdraw():
    for _ in range(RUNS):
        assert run_withdrawals(withdraw_safe, balance=100, threads=4, attempts=10, amount=10) == (0, 10)


def test_locked_withdrawals_stop_at_what_is_there():
    # 95 covers nine withdrawals of 10; 5 stays in the account
    assert run_withdrawals(withdraw_safe, balance=95, threads=3, attempts=10, amount=10) == (5, 9)


def test_withdraw_refuses_more_than_the_balance():
    account = BankAccount(5)
    assert withdraw_safe(account, 10) is False and account.balance == 5
    assert withdraw_unsafe(account, 10) is False and account.balance == 5
    assert withdraw_safe(account, 5) is True and account.balance == 0


def test_single_calls_do_what_they_say():
    account = BankAccount(1)
    deposit_unsafe(account, 2)
    deposit_safe(account, 3)
    assert account.balance == 6
    assert repr(account) == "BankAccount(balance=6)"
    assert not account.lock.locked()


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"threads": 0}, ValueError),
        ({"deposits": -1}, ValueError),
        ({"amount": 0}, ValueError),
        ({"amount": "10"}, TypeError),
        ({"threads": 2.0}, TypeError),
    ],
)
def test_run_deposits_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        run_deposits(deposit_safe, **kwargs)


def test_run_withdrawals_and_account_reject_bad_arguments():
    with pytest.raises(ValueError, match="balance"):
        run_withdrawals(withdraw_safe, balance=-1)
    with pytest.raises(ValueError, match="attempts"):
        run_withdrawals(withdraw_safe, attempts=0)
    with pytest.raises(TypeError, match="balance"):
        BankAccount("100")


def test_repeat_in_threads_returns_every_result_and_overlaps_the_threads():

    seen = set()

    def record(account, amount):
        seen.add(threading.get_ident())
        return amount

    results = repeat_in_threads(record, BankAccount(0), 3, threads=4, repeats=5)
    assert results == [3] * 20
    assert len(seen) == 4  # four different threads did the work
