"""A race condition you can see, and the lock that fixes it.

Threads share their process's memory, so two threads can update the same
object. An update such as "add 10 to the balance" is really three steps: read
the balance, compute the new one, write it back. If another thread writes the
balance between our read and our write, our write overwrites its update, and
that money is lost: a *lost update*.

In CPython the interpreter switches threads rarely, and (from 3.10 on) hardly
ever between those three steps of a short statement, so a racy program can
give the right answer a thousand times in a row and then not. To make the race
show up every time, the unsafe functions here call ``time.sleep(PAUSE)``, a
millisecond, between the read and the write. A sleeping thread lets go of the
GIL and of its core, so another thread runs exactly there, even on a machine
with one free core. (``time.sleep(0)`` releases the GIL too, but on one core
the sleeper often takes it straight back.) Real programs do the same thing by
accident whenever they do I/O, call into a C library or log a message between
reading and writing shared data.

The fix is a ``threading.Lock`` held for the *whole* read-modify-write (or
check-then-act): while one thread holds it, any other thread that asks for it
waits, so the steps of one update can no longer interleave with another's.
"""

import threading
import time

from parallel_patterns._validate import check_int, check_positive_int

PAUSE = 0.001  # seconds between read and write in the examples: the window a race needs


class BankAccount:
    """A balance that several threads update, and the lock that protects it.

    The lock does nothing by itself: it only helps if every function that
    updates ``balance`` holds it while doing so.
    """

    def __init__(self, balance=0):
        self.balance = check_int("balance", balance)
        self.lock = threading.Lock()

    def __repr__(self):
        return f"BankAccount(balance={self.balance})"


def deposit_unsafe(account, amount):
    """Add ``amount`` to the balance with no lock: updates can be lost."""
    balance = account.balance  # 1. read
    time.sleep(PAUSE)  # 2. another thread may run here, and deposit too...
    # 3. ...and this write erases its deposit
    account.balance = balance + amount


def deposit_safe(account, amount):
    """Add ``amount`` to the balance while holding the account's lock."""
    with account.lock:  # other depositors wait here until we are done
        balance = account.balance
        time.sleep(PAUSE)  # another thread may run, but cannot enter the lock
        account.balance = balance + amount


def withdraw_unsafe(account, amount):
    """Take ``amount`` out if the balance covers it; return whether it did.

    Check-then-act with no lock: two threads can both see enough money,
    then both take it out, and the account is overdrawn.
    """
    if account.balance >= amount:  # check
        time.sleep(PAUSE)  # another withdrawal may happen here
        account.balance -= amount  # act, on a check that may no longer hold
        return True
    return False


def withdraw_safe(account, amount):
    """Take ``amount`` out if the balance covers it, locking check *and* act."""
    with account.lock:
        if account.balance >= amount:
            time.sleep(PAUSE)
            account.balance -= amount
            return True
        return False


def repeat_in_threads(operation, account, amount, *, threads, repeats):
    """Start ``threads`` threads that each call ``operation(account, amount)``
    ``repeats`` times, wait for all of them, and return every call's result.

    Each thread appends to a list of its own, so collecting the results
    needs no lock. The barrier holds every thread back until all have
    started, so that their calls overlap instead of running one thread after
    another.
    """
    barrier = threading.Barrier(threads)
    results = [[] for _ in range(threads)]

    def work(mine):
        barrier.wait()
        for _ in range(repeats):
            mine.append(operation(account, amount))

    workers = [threading.Thread(target=work, args=(mine,)) for mine in results]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()  # wait until this thread has finished
    return [result for mine in results for result in mine]


def run_deposits(deposit, *, threads=4, deposits=50, amount=10):
    """Let ``threads`` threads each make ``deposits`` deposits of ``amount``
    into a new account with ``deposit``; return ``(final balance, expected balance)``.
    """
    threads = check_positive_int("threads", threads)
    deposits = check_positive_int("deposits", deposits)
    amount = check_positive_int("amount", amount)
    account = BankAccount(0)
    repeat_in_threads(deposit, account, amount, threads=threads, repeats=deposits)
    return account.balance, threads * deposits * amount


def run_withdrawals(withdraw, *, balance=100, threads=4, attempts=10, amount=10):
    """Let ``threads`` threads each try ``attempts`` withdrawals of ``amount``
    from an account holding ``balance``, with ``withdraw``.

    Returns ``(final balance, number of withdrawals that succeeded)``. A correct
    ``withdraw`` never leaves the balance below zero, and the successful
    withdrawals account for every unit of money taken out.
    """
    balance = check_int("balance", balance, minimum=0)
    threads = check_positive_int("threads", threads)
    attempts = check_positive_int("attempts", attempts)
    amount = check_positive_int("amount", amount)
    account = BankAccount(balance)
    results = repeat_in_threads(
        withdraw, account, amount, threads=threads, repeats=attempts
    )
    return account.balance, sum(results)
