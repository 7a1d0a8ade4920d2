"""parallel_patterns.helpers.profiling and blas_probe: the targets and tools of the episode on measuring performance."""

import cProfile
import os
import pstats
import statistics
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parallel_patterns.helpers import blas_probe, profiling
from parallel_patterns.helpers.profiling import (
    analyse_readings,
    call_graph,
    compiled,
    count_up,
    function_label,
    harmonic,
    harmonic_discarded,
    mean_square_generator,
    mean_square_list,
    measure,
    peak_memory,
    python_loop,
    remove_outliers,
    remove_outliers_hoisted,
    simulate_readings,
    smooth,
)

# --- measure ---------------------------------------------------------------


def test_measure_returns_result_and_times():
    m = measure(python_loop, 200_000)
    assert m.result == sum(i * i for i in range(200_000))
    assert m.wall > 0 and m.cpu > 0
    assert m.children_cpu == 0
    # One thread cannot use more CPU time than wall time (plus clock granularity).
    assert m.cpu <= m.wall + 0.02


def test_measure_sleep_uses_no_cpu():
    m = measure(time.sleep, 0.2)
    assert m.wall >= 0.2
    assert m.cpu < 0.05
    assert m.cpu_per_wall < 0.3


def test_measure_counts_finished_children():
    import subprocess

    code = "s = 0\nfor i in range(3_000_000): s += i"
    m = measure(subprocess.run, [sys.executable, "-c", code], check=True, timeout=60)
    assert m.children_cpu > 0.05
    assert m.total_cpu == pytest.approx(m.cpu + m.children_cpu)


def test_measure_passes_keywords_and_rejects_non_callables():
    assert measure(sorted, [3, 1, 2], reverse=True).result == [3, 2, 1]
    with pytest.raises(TypeError, match="func must be callable"):
        measure(42)


def test_importing_profiling_does_not_import_numpy():
    """NumPy's BLAS threads spin after import and would add CPU time to the first timings."""
    import subprocess

    code = "import sys, parallel_patterns.helpers.profiling; print('numpy' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert output.stdout.strip() == "False"


def test_python_loop_validates():
    assert python_loop(0) == 0
    assert python_loop(4) == 0 + 1 + 4 + 9
    with pytest.raises(ValueError, match="n must be >= 0"):
        python_loop(-1)
    with pytest.raises(TypeError, match="n must be an integer"):
        python_loop(2.5)


# --- the pipeline ----------------------------------------------------------


def test_readings_are_reproducible_with_a_few_spikes():
    readings = simulate_readings(5000, seed=3)
    assert readings == simulate_readings(5000, seed=3)
    assert readings != simulate_readings(5000, seed=4)
    spikes = [r for r in readings if abs(r - 20.0) > 5]
    assert 20 < len(spikes) < 90  # about 1 % of 5000


def test_remove_outliers_drops_the_spikes_and_keeps_the_rest():
    readings = simulate_readings(3000, seed=1)
    kept = remove_outliers(readings)
    assert all(abs(r - 20.0) < 5 for r in kept)
    normal = [r for r in readings if abs(r - 20.0) < 4]
    assert len(kept) == len(normal)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=60))
def test_hoisted_filter_equals_the_slow_one(values):
    assert remove_outliers_hoisted(values) == remove_outliers(values)


def test_hoisted_filter_is_much_faster():
    readings = simulate_readings(1500)
    slow = measure(remove_outliers, readings)
    fast = measure(remove_outliers_hoisted, readings)
    assert fast.result == slow.result
    assert fast.wall * 10 < slow.wall


def test_smooth():
    assert smooth([1, 2, 3, 4], window=2) == [1.5, 2.5, 3.5]
    assert smooth([5.0], window=1) == [5.0]
    with pytest.raises(ValueError, match="window must be <="):
        smooth([1, 2], window=3)
    with pytest.raises(ValueError, match="window must be >= 1"):
        smooth([1, 2], window=0)


def test_analyse_readings_same_summary_with_either_filter():
    slow = analyse_readings(800, seed=2)
    fast = analyse_readings(800, seed=2, outlier_filter=remove_outliers_hoisted)
    assert slow == fast
    assert 19.9 < slow["mean"] < 20.1
    assert slow["stdev"] < 0.2  # spikes removed, noise smoothed
    with pytest.raises(TypeError, match="outlier_filter must be callable"):
        analyse_readings(10, outlier_filter="fast")
    with pytest.raises(ValueError, match="n must be >= 1"):
        analyse_readings(0)


# --- call graph ------------------------------------------------------------


def profile_of(func, *args, **kwargs):
    profiler = cProfile.Profile()
    profiler.runcall(func, *args, **kwargs)
    return pstats.Stats(profiler)


