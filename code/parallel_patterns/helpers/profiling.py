"""Things to measure, and small tools to measure them with.

Timers, profilers and memory tracers are easiest to learn on code whose answer
we already know. This module holds the targets of the episode on measuring
performance, and the few helpers it needs:

``measure``
    Wall time and CPU time of one call, CPU time of child processes included.
    CPU time above wall time means several cores worked at once; CPU time
    below it means the program waited (for a disk, a sleep, or a busy core).
``analyse_readings``
    A small analysis pipeline (simulate sensor readings, drop outliers,
    smooth, summarise) with a hotspot hidden in it: ``remove_outliers``
    recomputes the median, which sorts every reading, once for each reading.
    A profiler finds it at once; ``remove_outliers_hoisted`` is the fix.
``call_graph``, ``sample_profile``
    A Graphviz picture of a cProfile run, and a run under pyinstrument's
    sampling profiler: where the time went.
``peak_memory``
    The most memory one call had allocated at any moment, traced with
    ``tracemalloc``; ``mean_square_list`` and ``mean_square_generator``
    compute the same number with very different peaks.
``count_up``, ``harmonic``, ``harmonic_discarded``
    Three loops for numba (``compiled``) that show how a compiler can make a
    benchmark meaningless: the first is replaced by a formula, the third is
    deleted because its result is never used. Only ``harmonic`` really runs.

NumPy is imported where it is used, not at the top: importing it starts the
BLAS library's threads, which spin for a moment before they go to sleep, and
``time.process_time`` counts their CPU time too. Importing this module must
not disturb the first timings of the episode.
"""

import dataclasses
import functools
import os
import re
import statistics
import time
import tracemalloc

from parallel_patterns._validate import check_int, check_positive_int, check_positive_number

# --------------------------------------------------------------------------
# Wall time and CPU time


@dataclasses.dataclass(frozen=True)
class Measurement:
    """What one call cost. Times are in seconds.

    ``wall``          time on a clock on the wall (``time.perf_counter``): what we wait for.
    ``cpu``           CPU time of this process, summed over all its threads
                      (``time.process_time``).
    ``children_cpu``  CPU time of child processes that ended, and were waited
                      for, during the call (``os.times``): the workers of a
                      process pool that was closed inside the call.
    """

    result: object
    wall: float
    cpu: float
    children_cpu: float

    @property
    def total_cpu(self):
        """CPU time of this process and its finished children together."""
        return self.cpu + self.children_cpu

    @property
    def cpu_per_wall(self):
        """Cores busy on average during the call: about 1 for serial code, up to
        the number of cores for parallel code, below 1 for code that waits."""
        return self.total_cpu / self.wall if self.wall > 0 else float("nan")


def children_cpu_seconds():
    """CPU time (user + system) of this process's children that have been waited for."""
    times = os.times()
    return times.children_user + times.children_system


