"""Small functions for the dask episode: a lazy pipeline, its picture, and timing.

dask builds a *task graph* first and runs it later. To make that visible the
episode needs four kinds of code. They live here so that the page shows tested
code, and so that every worker process can import what it runs: with
``spawn`` a worker is a fresh interpreter, which can import a function from a
module but not from a notebook cell (dask's cloudpickle can copy some notebook
functions by value; the standard library's pickle cannot).

* A toy pipeline for ``dask.delayed``: weather stations whose readings take a
  while to fetch (:func:`read_station`), are cleaned (:func:`drop_faulty`) and
  averaged (:func:`average`), and the warmest station is picked
  (:func:`warmest`). :data:`CALLS` counts how often each step really ran, so
  the episode can show *when* a function runs, not just what it returns.
* Functions a ``dask.bag`` of texts calls once per item: :func:`is_long` (for
  ``filter``), :func:`longer_word` (for ``fold``), :func:`add_one` (for
  ``foldby``) and :func:`text_summary` (a record per text, for ``pluck``).
* :func:`draw_task_graph`, which draws any dask collection's graph with
  Graphviz from the graph's own dict (key -> task), one box per task.
* Work for the scheduler comparison: a NumPy reduction that releases the GIL
  (:func:`arch_area`, :func:`arch_area_numpy`) and, for pure-Python work,
  :func:`parallel_patterns.primes.is_prime`; the tools to time them
  (:func:`best_of`, :func:`time_computes`, :func:`cores_busy`); and two that
  show where tasks ran (:func:`which_process`, :func:`calls_seen_by_profiler`).

dask itself is imported inside the functions that use it, so a worker process
that only needs :func:`read_station` does not pay for importing ``dask.array``.
"""

import collections
import cProfile
import functools
import math
import os
import pstats
import random
import threading
import time
import zlib

from parallel_patterns._validate import check_nonnegative_number, check_positive_int

# --- A lazy pipeline: the warmest weather station ------------------------------

# Station -> its typical temperature in °C on the made-up day.
STATIONS = {"Tromsø": 3.0, "Bergen": 9.5, "Valencia": 19.0, "Lisbon": 17.5}
FAULTY = 999.0  # what a broken sensor reports instead of a temperature
READ_DELAY = 0.15  # seconds read_station waits, like a download

CALLS = collections.Counter()  # step name -> how many times it has run in this process
_calls_lock = threading.Lock()


def _count(step):
    with _calls_lock:
        CALLS[step] += 1


def read_station(station, *, n_readings=24, delay=READ_DELAY):
    """A day of hourly temperatures from ``station``, after a wait.

    The readings are made up but repeatable (seeded by the station's name),
    scattered around the station's typical temperature in :data:`STATIONS`;
    each is in °C, or :data:`FAULTY` where the sensor failed.
    The wait, like a download, is ``time.sleep``, which releases the GIL, so
    threads can wait for several stations at once.
    """
    if station not in STATIONS:
        raise ValueError(
            f"station must be one of {list(STATIONS)}, got {station!r}"
        )
    n_readings = check_positive_int("n_readings", n_readings)
    delay = check_nonnegative_number("delay", delay)
    _count("read_station")
    time.sleep(delay)
    rng = random.Random(zlib.crc32(station.encode()))
    typical = STATIONS[station]
    return [
        FAULTY if rng.random() < 0.1 else round(typical + rng.gauss(0, 2), 1)
        for _ in range(n_readings)
    ]


def drop_faulty(readings):
    """The readings without the broken sensor's :data:`FAULTY` values."""
    _count("drop_faulty")
    return [r for r in readings if r != FAULTY]


def average(readings):
    """The mean of a non-empty list of readings."""
    if not readings:
        raise ValueError("average needs at least one reading, got an empty list")
    _count("average")
    return sum(readings) / len(readings)


def warmest(stations, averages):
    """The name of the station with the highest average."""
    if len(stations) != len(averages) or not stations:
        raise ValueError(
            f"need one average per station, got {len(stations)} stations and {len(averages)} averages"
        )
    _count("warmest")
    return max(zip(averages, stations))[1]