def test_call_graph_shows_the_hotspot():
    stats = profile_of(analyse_readings, 1200)
    source = call_graph(stats, min_fraction=0.05).source
    assert "remove_outliers" in source
    assert "median" in source
    assert "sorted" in source
    assert "1,202 calls" in source  # once per reading, twice more for the spread
    assert "smooth" not in source  # far below 5 % of the time


def test_call_graph_validates():
    stats = profile_of(analyse_readings, 200)
    with pytest.raises(ValueError, match="min_fraction must be < 1"):
        call_graph(stats, min_fraction=1.5)
    with pytest.raises(ValueError, match="min_fraction must be > 0"):
        call_graph(stats, min_fraction=0)


def test_sample_profile_finds_the_hotspot():
    result, sampler = profiling.sample_profile(analyse_readings, 1500)
    assert result == analyse_readings(1500)
    tree = sampler.output_text(unicode=True, color=False)
    assert "remove_outliers" in tree and "median" in tree
    with pytest.raises(ValueError, match="interval must be > 0"):
        profiling.sample_profile(sorted, [], interval=0)
    with pytest.raises(TypeError, match="func must be callable"):
        profiling.sample_profile(None)


def test_function_labels():
    assert function_label(("~", 0, "<built-in method builtins.sorted>")) == "sorted"
    assert function_label(("~", 0, "<method 'append' of 'list' objects>")) == "list.append"
    assert function_label(("/a/b/stats.py", 12, "median")) == "median\nstats.py:12"


# --- memory ----------------------------------------------------------------


def test_list_needs_memory_for_every_square_generator_for_one():
    n = 100_000
    as_list = peak_memory(mean_square_list, n)
    as_generator = peak_memory(mean_square_generator, n)
    assert as_list.result == as_generator.result == statistics.fmean(i * i for i in range(n))
    assert as_list.peak_bytes > 8 * n  # at least one pointer per square
    assert as_generator.peak_bytes < 10_000


def test_peak_memory_sees_numpy_and_leaves_tracing_as_it_was():
    import tracemalloc

    import numpy as np

    use = peak_memory(np.ones, 1_000_000)
    assert use.peak_bytes >= 8_000_000
    assert not tracemalloc.is_tracing()
    tracemalloc.start()
    try:
        peak_memory(np.ones, 10)
        assert tracemalloc.is_tracing()
    finally:
        tracemalloc.stop()


# --- compiled loops --------------------------------------------------------


def test_compiled_loops_give_the_python_answers():
    for loop in (count_up, harmonic, harmonic_discarded):
        assert compiled(loop)(1000) == pytest.approx(loop(1000), rel=1e-12)
    assert compiled(harmonic) is compiled(harmonic)  # compiled once


def test_compiler_folds_the_integer_loop_but_runs_the_float_one():
    fast_count, fast_harmonic, fast_discarded = (compiled(f) for f in (count_up, harmonic, harmonic_discarded))
    n = 20_000_000
    for f in (fast_count, fast_harmonic, fast_discarded):
        f(10)  # compile

    def best(f):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            f(n)
            times.append(time.perf_counter() - start)
        return min(times)

    real = best(fast_harmonic)
    assert best(fast_count) * 50 < real
    assert best(fast_discarded) * 50 < real


def test_compiled_rejects_other_functions():
    with pytest.raises(ValueError, match="loop must be one of"):
        compiled(print)


# --- BLAS probes -----------------------------------------------------------


def test_probe_reports_times_and_environment():
    (report,) = blas_probe.run_probes(1, size=100, repeat=3, blas_threads=1)
    assert report["wall"] > 0 and report["cpu"] > 0
    assert report["thread_variables"]["OPENBLAS_NUM_THREADS"] == "1"
    assert report["cpu_count"] == os.cpu_count()


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs CPU affinity (Linux)")
def test_pinned_probe_sees_one_core():
    reports = blas_probe.run_probes(2, size=100, repeat=2, cores={0})
    assert [r["usable_cores"] for r in reports] == [1, 1]


def test_run_probes_validates():
    with pytest.raises(ValueError, match="copies must be >= 1"):
        blas_probe.run_probes(0, size=10, repeat=1)
    with pytest.raises(ValueError, match="blas_threads must be >= 1"):
        blas_probe.run_probes(1, size=10, repeat=1, blas_threads=0)
    with pytest.raises(ValueError, match="cores must name at least one core"):
        blas_probe.run_probes(1, size=10, repeat=1, cores=set())


def test_failing_probe_raises():
    with pytest.raises(RuntimeError, match="probe failed"):
        blas_probe.run_probes(1, size=10, repeat=1, cores={10_000})
