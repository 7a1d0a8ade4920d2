"""The resumable map: killed with SIGKILL again and again, it loses nothing and repeats nothing stored."""

import collections
import json
import os
import pathlib
import random
import signal
import subprocess
import sys
import time

import pytest

from parallel_patterns import checkpoint
from parallel_patterns.checkpoint import map_processes, map_serial, result_path, resumable_map

JOB = pathlib.Path(__file__).with_name("checkpoint_job.py")
ITEMS_PER_WORKER = 40
KILLS = 18


def counting(func):
    """``func``, counting its calls in ``.calls`` (fine in this process, i.e. for map_serial)."""

    def counted(item):
        counted.calls.append(item)
        return func(item)

    counted.calls = []
    return counted


# -- In this process ---------------------------------------------------------------


def test_results_are_in_order_and_each_is_stored(tmp_path):
    square = counting(lambda x: x * x)
    assert map_serial(square, [3, 1, 2], tmp_path / "store") == [9, 1, 4]
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == [
        result_path(tmp_path / "store", i, item).name for i, item in enumerate([3, 1, 2])
    ]


def test_a_second_run_computes_nothing(tmp_path):
    square = counting(lambda x: x * x)
    first = map_serial(square, range(5), tmp_path)
    square.calls.clear()
    assert map_serial(square, range(5), tmp_path) == first
    assert square.calls == []


def test_a_changed_item_is_recomputed_and_unchanged_ones_are_not(tmp_path):
    square = counting(lambda x: x * x)
    map_serial(square, [1, 2, 3], tmp_path)
    square.calls.clear()
    assert map_serial(square, [1, 5, 3], tmp_path) == [1, 25, 9]
    assert square.calls == [5]
    square.calls.clear()
    assert map_serial(square, [3, 2, 1], tmp_path) == [9, 4, 1]  # same items, other places
    assert square.calls == [3, 1]  # item 2 at index 1 was stored by the first run


def test_equal_items_at_two_places_are_both_computed(tmp_path):
    square = counting(lambda x: x * x)
    assert map_serial(square, [7, 7], tmp_path) == [49, 49]
    assert square.calls == [7, 7]


def test_a_failure_keeps_what_was_done(tmp_path):
    def fragile(x):
        if x == 3:
            raise RuntimeError("item 3 fails")
        return -x

    with pytest.raises(RuntimeError, match="item 3"):
        map_serial(fragile, range(5), tmp_path)
    done = counting(lambda x: -x)
    assert map_serial(done, range(5), tmp_path) == [0, -1, -2, -3, -4]
    assert done.calls == [3, 4]


