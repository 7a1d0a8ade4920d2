"""Which of these numbers are prime? The lesson's CPU-bound workload.

Testing a large number for primality by trial division keeps one core busy
doing arithmetic in the Python interpreter, with no I/O and hardly any data to
move: exactly the kind of work that the GIL stops threads from sharing, and
that processes (or compiled code released from the GIL) run in parallel.

The test: ``n`` is prime if no number from 2 up to √n divides it. Every prime
above 3 is one more or one less than a multiple of 6 (the others are multiples
of 2 or 3), so after checking 2 and 3 it is enough to try 5, 7, 11, 13, 17,
19, ... (6k - 1 and 6k + 1). A prime near 10**13 still needs about a million
trial divisions: a fifth of a second in Python.

Numbers are limited to ``MAX_NUMBER`` (10**16): numba works with 64-bit
integers, and beyond that trial division takes minutes per number anyway.

The strategies (each maps ``is_prime`` over the numbers):
``serial``     a list comprehension.
``threads``    a thread pool: correct, but no faster, because only the thread
               holding the GIL runs Python code.
``processes``  a ``multiprocessing`` pool: one interpreter (and one GIL) per process.
``futures``    ``concurrent.futures.ProcessPoolExecutor.map``: the same, newer API.
``joblib``     ``joblib.Parallel`` over a process pool.
``numba``      ``is_prime`` compiled by numba with ``nogil=True``, mapped by a
               thread pool: compiled code that releases the GIL runs in
               parallel threads, with none of the cost of starting processes.

Each number is one task (``chunksize=1``): a prime costs a million times more
than an even number, so handing out numbers one at a time keeps every worker
busy until the end.

numba is imported when the numba strategy first runs, not when this module is
imported: every worker process that ``spawn`` starts imports this module, and
importing numba would add about 0.2 s to each one.
"""

import collections.abc
import concurrent.futures
import contextlib
import functools

from parallel_patterns._context import mp_context
from parallel_patterns._validate import check_int, check_positive_int, check_workers

MAX_NUMBER = 10**16
BENCHMARK_START = 10**13  # the benchmark tests the primes that follow this number
DEFAULT_SIZE = 12  # primes just above 10**13: about 2.4 s for the serial strategy
TIMEOUT = 600  # seconds to wait for worker processes: longer means one was lost


def is_prime(n):
    """True if the integer ``n`` is prime, by trial division with 6k ± 1."""
    if n < 2:
        return False
    if n < 4:
        return True  # 2 and 3
    if n % 2 == 0 or n % 3 == 0:
        return False
    divisor = 5
    while divisor * divisor <= n:
        if n % divisor == 0 or n % (divisor + 2) == 0:
            return False
        divisor += 6
    return True


@functools.cache
def compiled_is_prime():
    """``is_prime`` compiled by numba, which releases the GIL while it runs."""
    import numba  # here, not at the top: see the module docstring

    return numba.njit(nogil=True)(is_prime)


def check_numbers(numbers):
    """Return ``numbers`` as a list of ints, each in 0..MAX_NUMBER, or raise."""
    if isinstance(numbers, (str, bytes)) or not isinstance(numbers, collections.abc.Iterable):
        raise TypeError(
            f"numbers must be a sequence of integers, got {type(numbers).__name__}"
        )
    checked = []
    for index, n in enumerate(numbers):
        n = check_int(f"numbers[{index}]", n, minimum=0)
        if n > MAX_NUMBER:
            raise ValueError(f"numbers[{index}] must be <= {MAX_NUMBER:.0e}, got {n}")
        checked.append(n)
    return checked


def primes_serial(numbers, *, workers=1):
    """Test each number in turn."""
    numbers, workers = check_numbers(numbers), check_workers(workers)
    return [is_prime(n) for n in numbers]


def primes_threads(numbers, *, workers=1):
    """Test numbers in a thread pool.

    The GIL lets only one thread compute at a time.
    """
    numbers, workers = check_numbers(numbers), check_workers(workers)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(is_prime, numbers))


def primes_processes(numbers, *, workers=1):
    """Test numbers in a pool of processes, one number per task."""
    numbers, workers = check_numbers(numbers), check_workers(workers)
    with mp_context().Pool(processes=workers) as pool:
        return pool.map_async(
            is_prime, numbers, chunksize=1
        ).get(timeout=TIMEOUT)


def primes_futures(numbers, *, workers=1):
    """Test numbers with ``ProcessPoolExecutor.map`` (results come back in order)."""
    numbers, workers = check_numbers(numbers), check_workers(workers)
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=mp_context()) as pool:
        return list(pool.map(is_prime, numbers, timeout=TIMEOUT))


def primes_joblib(numbers, *, workers=1):
    """Test numbers with ``joblib.Parallel``.

    Passing a multiprocessing context as ``backend`` makes joblib use a plain
    process pool with the package's start method, closed when the call returns.
    (joblib's default backend, loky, keeps its workers alive between calls to
    save start-up time: handy in a notebook, but they outlive the call.)
    With one worker joblib makes the calls itself, without a pool, and takes
    no timeout.
    """
    from joblib import Parallel, delayed

    numbers, workers = check_numbers(numbers), check_workers(workers)
    timeout = TIMEOUT if workers > 1 else None
    parallel = Parallel(n_jobs=workers, backend=mp_context(), batch_size=1, timeout=timeout)
    return parallel(delayed(is_prime)(n) for n in numbers)


def primes_numba(numbers, *, workers=1):
    """Test numbers with compiled ``is_prime`` in a thread pool (it drops the GIL)."""
    numbers, workers = check_numbers(numbers), check_workers(workers)
    compiled = compiled_is_prime()
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(compiled, numbers))


IMPLEMENTATIONS = {
    "serial": primes_serial,
    "threads": primes_threads,
    "processes": primes_processes,
    "futures": primes_futures,
    "joblib": primes_joblib,
    "numba": primes_numba,
}


def is_prime_miller_rabin(n):
    """True if ``n`` is prime, in microseconds rather than seconds.

    The deterministic Miller–Rabin test: for n below 3.3 * 10**24, checking the
    twelve bases 2, 3, ..., 37 is proven to be exact. Not a strategy (it is a
    different algorithm, not a different way to run the same one); the
    benchmark uses it to find its primes quickly. A better algorithm often
    beats more cores.
    """
    n = check_int("n", n, minimum=0)
    bases = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)
    if n < 2:
        return False
    if n in bases:
        return True
    if any(n % p == 0 for p in bases):
        return False
    odd, twos = n - 1, 0  # n - 1 = odd * 2**twos
    while odd % 2 == 0:
        odd, twos = odd // 2, twos + 1
    for base in bases:
        x = pow(base, odd, n)
        if x in (1, n - 1):
            continue
        for _ in range(twos - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False  # base is a witness that n is composite
    return True


def primes_after(start, count):
    """The first ``count`` primes greater than ``start``."""
    found = []
    n = start
    while len(found) < count:
        n += 1
        if is_prime_miller_rabin(n):
            found.append(n)
    return found


@contextlib.contextmanager
def benchmark_case(size):
    """Arguments for one benchmark run: the ``size`` primes after ``BENCHMARK_START``.

    All primes, so every number costs the same full trial division.
    """
    size = check_positive_int("size", size)
    yield (primes_after(BENCHMARK_START, size),), {}