def reset_calls():
    """Forget the counts in :data:`CALLS` (in this process)."""
    with _calls_lock:
        CALLS.clear()


# --- Small functions for bags of texts -------------------------------------------
#
# A bag calls these once per item. They live here, not in a notebook cell, so
# that the processes scheduler can import them in its worker processes.

LONG_WORD = 9  # letters


def is_long(word):
    """True for a word of at least :data:`LONG_WORD` letters (a predicate for ``filter``)."""
    return len(word) >= LONG_WORD


def longer_word(a, b):
    """The longer of two words; of two equally long, the first in alphabetical order.

    A ``fold`` combines items pairwise in an order that depends on the
    partitions, so its function must not care about the order: this one gives
    the same answer however the words are grouped.
    """
    return min(a, b, key=lambda word: (-len(word), word))


def add_one(count, _item):
    """``count + 1``, whatever the item: the step of a ``foldby`` that counts items."""
    return count + 1


def text_summary(text):
    """A record (a dict) about one text: its words, sentences and longest word."""
    from parallel_patterns.wordcount import words

    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    text_words = list(words(text))
    return {
        "words": len(text_words),
        "sentences": text.count("."),
        "longest": functools.reduce(longer_word, text_words, ""),
    }


# --- Drawing a task graph -------------------------------------------------------


def _label(key, node):
    """A short name for a graph key: dask's name for it, plus the chunk's index."""
    from dask.utils import key_split

    name = key_split(key)
    if isinstance(key, tuple) and len(key) > 1:
        name += " " + ",".join(str(i) for i in key[1:])
    if type(node).__name__ == "DataNode":
        value = repr(node.value)
        name += "\n= " + (value if len(value) <= 24 else value[:21] + "...")
    return name


def draw_task_graph(*collections, max_tasks=80, direction="BT"):
    """A ``graphviz.Digraph`` of the task graph behind dask collections.

    Every key of the graph becomes a node: a box for a task (a function to
    call), an ellipse for data that is already in the graph (a value that was
    computed, or passed in, before the graph ran). An arrow goes from each key
    to every task that needs it, so the results flow the way ``direction``
    points (``"BT"``: bottom to top, like dask's own pictures).

    The graph is the one dask would run, before optimisation (before dask
    fuses chains of tasks into one). Graphs of more than ``max_tasks`` keys
    raise ValueError: a picture of thousands of boxes explains nothing.
    """
    import graphviz
    from dask.base import is_dask_collection
    from dask.core import get_dependencies, istask

    if not collections or not all(is_dask_collection(c) for c in collections):
        raise TypeError("draw_task_graph needs one or more dask collections (delayed, bag, array, ...)")
    max_tasks = check_positive_int("max_tasks", max_tasks)
    if direction not in ("BT", "TB", "LR", "RL"):
        raise ValueError(f"direction must be one of BT, TB, LR, RL, got {direction!r}")
    graph = {}
    for collection in collections:
        graph.update(collection.__dask_graph__())
    if len(graph) > max_tasks:
        raise ValueError(f"the graph has {len(graph)} tasks, more than max_tasks={max_tasks}: use fewer chunks")
    picture = graphviz.Digraph(
        graph_attr={"rankdir": direction, "nodesep": "0.25", "ranksep": "0.35"},
        node_attr={"fontsize": "11", "fontname": "Helvetica"},
    )
    ids = {key: f"k{i}" for i, key in enumerate(graph)}
    for key, node in graph.items():
        if istask(node):
            shape = {"shape": "box", "style": "rounded"}
        else:
            shape = {"shape": "ellipse", "style": "filled", "fillcolor": "#eef3fb"}
        picture.node(ids[key], _label(key, node), **shape)
    for key in graph:
        for dependency in sorted(get_dependencies(graph, key), key=str):
            picture.edge(ids[dependency], ids[key])
    return picture


# --- Work for the schedulers -----------------------------------------------------


