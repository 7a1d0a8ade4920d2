"""parallel_patterns.helpers.processes: start methods, the queue pipeline, Python in a subprocess."""

import multiprocessing
import queue
import sys
import textwrap
import time

import psutil
import pytest

from parallel_patterns.primes import primes_serial
from parallel_patterns.helpers.processes import (
    SENTINEL,
    RunResult,
    consume,
    produce,
    primes_pipeline,
    run_python,
    time_process_start,
)


@pytest.mark.parametrize("method", multiprocessing.get_all_start_methods())
def test_time_process_start_times_every_start(method):
    times = time_process_start(method, repeats=2)
    assert len(times) == 2 and all(0 < t < 30 for t in times)


def test_time_process_start_rejects_bad_arguments():
    with pytest.raises(ValueError, match="method"):
        time_process_start("teleport")
    with pytest.raises(ValueError, match="repeats"):
        time_process_start("spawn", repeats=0)


def test_produce_ends_with_one_sentinel_per_consumer():
    tasks = queue.Queue()
    produce([7, 8], tasks, consumers=3)
    assert [tasks.get_nowait() for _ in range(5)] == [7, 8, SENTINEL, SENTINEL, SENTINEL]
    assert tasks.empty()


def test_consume_stops_at_the_sentinel_and_leaves_the_rest():
    tasks, results = queue.Queue(), queue.Queue()
    for item in (7, 9, SENTINEL, 11):
        tasks.put(item)
    consume(tasks, results)
    assert [results.get_nowait() for _ in range(2)] == [(7, True), (9, False)]
    assert results.empty() and tasks.get_nowait() == 11


@pytest.mark.parametrize("workers", [1, 3])
def test_pipeline_agrees_with_serial(workers):
    numbers = [0, 1, 2, 3, 4, 97, 97, 2**31 - 1, 2**31 + 1, 10**9 + 7, 15]
    assert primes_pipeline(numbers, workers=workers) == primes_serial(numbers)


def test_pipeline_of_nothing_is_empty():
    assert primes_pipeline([], workers=2) == []


def test_pipeline_rejects_bad_arguments():
    with pytest.raises(ValueError, match="workers"):
        primes_pipeline([2], workers=0)
    with pytest.raises(ValueError, match="numbers"):
        primes_pipeline([-2])
    with pytest.raises(ValueError, match="timeout"):
        primes_pipeline([2], timeout=0)


def test_run_python_reports_output_and_success():
    result = run_python("-c", "import sys; print('out'); print('err', file=sys.stderr)", timeout=30)
    assert result.ok and result.stdout == "out\n" and result.stderr == "err\n"


def test_run_python_passes_the_environment():
    result = run_python("-c", "import os; print(os.environ['LESSON_TEST_VALUE'])", env={"LESSON_TEST_VALUE": "42"})
    assert result.stdout.strip() == "42"


def test_run_python_names_the_exceptions():
    script = "raise RuntimeError('\\n  first line.\\n  second line\\n\\n  not this')"
    result = run_python("-c", script, timeout=30)
    assert not result.ok and result.returncode == 1
    assert result.errors() == ["RuntimeError: first line. second line"]


def test_errors_lists_each_exception_once():
    stderr = "Traceback:\nValueError: bad\nTraceback:\nValueError: bad\nmodule.BrokenThing Exception\nKeyError: 'k'\n"
    assert RunResult(1, "", stderr, False).errors() == ["ValueError: bad", "KeyError: 'k'"]


def gone(pid):
    """True if process ``pid`` has exited (a zombie has exited, only not been reaped)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_run_python_kills_a_hung_child_and_its_children():
    script = textwrap.dedent(
        """
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        print(child.pid, flush=True)
        time.sleep(60)
        """
    )
    started = time.monotonic()
    result = run_python("-c", script, timeout=5)  # time enough to start both, even on a busy machine
    # Had the grandchild lived, it would have held the output pipe open for 60 s.
    assert time.monotonic() - started < 20, "run_python waited for the grandchild"
    assert result.timed_out and not result.ok and result.returncode is None
    assert result.stdout.strip(), "the child did not get as far as starting its own child"
    grandchild = int(result.stdout.split()[0])
    # SIGKILL went to the grandchild too, but it is not our child, so nothing
    # waits for it: on a busy machine it can take a moment to die.
    deadline = time.monotonic() + 5
    while not gone(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(grandchild), f"the grandchild {grandchild} outlived the timeout by 5 s"


def test_a_function_defined_in_main_cannot_be_sent_to_a_spawned_worker():
    script = textwrap.dedent(
        """
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        def cube(x):
            return x ** 3

        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            print(pool.submit(cube, 3).result(timeout=20))
        """
    )
    result = run_python("-c", script, timeout=40)
    assert not result.timed_out and result.returncode == 1
    assert any("Can't get attribute 'cube'" in line for line in result.errors())
    assert any("BrokenProcessPool" in line for line in result.errors())


def test_run_python_rejects_a_bad_timeout():
    with pytest.raises(ValueError, match="timeout"):
        run_python("-c", "pass", timeout=0)