def measure(func, /, *args, **kwargs):
    """Call ``func(*args, **kwargs)`` once; return a :class:`Measurement`.

    Both clocks are read just before and just after the call, so nothing else
    is timed. ``time.perf_counter`` is the best clock for durations (it never
    jumps when the system clock is set); ``time.process_time`` counts only
    the time this process's threads ran on a CPU.
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    children_before = children_cpu_seconds()
    cpu_before = time.process_time()
    wall_before = time.perf_counter()
    result = func(*args, **kwargs)
    wall = time.perf_counter() - wall_before
    cpu = time.process_time() - cpu_before
    children = children_cpu_seconds() - children_before
    return Measurement(result=result, wall=wall, cpu=cpu, children_cpu=children)


def python_loop(n):
    """Add up ``i * i`` for i below ``n`` in pure Python: one core, busy all the time."""
    n = check_int("n", n, minimum=0)
    total = 0
    for i in range(n):
        total += i * i
    return total


# --------------------------------------------------------------------------
# A pipeline with a hotspot: the target for the profilers


def simulate_readings(n, *, seed=0):
    """``n`` sensor readings around 20.0 (noise 0.5), about 1 % of them wild spikes."""
    import numpy as np  # here, not at the top: see the module docstring

    n = check_positive_int("n", n)
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    readings = rng.normal(20.0, 0.5, n)
    spikes = rng.random(n) < 0.01
    readings[spikes] += rng.choice([-8.0, 8.0], size=int(spikes.sum()))
    return readings.tolist()


def median_absolute_deviation(values):
    """How far values typically lie from their median; unlike the standard
    deviation, a few wild values hardly change it."""
    center = statistics.median(values)
    return statistics.median([abs(value - center) for value in values])


def remove_outliers(readings, *, limit=6.0):
    """Keep readings within ``limit`` median absolute deviations of the median.

    Correct, but slow on purpose: ``statistics.median(readings)`` sorts all
    the readings, and the loop does it again for every single reading. A
    profile shows ``median`` called once per reading.
    """
    spread = median_absolute_deviation(readings)
    kept = []
    for value in readings:
        if abs(value - statistics.median(readings)) <= limit * spread:
            kept.append(value)
    return kept


def remove_outliers_hoisted(readings, *, limit=6.0):
    """:func:`remove_outliers`, with the median computed once, before the loop.
    """
    spread = median_absolute_deviation(readings)
    center = statistics.median(readings)
    return [
        value for value in readings if abs(value - center) <= limit * spread
    ]


def smooth(values, *, window=25):
    """Moving average: the mean of each run of ``window`` consecutive values."""
    window = check_positive_int("window", window)
    if window > len(values):
        raise ValueError(f"window must be <= len(values) ({len(values)}), got {window}")
    return [sum(values[i : i + window]) / window for i in range(len(values) - window + 1)]


def summarize(values):
    """Count, mean and standard deviation of ``values``, as a dict."""
    return {
        "count": len(values),
        "mean": statistics.fmean(values),
        "stdev": statistics.stdev(values),
    }


def analyse_readings(n, *, seed=0, outlier_filter=remove_outliers):
    """The pipeline: simulate ``n`` readings, drop outliers, smooth, summarise.
    """
    if not callable(outlier_filter):
        raise TypeError(
            f"outlier_filter must be callable, "
            f"got {type(outlier_filter).__name__}"
        )
    readings = simulate_readings(n, seed=seed)
    clean = outlier_filter(readings)
    return summarize(smooth(clean))


# --------------------------------------------------------------------------
# Where the time went: a cProfile run drawn with Graphviz

_BUILTIN = re.compile(r"<built-in method (?:builtins\.)?(?P<name>[\w.]+)>")
_METHOD = re.compile(r"<method '(?P<name>\w+)' of '(?P<type>[\w.]+)' objects>")


def function_label(key):
    """A short, readable name for a pstats key ``(file, line, function)``."""
    filename, line, name = key
    if filename == "~":  # a function written in C
        for pattern in (_BUILTIN, _METHOD):
            match = pattern.fullmatch(name)
            if match:
                parts = match.groupdict()
                return f"{parts['type']}.{parts['name']}" if "type" in parts else parts["name"]
        return name.strip("<>")
    return f"{name}\n{os.path.basename(filename)}:{line}"


def call_graph(stats, *, min_fraction=0.02):
    """A ``graphviz.Digraph`` of where a profiled run spent its time.

    ``stats`` is a ``pstats.Stats``. One box per function whose cumulative
    time (its own time plus that of everything it called) is at least
    ``min_fraction`` of the run; an arrow from each caller to the functions
    it called, labelled with the number of calls and the time they took. The
    redder a box, the more time was spent in the function's own code (its
    *self* time): that is where speeding up pays.
    """
    import graphviz

    min_fraction = check_positive_number("min_fraction", min_fraction)
    if not min_fraction < 1:
        raise ValueError(f"min_fraction must be < 1, got {min_fraction!r}")
    entries = stats.stats  # {key: (primitive calls, calls, self time, cumulative time, callers)}
    total = stats.total_tt
    if not entries or total <= 0:
        raise ValueError("stats holds no profiled time: profile some code first")
    shown = {key for key, (_, _, _, cumulative, _) in entries.items() if cumulative >= min_fraction * total}
    graph = graphviz.Digraph(
        graph_attr={"rankdir": "TB", "nodesep": "0.3", "ranksep": "0.35"},
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"fontname": "Helvetica", "fontsize": "10", "color": "#555555"},
    )
    for key in shown:
        _, calls, self_time, cumulative, callers = entries[key]
        heat = self_time / total
        graph.node(
            str(key),
            f"{function_label(key)}\n{cumulative / total:.0%} in all, {heat:.0%} self\n{calls:,} call{'s' * (calls != 1)}",
            fillcolor=_heat_color(heat),
        )
        for caller, (_, edge_calls, _, edge_cumulative) in callers.items():
            if caller in shown:
                graph.edge(
                    str(caller),
                    str(key),
                    label=f" {edge_calls:,}x, {edge_cumulative:.2f} s",
                    penwidth=f"{1 + 4 * edge_cumulative / total:.2f}",
                )
    return graph


def sample_profile(func, /, *args, interval=0.001, **kwargs):
    """Run ``func(*args, **kwargs)`` under pyinstrument.

    Return ``(result, profiler)``. pyinstrument is a *sampling* profiler: every
    ``interval`` seconds it records the call stack, and the time of a function
    is how often it was found on the stack. Print ``profiler.output_text()``
    for the call tree, or call ``profiler.open_in_browser()`` for an
    interactive view.
    """
    from pyinstrument import Profiler

    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    interval = check_positive_number("interval", interval)
    with Profiler(interval=interval) as profiler:
        result = func(*args, **kwargs)
    return result, profiler


def _heat_color(fraction):
    """White for no self time, through orange, to red for all of it."""
    fraction = min(max(fraction, 0.0), 1.0)
    green_blue = round(255 * (1 - fraction))
    return f"#ff{green_blue:02x}{round(green_blue * 0.8):02x}" if fraction > 0.005 else "#ffffff"


# --------------------------------------------------------------------------
# Memory: the peak of one call


@dataclasses.dataclass(frozen=True)
class MemoryUse:
    """The result of a call and the most memory (bytes) it had allocated at once."""

    result: object
    peak_bytes: int


def peak_memory(func, /, *args, **kwargs):
    """Call ``func(*args, **kwargs)`` under tracemalloc.

    Return a :class:`MemoryUse`. ``tracemalloc`` sees every allocation made
    through Python's allocators, NumPy's arrays included, so the peak is the
    most memory the call held at any moment beyond what was allocated before
    it. Tracing slows the call down, often many times: measure memory and time
    in separate runs.
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result = func(*args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return MemoryUse(result=result, peak_bytes=peak - before)


def mean_square_list(n):
    """The mean of ``i * i`` for i below ``n``, from a list of all the squares.
    """
    n = check_positive_int("n", n)
    squares = [i * i for i in range(n)]
    return sum(squares) / n


def mean_square_generator(n):
    """The same mean, from a generator: one square exists at a time."""
    n = check_positive_int("n", n)
    return sum(i * i for i in range(n)) / n


# --------------------------------------------------------------------------
# Loops for numba: what a compiler does to a benchmark


def count_up(n):
    """0 + 1 + ... + (n - 1) in a loop. Compiled, the loop is gone: the compiler
    knows the sum of an arithmetic series and computes n(n - 1)/2 directly."""
    total = 0
    for i in range(n):
        total += i
    return total


def harmonic(n):
    """1/1 + 1/2 + ... + 1/n. Floating-point additions must happen one by one, in
    order (rounding makes every order give a slightly different answer), so
    the compiled loop really runs n times."""
    total = 0.0
    for i in range(n):
        total += 1.0 / (i + 1)
    return total


def harmonic_discarded(n):
    """The loop of :func:`harmonic`, but the sum is never returned: compiled,
    the whole loop is deleted as dead code, and the call does nothing."""
    total = 0.0
    for i in range(n):
        total += 1.0 / (i + 1)
    return n


LOOPS = (count_up, harmonic, harmonic_discarded)


@functools.cache
def compiled(loop):
    """``loop`` (one of ``LOOPS``) compiled by numba's ``njit``.

    Compilation happens on the first *call*, not here: the first call of the
    returned function takes a large fraction of a second, the next ones
    microseconds. numba is imported here so that importing this module stays
    cheap.
    """
    if loop not in LOOPS:
        names = ", ".join(f.__name__ for f in LOOPS)
        raise ValueError(f"loop must be one of {names}, got {loop!r}")
    import numba

    return numba.njit(loop)

