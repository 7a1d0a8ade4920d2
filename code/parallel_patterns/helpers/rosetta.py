"""One map, every library: the code of the lesson's reference page.

The lesson meets many ways of running work in parallel. This module writes the
*same* job once in each of them, so that they can be read side by side: which
of a list of numbers are prime? The work per number is
:func:`parallel_patterns.primes.is_prime`, trial division in pure Python: it
keeps a core busy in the interpreter, holding the GIL, and every number is
independent of the others (an embarrassingly parallel map).

Every version takes the list of numbers and returns a list of ``True``/``False``
in the same order, so their results can be compared with ``==``:

``with_loop``               a list comprehension: the baseline.
``with_thread_executor``    ``concurrent.futures.ThreadPoolExecutor``: threads,
                            which the GIL stops from computing at the same time.
``with_pool``               ``multiprocessing.Pool``: one interpreter per process.
``with_process_executor``   ``concurrent.futures.ProcessPoolExecutor``: the same
                            with the newer API.
``with_joblib``             ``joblib.Parallel`` with ``delayed``.
``with_numba_prange``       the test compiled by numba, the loop over numbers
                            spread over threads with ``prange``.
``with_dask_delayed``       one ``dask.delayed`` task per number.
``with_dask_bag``           a ``dask.bag`` of numbers, mapped.
``with_dask_distributed``   ``client.map`` on a ``dask.distributed`` cluster that
                            :func:`local_cluster` starts.

The dask versions pass ``chunksize=1``: dask's processes scheduler otherwise
sends ready tasks to the pool in batches of six, and with few partitions one
worker can receive all of them while the others wait.

Process-based versions start their workers with the package's start method
(:func:`parallel_patterns._context.mp_context`, ``spawn`` by default) and close
them before they return; waits have a timeout, so a broken worker raises an
error instead of hanging the caller. numba and dask are imported inside the
functions that need them: worker processes import this module too, and should
not pay for libraries they never use.
"""

import concurrent.futures
import contextlib
import functools

from parallel_patterns._context import mp_context, start_method
from parallel_patterns._validate import check_positive_number, check_workers
from parallel_patterns.primes import check_numbers, is_prime

TIMEOUT = 120  # seconds any version may wait for its workers before giving up


def with_loop(numbers, *, workers=1):
    """The baseline: one number after another, on one core."""
    numbers, workers = check_numbers(numbers), check_workers(workers)
    return [is_prime(n) for n in numbers]


def with_thread_executor(numbers, *, workers=1):
    """Threads of one process: they share one GIL.

    So only one computes at a time.
    """
    numbers, workers = check_numbers(numbers), check_workers(workers)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(is_prime, numbers, timeout=TIMEOUT))


def with_pool(numbers, *, workers=1):
    """``multiprocessing.Pool``: each process has its own interpreter and GIL.
    """
    numbers, workers = check_numbers(numbers), check_workers(workers)
    with mp_context().Pool(processes=workers) as pool:
        return pool.map_async(
            is_prime, numbers, chunksize=1
        ).get(timeout=TIMEOUT)


def with_process_executor(numbers, *, workers=1):
    """``concurrent.futures.ProcessPoolExecutor``.

    Processes behind the futures API.
    """
    numbers, workers = check_numbers(numbers), check_workers(workers)
    with concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=mp_context()
    ) as pool:
        return list(pool.map(is_prime, numbers, timeout=TIMEOUT))


def with_joblib(numbers, *, workers=1):
    """``joblib.Parallel``: a generator of ``delayed`` calls.

    They are run by a process pool. Passing a multiprocessing context as the
    backend gives a plain pool that closes when the call returns (joblib's
    default backend, loky, keeps its workers alive for the next call).
    """
    from joblib import Parallel, delayed

    numbers, workers = check_numbers(numbers), check_workers(workers)
    # one worker runs in this process: nothing to wait for
    timeout = TIMEOUT if workers > 1 else None
    run = Parallel(
        n_jobs=workers, backend=mp_context(), batch_size=1, timeout=timeout
    )
    return run(delayed(is_prime)(n) for n in numbers)