def test_a_write_killed_halfway_leaves_no_result_and_its_leftovers_are_cleaned(tmp_path, monkeypatch):
    def crash(*args):
        raise KeyboardInterrupt("killed between the write and the rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        map_serial(abs, [-1], tmp_path)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []  # no result, and the partial file was removed
    (tmp_path / (checkpoint.PARTIAL_PREFIX + "left-by-a-kill")).write_bytes(b"half a pick")
    assert map_serial(abs, [-1], tmp_path) == [1]
    assert [p.name for p in tmp_path.iterdir()] == [result_path(tmp_path, 0, -1).name]


def test_processes_give_the_same_results_as_serial(tmp_path):
    assert map_processes(abs, range(-6, 6), tmp_path / "p", workers=2) == map_serial(abs, range(-6, 6), tmp_path / "s")
    assert resumable_map(abs, [-2, -3], tmp_path / "r", workers=2) == [2, 3]
    assert sorted(os.listdir(tmp_path / "p")) == sorted(os.listdir(tmp_path / "s"))


def test_processes_reject_a_function_workers_cannot_import(tmp_path):
    with pytest.raises(TypeError, match="func must be importable"):
        map_processes(lambda x: x, [1], tmp_path, workers=2)


@pytest.mark.parametrize("strategy", list(checkpoint.IMPLEMENTATIONS))
def test_bad_arguments_are_named(tmp_path, strategy):
    f = checkpoint.IMPLEMENTATIONS[strategy]
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(TypeError, match="func"):
        f(42, [1], tmp_path)
    with pytest.raises(TypeError, match="items"):
        f(abs, 5, tmp_path)
    with pytest.raises(TypeError, match=r"items\[1\]"):
        f(abs, [1, lambda: 2], tmp_path)
    with pytest.raises(TypeError, match="store"):
        f(abs, [1], 3.5)
    with pytest.raises(ValueError, match="store .* not a directory"):
        f(abs, [1], tmp_path / "a-file")
    with pytest.raises(ValueError, match="workers"):
        f(abs, [1], tmp_path, workers=0)


def test_benchmark_case_gives_every_run_an_empty_store():
    with checkpoint.benchmark_case(3) as (args, kwargs):
        func, items, store = args
        first, second = pathlib.Path(store), pathlib.Path(store)
        assert first != second and first.parent == second.parent
        assert map_serial(*args, **kwargs) == [0, 1, 4]
    assert not first.parent.exists()


# -- Killed with SIGKILL, in a subprocess -------------------------------------------------


def start_job(store, log, n_items, workers, run):
    env = {**os.environ, "CHECKPOINT_STORE": str(store), "CHECKPOINT_LOG": str(log), "CHECKPOINT_RUN": run}
    return subprocess.Popen(
        [sys.executable, str(JOB), str(store), str(n_items), str(workers)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: one killpg takes its pool workers too
    )


def run_to_the_end(store, log, n_items, workers, run):
    job = start_job(store, log, n_items, workers, run)
    out, err = job.communicate(timeout=120)
    assert job.returncode == 0, err.decode()
    return json.loads(out)


def run_and_kill(store, log, n_items, workers, run, delay):
    """Run the job; once it has started computing, SIGKILL it (and its workers) ``delay`` s later.

    Returns True if it was killed, False if it finished first (nothing left to compute).
    Waiting for the first computation makes every kill land in the middle of the work,
    however slow the machine is to start Python and the pool.
    """
    job = start_job(store, log, n_items, workers, run)
    deadline = time.monotonic() + 60
    try:
        while job.poll() is None and f"start {run} " not in (log.read_text() if log.exists() else ""):
            assert time.monotonic() < deadline, "the job neither computed nor finished"
            time.sleep(0.01)
        time.sleep(delay)
        if job.poll() is not None:
            return False
        os.killpg(job.pid, signal.SIGKILL)
        job.wait()
        return True
    finally:
        job.stdout.close()
        job.stderr.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_killed_again_and_again_it_loses_nothing_and_repeats_nothing_stored(tmp_path, workers):
    rng = random.Random(workers)
    n_items = ITEMS_PER_WORKER * workers
    uninterrupted = run_to_the_end(tmp_path / "clean", tmp_path / "clean.log", n_items, workers, "clean")
    store, log = tmp_path / "store", tmp_path / "killed.log"
    for i in range(KILLS):
        run_and_kill(store, log, n_items, workers, f"k{i}", rng.uniform(0.0, 0.3))
    final = run_to_the_end(store, log, n_items, workers, "final")

    assert final == uninterrupted == [i * i for i in range(n_items)]
    lines = [line.split() for line in log.read_text().splitlines()]
    starts = [(run, int(item), stored) for kind, run, item, *stored in lines if kind == "start"]
    finished = {(run, int(item)) for kind, run, item, *_ in lines if kind == "done"}
    # no computation ever started for an item whose result was already stored
    assert [start for start in starts if start[2] != ["0"]] == []
    # within a run, no item was started twice
    assert max(collections.Counter((run, item) for run, item, _ in starts).values()) == 1
    assert {item for _, item in finished} == set(range(n_items))
    # the kills really cut computations short, in several runs
    cut_short = {run for run, item, _ in starts if (run, item) not in finished}
    assert len(cut_short) >= 5
    # exactly one whole result per item, and no partial file left behind
    assert sorted(p.name for p in store.iterdir()) == sorted(result_path(store, i, i).name for i in range(n_items))


# -- Bad stores and chunks ----------------------------------------------------------------


def test_a_corrupt_checkpoint_file_is_named(tmp_path):
    assert map_serial(abs, [-1, -2], tmp_path) == [1, 2]
    result_path(tmp_path, 1, -2).write_bytes(b"\x80\x05 not a whole pickle")
    with pytest.raises(ValueError, match=r"checkpoint file .*000001-.* is corrupt"):
        map_serial(abs, [-1, -2], tmp_path)
    result_path(tmp_path, 1, -2).unlink()
    assert map_serial(abs, [-1, -2], tmp_path) == [1, 2]


def test_chunks_give_the_same_results_with_fewer_files(tmp_path):
    items = list(range(23))
    chunks = checkpoint.chunked(items, 5)
    assert [len(c) for c in chunks] == [5, 5, 5, 5, 3]
    per_chunk = map_processes(checkpoint.busy_squares, chunks, tmp_path, workers=2)
    assert [x for chunk in per_chunk for x in chunk] == [n * n for n in items]
    assert len(list(tmp_path.iterdir())) == len(chunks)
    with pytest.raises(ValueError, match="size"):
        checkpoint.chunked(items, 0)


def test_the_job_module_reads_its_log(tmp_path):
    from parallel_patterns.helpers.checkpoint_job import read_log

    log = tmp_path / "log"
    log.write_text("start r1 3 0\ndone r1 3\nstart r2 4 1\n")
    assert read_log(log) == ([("r1", 3, False), ("r2", 4, True)], [("r1", 3)])
