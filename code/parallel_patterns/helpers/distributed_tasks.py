"""Tasks for a dask cluster, and a picture of what the cluster did with them.

The workers of a cluster are other programs, perhaps on other machines: they
can only run functions they can import or unpickle. Keeping the tasks in this
module means every worker imports the same code the tests check.

:func:`task_stream_gantt` draws the records of ``client.get_task_stream()``,
one row per worker thread and one bar per task, the picture that the
dashboard's *Task Stream* shows live.
"""

import os
import signal
import time

import numpy as np

from parallel_patterns._validate import check_int, check_nonnegative_number, check_positive_int


def slow_square(x, delay=0.1):
    """``x * x`` after ``delay`` seconds: a task long enough to watch."""
    check_int("x", x)
    time.sleep(check_nonnegative_number("delay", delay))
    return x * x


def add(x, y):
    """``x + y``: a task whose inputs are the results of other tasks."""
    return x + y


def part_sum(data, part, parts):
    """The sum of every ``parts``-th element of ``data``, starting at ``part``.

    ``parts`` tasks, one per ``part``, together add up all of ``data``; each
    needs the whole array, which is what makes moving it expensive.
    """
    parts = check_positive_int("parts", parts)
    part = check_int("part", part, minimum=0)
    if part >= parts:
        raise ValueError(f"part must be < parts ({parts}), got {part}")
    return float(np.asarray(data)[part::parts].sum())


def kill_own_worker():
    """Kill the worker process that runs this task, as a segfault or the OOM killer would."""
    os.kill(os.getpid(), signal.SIGKILL)


def compute_records(records):
    """One ``(key, worker, thread, start, stop)`` tuple per task run, oldest first."""
    rows = []
    for record in records:
        for startstop in record["startstops"]:
            if startstop["action"] == "compute":
                rows.append((record["key"], record["worker"], record.get("thread"),
                             startstop["start"], startstop["stop"]))
    return sorted(rows, key=lambda row: row[3])


def runs_per_key(records):
    """How often each task was computed: more than once means it was lost and computed again."""
    counts = {}
    for key, *_ in compute_records(records):
        counts[key] = counts.get(key, 0) + 1
    return counts


def task_stream_gantt(records, ax, *, highlight=(), names=None):
    """Draw the task stream: one row per worker thread, one bar per task.

    Bars of keys in ``highlight`` (for example tasks computed twice) are
    hatched as well as coloured, so the difference does not rest on colour.
    ``names`` maps worker addresses to labels for the rows.
    """
    rows = compute_records(records)
    if not rows:
        raise ValueError("no task ran: the task stream is empty")
    t0 = min(row[3] for row in rows)
    lanes = []
    for _, worker, thread, *_ in rows:
        if (worker, thread) not in lanes:
            lanes.append((worker, thread))
    highlight = set(highlight)
    for key, worker, thread, start, stop in rows:
        lane = lanes.index((worker, thread))
        marked = key in highlight
        ax.broken_barh(
            [(start - t0, stop - start)], (lane - 0.4, 0.8),
            facecolor="tab:orange" if marked else "tab:blue",
            edgecolor="black", linewidth=0.5, hatch="///" if marked else None,
        )
    names = names or {}
    labels = []
    for worker, thread in lanes:
        label = names.get(worker, worker.replace("tcp://", ""))
        same_worker = [lane for lane in lanes if lane[0] == worker]
        labels.append(label if len(same_worker) == 1 else f"{label}, thread {same_worker.index((worker, thread)) + 1}")
    ax.set_yticks(range(len(lanes)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("seconds since the first task started")
    return lanes
