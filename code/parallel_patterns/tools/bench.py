"""Time a workload's strategies at several worker counts: speedup and efficiency.

Usage::

    python -m parallel_patterns.tools.bench pi --workers 1 2 --repeat 3 --json pi.json --plot pi.png

Any module of this package that follows the workload contract can be
benchmarked: it has ``IMPLEMENTATIONS`` (strategy name -> function),
``DEFAULT_SIZE`` and ``benchmark_case(size)``, a context manager that yields
``(args, kwargs)`` for a problem of that size.

What is timed
-------------
One call of the strategy, start to finish, as a user would make it: that
includes starting and closing any pool of threads or processes, because every
strategy creates its pool inside the call. Not timed: preparing the problem
(``benchmark_case``: generating a corpus, starting a test web site, ...) and
one warm-up call of each strategy before it is first timed. The warm-up pays
for costs that come once per session, not once per call: numba compiling its
functions, and modules imported on first use. Each measurement is the
*best* of ``repeat`` calls, as with ``timeit``: other programs can only make a
call slower, never faster than the code allows. The calls are taken in turns,
every round calling each strategy once, so that a spell of load (on a shared
machine, a core taken away for a second) slows one call of each row rather
than every call of one. The median is kept too, to show the spread.

What is reported
----------------
Strong scaling (the default) keeps the size fixed as workers are added:

``speedup``     the baseline strategy's best time (``serial`` by default,
                with 1 worker, at the same size) divided by this row's.
``efficiency``  speedup / workers: 100 % means every worker was fully used.

Weak scaling (``weak=True``, ``--weak``) gives each worker the same share of
work, ``size``: n workers get a problem of ``size * n``. The baseline is timed
once, with 1 worker on one share, T1, and a row with n workers that took Tn
for its n shares gets

``efficiency``  T1 / Tn: 100 % means n workers did n shares in the time one
                worker needs for one share (the ideal is a flat line of times).
``speedup``     n * T1 / Tn, the *scaled* speedup: how many times more work
                per second than the baseline (the ideal is n).
"""

import argparse
import contextlib
import importlib
import json
import pkgutil
import statistics
import sys
import time
import types

import parallel_patterns
from parallel_patterns._validate import check_positive_int, check_workers

def candidate_names():
    """Names of the package's public top-level modules: the workloads live there
    (the tools and the episodes' helpers are in subpackages)."""
    infos = pkgutil.iter_modules(parallel_patterns.__path__)
    return [info.name for info in infos if not info.ispkg and not info.name.startswith("_")]


def is_workload(module):
    """True if ``module`` has what the benchmark needs."""
    return all(
        hasattr(module, attribute)
        for attribute in ("IMPLEMENTATIONS", "DEFAULT_SIZE", "benchmark_case")
    )


def available_workloads():
    """Names of the package's modules that follow the workload contract."""
    names = []
    for name in candidate_names():
        try:
            module = importlib.import_module(f"parallel_patterns.{name}")
        except Exception:  # a module that fails to import is not a workload we can offer
            continue
        if is_workload(module):
            names.append(name)
    return sorted(names)


def load_workload(workload):
    """The workload module called ``workload`` (given a module, that module)."""
    if isinstance(workload, types.ModuleType):
        module = workload
    elif isinstance(workload, str):
        if workload not in candidate_names():
            raise ValueError(
                f"unknown workload {workload!r}; choose one of: {', '.join(available_workloads())}"
            )
        module = importlib.import_module(f"parallel_patterns.{workload}")
    else:
        raise TypeError(f"workload must be a name or a module, got {type(workload).__name__}")
    if not is_workload(module):
        raise ValueError(
            f"{module.__name__} is not a workload: it lacks IMPLEMENTATIONS, DEFAULT_SIZE "
            f"or benchmark_case; choose one of: {', '.join(available_workloads())}"
        )
    return module


