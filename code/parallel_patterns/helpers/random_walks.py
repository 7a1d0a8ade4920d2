"""Random walks in parallel, with random numbers that do not depend on the workers.

A walker starts at 0 and takes ``n_steps`` steps of +1 or -1 at random; after
n steps its mean squared distance from the start is n. Simulating many walkers
is embarrassingly parallel, and a classic place to get random numbers wrong.

The right way: one seed for the whole simulation, split into one independent
stream *per task* with ``numpy.random.SeedSequence(seed).spawn(n_tasks)``. A
task's numbers then depend only on the seed and the task's number, never on
which worker ran it or how many workers there were, so 1 worker and 16 give the
same result, bit for bit, and the streams do not overlap.

Two wrong ways, kept here to be shown:

``walk_endpoints_reseeded``
    calls ``np.random.seed(seed)`` in every task, so every task replays the
    same stream: n tasks simulate the same walkers n times.
``draws_in_new_processes``
    draws from NumPy's global generator in new processes, trusting a seed set
    in the parent (``np.random.seed(42)`` at the top of a script). Under
    ``fork`` each child inherits a copy of the parent's seeded generator, so
    they all draw the *same* numbers; under ``spawn`` a child starts a fresh
    NumPy that never saw the seed and seeds itself from the operating system,
    so the numbers differ but no run can be repeated.
"""

import concurrent.futures
import itertools
import multiprocessing
import queue as queue_module

import numpy as np

from parallel_patterns._context import mp_context
from parallel_patterns._validate import check_int, check_positive_int, check_workers

TIMEOUT = 120  # seconds to wait for worker processes: longer means one was lost


def task_seeds(seed, n_tasks):
    """``n_tasks`` independent ``SeedSequence`` streams, all derived from
    ``seed``."""
    seed = check_int("seed", seed, minimum=0)
    n_tasks = check_positive_int("n_tasks", n_tasks)
    return np.random.SeedSequence(seed).spawn(n_tasks)


def walk_endpoints(seed_sequence, n_walkers, n_steps):
    """Where ``n_walkers`` walks of ``n_steps`` steps end, drawn from
    ``seed_sequence``.

    Returns an int64 array of ``n_walkers`` end points.
    """
    if not isinstance(seed_sequence, np.random.SeedSequence):
        kind = type(seed_sequence).__name__
        raise TypeError(
            f"seed_sequence must be a numpy.random.SeedSequence, got {kind}"
        )
    n_walkers = check_positive_int("n_walkers", n_walkers)
    n_steps = check_positive_int("n_steps", n_steps)
    rng = np.random.default_rng(seed_sequence)
    steps = rng.integers(0, 2, size=(n_walkers, n_steps), dtype=np.int8) * 2 - 1
    return steps.sum(axis=1, dtype=np.int64)


def simulate_walks(n_tasks, walkers_per_task, n_steps, *, seed=0, workers=1):
    """End points of ``n_tasks * walkers_per_task`` walks, task by task.

    Task ``i`` always draws from stream ``i`` of ``seed``, so the result is the
    same for any number of ``workers``. With 1 worker the tasks run here, in
    order; with more, in a process pool, in whatever order the pool likes.
    """
    seeds = task_seeds(seed, n_tasks)
    walkers_per_task = check_positive_int("walkers_per_task", walkers_per_task)
    n_steps = check_positive_int("n_steps", n_steps)
    workers = check_workers(workers)
    walkers, steps = itertools.repeat(walkers_per_task), itertools.repeat(n_steps)
    if workers == 1:
        parts = list(map(walk_endpoints, seeds, walkers, steps))
    else:
        context = mp_context()
        with concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=context
        ) as pool:
            parts = list(
                pool.map(walk_endpoints, seeds, walkers, steps, timeout=TIMEOUT)
            )
    return np.concatenate(parts)


def walk_endpoints_reseeded(seed, n_walkers, n_steps):
    """The mistake: reseed NumPy's global generator with the same seed in every task.

    Every call returns the same end points, whatever process runs it.
    """
    seed = check_int("seed", seed, minimum=0)
    n_walkers = check_positive_int("n_walkers", n_walkers)
    n_steps = check_positive_int("n_steps", n_steps)
    np.random.seed(seed)
    steps = np.random.randint(0, 2, size=(n_walkers, n_steps)) * 2 - 1
    return steps.sum(axis=1, dtype=np.int64)


def draw_from_global_generator(n_draws, results):
    """In a new process: put ``n_draws`` numbers from NumPy's global generator
    on a queue."""
    results.put(np.random.random(n_draws).tolist())


def draws_in_new_processes(n_processes, n_draws, start_method, *, timeout=60):
    """What ``n_processes`` new processes draw from NumPy's global generator.

    Returns one list of ``n_draws`` floats per process, started with
    ``start_method`` (``"fork"``, ``"spawn"`` or ``"forkserver"``). The
    children do not seed the generator; whatever state they draw from is what
    the start method gave them. Under ``fork`` that is a copy of the parent's
    generator as it stands, once the parent has seeded or used it. (A NumPy
    generator the parent has never touched is seeded in each child on first
    use, so then fork children differ too.) This function chooses its start
    method on purpose, to compare them; the rest of the package uses
    ``mp_context()``.
    """
    n_processes = check_positive_int("n_processes", n_processes)
    n_draws = check_positive_int("n_draws", n_draws)
    if start_method not in multiprocessing.get_all_start_methods():
        raise ValueError(
            f"start_method must be one of {multiprocessing.get_all_start_methods()}, "
            f"got {start_method!r}"
        )
    context = multiprocessing.get_context(start_method)
    results = context.Queue()
    children = [
        context.Process(target=draw_from_global_generator, args=(n_draws, results))
        for _ in range(n_processes)
    ]
    for child in children:
        child.start()
    try:
        # read before joining: a child that has put data exits only once it is read
        draws = [results.get(timeout=timeout) for _ in children]
    except queue_module.Empty:
        message = f"a {start_method} process sent nothing within {timeout} s"
        raise TimeoutError(message) from None
    finally:
        for child in children:
            child.join(timeout)
            if child.is_alive():
                child.kill()
                child.join()
    return draws