@functools.cache
def prange_kernel():
    """Compile, once, a numba function that tests an array of numbers.

    It loops with ``prange``. ``prange`` tells numba that the iterations are
    independent, so with ``parallel=True`` it splits the loop over its own
    threads. The compiled code does not need the GIL, so the threads really run
    at the same time.
    """
    import numba
    import numpy as np

    compiled_is_prime = numba.njit(is_prime)

    @numba.njit(parallel=True)
    def test_all(numbers):
        flags = np.empty(len(numbers), dtype=np.bool_)
        for i in numba.prange(len(numbers)):
            flags[i] = compiled_is_prime(numbers[i])
        return flags

    return test_all


def with_numba_prange(numbers, *, workers=1):
    """numba: the test compiled to machine code, the loop split over ``workers`` threads."""
    import numba
    import numpy as np

    numbers, workers = check_numbers(numbers), check_workers(workers)
    if workers > numba.config.NUMBA_NUM_THREADS:
        raise ValueError(f"workers must be <= {numba.config.NUMBA_NUM_THREADS} (numba's threads), got {workers}")
    test_all = prange_kernel()
    before = numba.get_num_threads()
    numba.set_num_threads(workers)
    try:
        return test_all(np.array(numbers, dtype=np.int64)).tolist()
    finally:
        numba.set_num_threads(before)


def with_dask_delayed(numbers, *, workers=1):
    """``dask.delayed``: one lazy task per number, then one ``compute``.

    The ``compute`` runs on a process pool.
    """
    import dask

    numbers, workers = check_numbers(numbers), check_workers(workers)
    tasks = [dask.delayed(is_prime)(n) for n in numbers]
    with concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=mp_context()
    ) as pool:
        return list(
            dask.compute(*tasks, scheduler="processes", pool=pool, chunksize=1)
        )


def with_dask_bag(numbers, *, workers=1):
    """``dask.bag``: the numbers in partitions, ``map`` applied to each.

    It runs on a process pool.
    """
    import dask.bag

    numbers, workers = check_numbers(numbers), check_workers(workers)
    bag = dask.bag.from_sequence(
        numbers, npartitions=min(len(numbers), 8 * workers) or 1
    )
    with concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=mp_context()
    ) as pool:
        return bag.map(is_prime).compute(
            scheduler="processes", pool=pool, chunksize=1
        )


@contextlib.contextmanager
def local_cluster(workers=1, *, timeout=60):
    """A ``dask.distributed`` cluster of ``workers`` processes, and its client.

    The cluster runs on this machine. One thread per worker process, so
    pure-Python tasks do not fight over a GIL. The dashboard goes to a free
    port of 127.0.0.1: with ``dashboard_address=None`` the scheduler still
    starts its HTTP server, on 0.0.0.0:8787, which clashes with any other
    cluster on the machine. Both the client and the cluster are closed when the
    ``with`` block ends, however it ends.
    """
    import dask
    from dask.distributed import Client, LocalCluster

    workers = check_workers(workers)
    timeout = check_positive_number("timeout", timeout)
    with dask.config.set(
        {"distributed.worker.multiprocessing-method": start_method()}
    ):
        with LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",
            timeout=timeout,
        ) as cluster, Client(cluster, timeout=timeout) as client:
            yield client


def with_dask_distributed(numbers, *, client):
    """``dask.distributed``: ``client.map`` sends one task per number.

    It sends them to the cluster's workers.
    """
    from dask.distributed import Client, wait

    numbers = check_numbers(numbers)
    if not isinstance(client, Client):
        raise TypeError(
            f"client must be a dask.distributed.Client, "
            f"got {type(client).__name__}"
        )
    # pure=False: never reuse an earlier call's result
    futures = client.map(is_prime, numbers, pure=False)
    wait(futures, timeout=TIMEOUT)
    return client.gather(futures)


def distributed_on_new_cluster(numbers, *, workers=1):
    """``with_dask_distributed`` with a cluster of its own: same arguments as the others."""
    numbers = check_numbers(numbers)  # before the cluster starts: bad input fails fast
    with local_cluster(workers) as client:
        return with_dask_distributed(numbers, client=client)


VERSIONS = {
    "loop": with_loop,
    "ThreadPoolExecutor": with_thread_executor,
    "multiprocessing.Pool": with_pool,
    "ProcessPoolExecutor": with_process_executor,
    "joblib": with_joblib,
    "numba prange": with_numba_prange,
    "dask.delayed": with_dask_delayed,
    "dask.bag": with_dask_bag,
    "dask.distributed": distributed_on_new_cluster,
}