def check_strategies(module, strategies):
    """The strategies to run: all of the module's if ``strategies`` is None."""
    known = list(module.IMPLEMENTATIONS)
    if strategies is None:
        return known
    if isinstance(strategies, str):
        strategies = [strategies]
    unknown = [name for name in strategies if name not in module.IMPLEMENTATIONS]
    if unknown:
        raise ValueError(
            f"unknown strategies {unknown} for workload {module.__name__.split('.')[-1]!r}; "
            f"choose from: {', '.join(known)}"
        )
    return list(dict.fromkeys(strategies))  # without repeats, in the order given


def time_calls(function, args, kwargs, repeat):
    """Wall-clock seconds of ``repeat`` calls of ``function(*args, **kwargs)``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return times


def plan_runs(module, strategies, workers, size, *, weak=False, baseline="serial"):
    """Validate the choices and list what to measure.

    Returns a dict from problem size to the ``(strategy, workers)`` pairs to
    time at that size. The baseline is timed with 1 worker at ``size`` (one
    share, under weak scaling), and ``serial`` only ever with 1 worker (it
    ignores ``workers``).
    """
    strategies = check_strategies(module, strategies)
    (baseline,) = check_strategies(module, [baseline])
    if isinstance(workers, int):
        workers = [workers]
    worker_counts = sorted({check_workers(w) for w in workers})
    if not worker_counts:
        raise ValueError("workers must list at least one number of workers")
    size = module.DEFAULT_SIZE if size is None else check_positive_int("size", size)
    plan = {size: [(baseline, 1)]}
    for w in worker_counts:
        runs = plan.setdefault(size * w if weak else size, [])
        # serial ignores workers: it runs with 1 worker, and under weak scaling
        # only on one share (it cannot share out more work)
        wanted = [
            (s, 1 if s == "serial" else w)
            for s in strategies
            if not (weak and s == "serial" and w > 1)
        ]
        runs.extend(run for run in dict.fromkeys(wanted) if run not in runs)
    return {case_size: runs for case_size, runs in plan.items() if runs}


def run_benchmark(
    workload,
    strategies=None,
    workers=(1, 2),
    size=None,
    repeat=3,
    *,
    weak=False,
    baseline="serial",
    progress=None,
    warmup=True,
):
    """Time ``strategies`` of ``workload`` (default: all) with each number of ``workers``.

    Returns one dict per measurement, with keys ``workload``, ``strategy``,
    ``workers``, ``size``, ``weak``, ``times_s`` (every call), ``best_s``, ``median_s``,
    ``baseline``, ``speedup`` and ``efficiency``. ``progress``, if given, is a
    file (such as ``sys.stderr``) that gets a line as each measurement starts.
    Each strategy is first called once untimed (``warmup``), which compiles
    numba code; pass ``warmup=False`` when no strategy has anything to warm up.
    """
    if not isinstance(warmup, bool):
        raise TypeError(f"warmup must be True or False, got {warmup!r}")
    module = load_workload(workload)
    name = module.__name__.split(".")[-1]
    plan = plan_runs(module, strategies, workers, size, weak=weak, baseline=baseline)
    repeat = check_positive_int("repeat", repeat)
    total = sum(len(runs) for runs in plan.values())
    warmed_up = set() if warmup else {strategy for runs in plan.values() for strategy, _ in runs}
    measurements = [(case_size, strategy, w) for case_size, runs in plan.items() for strategy, w in runs]
    times = {measurement: [] for measurement in measurements}
    with contextlib.ExitStack() as stack:  # every problem size set up at once, for the rounds
        cases = {case_size: stack.enter_context(module.benchmark_case(case_size)) for case_size in plan}
        for round_number in range(repeat):
            for step, (case_size, strategy, w) in enumerate(measurements, start=1):
                if progress is not None and round_number == 0:
                    print(f"[{step}/{total}] {name} {strategy} workers={w} size={case_size}", file=progress, flush=True)
                args, kwargs = cases[case_size]
                function = module.IMPLEMENTATIONS[strategy]
                call_kwargs = {**kwargs, "workers": w}
                if strategy not in warmed_up:
                    function(*args, **call_kwargs)  # the warm-up: not timed
                    warmed_up.add(strategy)
                times[case_size, strategy, w] += time_calls(function, args, call_kwargs, 1)
    rows = [
        with_times(
            {"workload": name, "strategy": strategy, "workers": w, "size": case_size, "weak": weak},
            times[case_size, strategy, w],
        )
        for case_size, strategy, w in measurements
    ]
    add_speedups(rows, baseline)
    return rows


def with_times(row, times):
    """``row`` with every call's time and the best and median of them."""
    return {**row, "times_s": list(times), "best_s": min(times), "median_s": statistics.median(times)}