def arch_area_numpy(x):
    """Estimate the area under one arch of a sine wave from samples ``x``.

    The mean of ``sin(pi * x)`` over uniform random ``x`` in [0, 1) tends to
    the area under ``sin(pi * x)`` on [0, 1], which is 2/pi, about 0.6366.
    Computing a sine takes many operations per number, so this work is limited
    by arithmetic rather than by reading memory, and NumPy does it in compiled
    loops that release the GIL: dask's threads can share it.
    """
    import numpy as np

    return float(np.sin(np.pi * x).mean())


def arch_area(x):
    """The same estimate, lazily, for a ``dask.array`` ``x``: a 0-d dask array.
    """
    import dask.array as da
    import numpy as np

    return da.sin(np.pi * x).mean()


def which_process(_item, delay=0.05):
    """The ID of the process that runs this call, after ``delay`` seconds.

    Mapped over a bag, it shows which worker processes ran the tasks. The
    wait stands for real work: without it, the first worker to start could
    finish every task before the others have woken up.
    """
    time.sleep(check_nonnegative_number("delay", delay))
    return os.getpid()


def cores_busy(func, *args, **kwargs):
    """``(seconds, cores, result)`` of one call.

    That is: wall time, CPU time / wall time, result. ``time.process_time``
    adds up the CPU time of every thread of this process, so ``cores`` says
    how many cores the call kept busy on average: about 1 for one thread at
    work, up to the number of cores when threads really run at the same time.
    Work done in other processes is not counted.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    result = func(*args, **kwargs)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu / wall, result


def best_of(func, *args, repeat=3, **kwargs):
    """The shortest wall time of ``repeat`` calls, and the last result.

    Returned as ``(seconds, result)``. The minimum, not the mean: other
    programs on the machine can only make a run slower, never faster, so the
    fastest run is the best estimate of what the code itself costs.
    """
    repeat = check_positive_int("repeat", repeat)
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        result = func(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, result


def time_computes(collection, runs, *, repeat=5):
    """``{label: seconds}``: the best of ``repeat`` computes of ``collection`` for each run.

    ``runs`` maps a label to the keyword arguments of one way to compute,
    for example ``{"threads": {"scheduler": "threads"}, "one thread":
    {"scheduler": "threads", "num_workers": 1}}``. The runs take turns (each
    once, then again), so that a burst of load from another program spoils
    one run of each rather than every run of one. All runs must give the
    same result, or AssertionError says which differed.
    """
    repeat = check_positive_int("repeat", repeat)
    if not isinstance(runs, dict) or not runs:
        raise ValueError("runs must be a non-empty dict of label -> compute keyword arguments")
    best, results = {}, {}
    for _ in range(repeat):
        for label, kwargs in runs.items():
            start = time.perf_counter()
            results[label] = collection.compute(**kwargs)
            best[label] = min(best.get(label, math.inf), time.perf_counter() - start)
    first_label = next(iter(runs))
    for label, result in results.items():
        if not _same(result, results[first_label]):
            raise AssertionError(f"run {label!r} gave {result!r}, {first_label!r} gave {results[first_label]!r}")
    return best


def _same(a, b):
    try:
        return bool(a == b) or math.isclose(float(a), float(b), rel_tol=1e-9)
    except (TypeError, ValueError):
        return False


def calls_seen_by_profiler(collection, function, *, scheduler):
    """How many calls of ``function`` cProfile records while ``collection`` is computed.

    cProfile watches only the thread that started it. The ``synchronous``
    scheduler runs every task in that thread, so the profile shows them all;
    the ``threads`` scheduler runs them in other threads, and the profile
    shows none: one reason to debug and profile with ``synchronous``.
    """
    if not callable(function):
        raise TypeError(f"function must be callable, got {type(function).__name__}")
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        collection.compute(scheduler=scheduler)
    finally:
        profiler.disable()
    code = function.__code__
    return sum(
        calls
        for (filename, line, name), (_, calls, *_rest) in pstats.Stats(profiler).stats.items()
        if (filename, line, name) == (code.co_filename, code.co_firstlineno, code.co_name)
    )