def merge_rounds(rows, more_rows):
    """The rows of two :func:`run_benchmark` calls of one benchmark as one, every call's time kept.

    Best and median times, speedups and efficiencies are worked out again
    from all the calls. Passed as ``combine`` to ``stamp.measure_until``, it
    lets one more round outvote a round that a busy spell spoiled, instead of
    measuring every round again. The calls must have measured the same rows.
    """
    keys = ("workload", "strategy", "workers", "size", "weak", "baseline")

    def case(row):
        if not isinstance(row, dict) or not all(key in row for key in keys + ("times_s",)):
            raise TypeError(f"expected rows from run_benchmark, got {row!r}")
        return tuple(row[key] for key in keys)

    if [case(row) for row in rows] != [case(row) for row in more_rows]:
        raise ValueError("the two benchmarks measured different rows; merge only repeats of one benchmark")
    merged = [with_times(row, list(row["times_s"]) + list(more["times_s"])) for row, more in zip(rows, more_rows)]
    add_speedups(merged, rows[0]["baseline"] if rows else "serial")
    return merged


def add_speedups(rows, baseline):
    """Add ``speedup`` and ``efficiency`` to every row, relative to ``baseline`` on 1 worker.

    Strong scaling compares each row with the baseline at the row's own size.
    Weak scaling compares it with the baseline on one share (the smallest
    size): efficiency T1(1 share) / Tn(n shares), speedup n times that.
    """
    baseline_time = {
        row["size"]: row["best_s"]
        for row in rows
        if row["strategy"] == baseline and row["workers"] == 1
    }
    for row in rows:
        row["baseline"] = baseline
        if row["weak"]:
            share = min(baseline_time)
            work = row["size"] / share  # shares of work in this row
            row["speedup"] = work * baseline_time[share] / row["best_s"]
        else:
            row["speedup"] = baseline_time[row["size"]] / row["best_s"]
        row["efficiency"] = row["speedup"] / row["workers"]


def format_table(rows):
    """The rows as a plain-text table, one line per measurement, grouped by strategy."""
    header = ("strategy", "workers", "size", "best s", "speedup", "efficiency")
    order = {strategy: i for i, strategy in enumerate(dict.fromkeys(r["strategy"] for r in rows))}
    rows = sorted(rows, key=lambda r: (order[r["strategy"]], r["workers"], r["size"]))
    lines = [
        (
            row["strategy"],
            str(row["workers"]),
            str(row["size"]),
            f"{row['best_s']:.4f}",
            f"{row['speedup']:.2f}",
            f"{100 * row['efficiency']:.0f} %",
        )
        for row in rows
    ]
    widths = [max(len(cell) for cell in column) for column in zip(header, *lines)]
    title = ""
    if rows:
        title = f"{rows[0]['workload']}: best of {len(rows[0]['times_s'])} runs in turns, "
        if rows[0]["weak"]:
            title += (
                f"weak scaling: efficiency = time of {rows[0]['baseline']} with 1 worker "
                "on one share / this row's time\n"
            )
        else:
            title += f"speedup relative to {rows[0]['baseline']} with 1 worker\n"

    def line(cells):
        first, *rest = cells
        return "  ".join([first.ljust(widths[0])] + [c.rjust(w) for c, w in zip(rest, widths[1:])])

    return title + "\n".join(line(cells) for cells in [header, *lines])


def plot_scaling(rows, ax=None, metric="speedup"):
    """Plot ``metric`` ("speedup" or "time") against workers, one line per strategy.

    The dashed line is the ideal: a speedup equal to the number of workers;
    in time, the baseline's time divided by the number of workers (strong
    scaling) or the baseline's time on one share (weak scaling). Each strategy
    gets its own marker and line style as well as colour. Returns the axes.
    """
    if metric not in ("speedup", "time"):
        raise ValueError(f"metric must be 'speedup' or 'time', got {metric!r}")
    if not rows:
        raise ValueError("rows is empty: nothing to plot")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    weak = rows[0]["weak"]
    base_size = min(row["size"] // row["workers"] if weak else row["size"] for row in rows)

    def size_for(workers):  # the problem size measured with this many workers
        return base_size * workers if weak else base_size

    baseline_time = {
        row["size"]: row["best_s"]
        for row in rows
        if row["strategy"] == row["baseline"] and row["workers"] == 1
    }
    # Rows measured at another size than the curve's (such as the baseline
    # with 1 worker at a larger size) are references, not points of the curve.
    rows = [row for row in rows if row["size"] == size_for(row["workers"])]
    column = "speedup" if metric == "speedup" else "best_s"
    styles = [("o", "-"), ("s", "-."), ("^", ":"), ("D", "-"), ("v", "-.")]
    for i, strategy in enumerate(dict.fromkeys(row["strategy"] for row in rows)):
        points = sorted((r["workers"], r[column]) for r in rows if r["strategy"] == strategy)
        marker, linestyle = styles[i % len(styles)]
        ax.plot(*zip(*points), marker=marker, linestyle=linestyle, label=strategy)
    worker_counts = sorted({row["workers"] for row in rows})
    if metric == "speedup":
        ideal = worker_counts
    elif weak:  # n workers on n shares in the time one worker takes for one
        ideal = [baseline_time[base_size]] * len(worker_counts)
    else:
        ideal = [baseline_time[base_size] / w for w in worker_counts]
    ax.plot(worker_counts, ideal, linestyle="--", color="gray", label="ideal")
    ax.set_xlabel("workers")
    ax.set_xticks(worker_counts)
    if metric == "speedup":
        ax.set_ylabel(f"speedup over {rows[0]['baseline']}")
    else:
        ax.set_ylabel("best time (s)")
        ax.set_yscale("log")
    scaling = "weak" if weak else "strong"
    ax.set_title(f"{rows[0]['workload']}: {scaling} scaling")
    ax.legend()
    return ax


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="python -m parallel_patterns.tools.bench",
        description="Time a workload's strategies; report speedup and efficiency.",
    )
    parser.add_argument("workload", help="a module of parallel_patterns, such as pi")
    parser.add_argument("--strategies", nargs="+", help="default: all of the workload's")
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--size", type=int, help="default: the workload's DEFAULT_SIZE")
    parser.add_argument("--repeat", type=int, default=3, help="timed calls per measurement")
    parser.add_argument("--weak", action="store_true", help="weak scaling: size * workers")
    parser.add_argument("--baseline", default="serial", help="strategy that speedups compare to")
    parser.add_argument("--metric", choices=("speedup", "time"), default="speedup")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    parser.add_argument("--plot", metavar="FILE", help="also draw a scaling plot (e.g. .png)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser, parser.parse_args(argv)


def main(argv=None):
    parser, options = parse_arguments(argv)
    try:  # check every choice before spending minutes measuring
        module = load_workload(options.workload)
        plan_runs(
            module,
            options.strategies,
            options.workers,
            options.size,
            weak=options.weak,
            baseline=options.baseline,
        )
        check_positive_int("repeat", options.repeat)
    except (TypeError, ValueError) as error:
        parser.error(str(error))
    rows = run_benchmark(
        module,
        options.strategies,
        options.workers,
        options.size,
        options.repeat,
        weak=options.weak,
        baseline=options.baseline,
        progress=None if options.quiet else sys.stderr,
    )
    print(format_table(rows))
    if options.json:
        with open(options.json, "w", encoding="utf-8") as file:
            json.dump(rows, file, indent=2)
    if options.plot:
        from matplotlib.figure import Figure  # draws with Agg, without pyplot or a display

        figure = Figure(figsize=(6, 4), layout="constrained")
        plot_scaling(rows, figure.subplots(), metric=options.metric)
        figure.savefig(options.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
