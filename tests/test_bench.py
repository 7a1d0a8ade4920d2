"""Tests of parallel_patterns.tools.bench on tiny problems: rows, table, JSON, plot, CLI."""

import contextlib
import json
import subprocess
import sys
import types

import pytest
from matplotlib.figure import Figure

from parallel_patterns.tools import bench


def fake_workload():
    """A minimal module that follows the workload contract, counting its calls."""
    calls = []

    def serial(n, *, workers=1):
        calls.append(("serial", workers))
        return n

    def parallel(n, *, workers=1):
        calls.append(("parallel", workers))
        return n

    @contextlib.contextmanager
    def benchmark_case(size):
        yield (size,), {}

    module = types.ModuleType("parallel_patterns.fake")
    module.IMPLEMENTATIONS = {"serial": serial, "parallel": parallel}
    module.DEFAULT_SIZE = 10
    module.benchmark_case = benchmark_case
    return module, calls


def test_each_strategy_is_warmed_up_once_then_timed_repeat_times():
    module, calls = fake_workload()
    rows = bench.run_benchmark(module, workers=(1, 2, 3), repeat=2)
    assert calls.count(("serial", 1)) == 1 + 2  # serial runs with 1 worker only
    assert calls.count(("parallel", 1)) == 1 + 2  # warm-up with the first count
    assert calls.count(("parallel", 2)) == calls.count(("parallel", 3)) == 2
    assert [(r["strategy"], r["workers"]) for r in rows] == [
        ("serial", 1),
        ("parallel", 1),
        ("parallel", 2),
        ("parallel", 3),
    ]


def test_without_warmup_every_call_is_timed_in_turns():
    module, calls = fake_workload()
    rows = bench.run_benchmark(module, workers=(1, 2), repeat=2, warmup=False)
    # round after round of every measurement, so a burst of load hits one call of each
    assert calls == [("serial", 1), ("parallel", 1), ("parallel", 2)] * 2
    assert all(len(row["times_s"]) == 2 for row in rows)


def test_warmup_must_be_a_bool():
    module, _ = fake_workload()
    with pytest.raises(TypeError, match="warmup"):
        bench.run_benchmark(module, warmup="no")


def test_rows_hold_times_speedup_and_efficiency():
    rows = bench.run_benchmark("pi", ["serial", "numpy"], workers=[1, 2], size=3000, repeat=3)
    assert {(r["strategy"], r["workers"]) for r in rows} == {
        ("serial", 1),
        ("numpy", 1),
        ("numpy", 2),
    }
    serial = next(r for r in rows if r["strategy"] == "serial")
    for row in rows:
        assert row["workload"] == "pi" and row["size"] == 3000 and row["baseline"] == "serial"
        assert len(row["times_s"]) == 3 and all(t > 0 for t in row["times_s"])
        assert row["best_s"] == min(row["times_s"]) and row["median_s"] == sorted(row["times_s"])[1]
        # the best call counts: other programs can only add time
        assert row["speedup"] == pytest.approx(serial["best_s"] / row["best_s"])
        assert row["efficiency"] == pytest.approx(row["speedup"] / row["workers"])
    assert serial["speedup"] == 1.0


def test_weak_scaling_grows_the_size_with_the_workers():
    module, _ = fake_workload()
    rows = bench.run_benchmark(module, ["parallel"], workers=[1, 2, 4], size=5, repeat=1, weak=True)
    measured = {(r["strategy"], r["workers"], r["size"]) for r in rows}
    assert measured == {("serial", 1, 5), ("parallel", 1, 5), ("parallel", 2, 10), ("parallel", 4, 20)}
    ax = bench.plot_scaling(rows, Figure().subplots(), metric="time")
    serial, parallel, ideal = ax.get_lines()  # serial: the point at 1 worker
    assert list(parallel.get_xdata()) == [1, 2, 4]
    (one_share,) = [r["best_s"] for r in rows if r["strategy"] == "serial"]
    assert list(ideal.get_ydata()) == [one_share] * 3  # the same time for n shares on n workers
    without_one = [row for row in rows if row["workers"] != 1 or row["strategy"] == "serial"]
    serial, parallel, ideal = bench.plot_scaling(without_one, Figure().subplots()).get_lines()
    assert list(parallel.get_xdata()) == [2, 4]
    assert list(ideal.get_ydata()) == [1, 2, 4]
    assert "weak scaling: efficiency" in bench.format_table(rows)


def weak_rows(times):
    """Rows of a weak-scaling run with these best times: {(strategy, workers, size): s}."""
    return [
        {"strategy": s, "workers": w, "size": size, "weak": True, "best_s": t}
        for (s, w, size), t in times.items()
    ]


def test_weak_scaling_efficiency_is_one_share_on_one_worker_over_n_shares_on_n():
    rows = weak_rows({
        ("serial", 1, 5): 1.0,  # T1: one share on one worker
        ("parallel", 1, 5): 1.25,
        ("parallel", 2, 10): 1.25,  # two shares in 1.25 s: efficiency 1 / 1.25
        ("parallel", 4, 20): 2.0,
    })
    bench.add_speedups(rows, "serial")
    result = {(r["strategy"], r["workers"]): (r["efficiency"], r["speedup"]) for r in rows}
    assert result[("serial", 1)] == (1.0, 1.0)
    assert result[("parallel", 1)] == pytest.approx((0.8, 0.8))
    assert result[("parallel", 2)] == pytest.approx((0.8, 1.6))  # scaled speedup 2 * 1 / 1.25
    assert result[("parallel", 4)] == pytest.approx((0.5, 2.0))


def test_weak_scaling_does_not_use_a_strong_scaling_baseline_at_the_larger_size():
    # The old formula divided by serial at 2 shares (2.0 s), giving 100 % here;
    # one share takes 1.0 s, so 2 workers needing 2.0 s for 2 shares are 50 % efficient.
    rows = weak_rows({("serial", 1, 5): 1.0, ("serial", 1, 10): 2.0, ("parallel", 2, 10): 2.0})
    bench.add_speedups(rows, "serial")
    (parallel,) = [r for r in rows if r["strategy"] == "parallel"]
    assert parallel["efficiency"] == pytest.approx(0.5)


def test_another_baseline_can_be_chosen():
    module, _ = fake_workload()
    rows = bench.run_benchmark(module, ["parallel"], workers=[2], repeat=1, baseline="parallel")
    assert {(r["strategy"], r["workers"]) for r in rows} == {("parallel", 1), ("parallel", 2)}
    assert all(r["baseline"] == "parallel" for r in rows)


def strong_rows(times):
    """Rows of a strong-scaling run that timed these calls: {(strategy, workers): [s, ...]}."""
    rows = [
        {"workload": "fake", "strategy": s, "workers": w, "size": 5, "weak": False, "baseline": "serial",
         "times_s": t, "best_s": min(t), "median_s": sorted(t)[len(t) // 2]}
        for (s, w), t in times.items()
    ]
    bench.add_speedups(rows, "serial")
    return rows


def test_merge_rounds_keeps_every_call_and_works_out_the_speedups_again():
    # The first two rounds' serial calls were slowed (2.0 s): the third round outvotes them.
    first = strong_rows({("serial", 1): [2.0, 2.1], ("parallel", 2): [0.8, 0.9]})
    assert first[1]["speedup"] == pytest.approx(2.5)
    more = strong_rows({("serial", 1): [1.0], ("parallel", 2): [0.85]})
    merged = bench.merge_rounds(first, more)
    serial, parallel = merged
    assert serial["times_s"] == [2.0, 2.1, 1.0] and serial["best_s"] == 1.0 and serial["median_s"] == 2.0
    assert parallel["times_s"] == [0.8, 0.9, 0.85] and parallel["best_s"] == 0.8
    assert parallel["speedup"] == pytest.approx(1.25) and parallel["efficiency"] == pytest.approx(0.625)
    assert first[0]["times_s"] == [2.0, 2.1]  # the measurements passed in are left as they were
    assert "best of 3 runs" in bench.format_table(merged)


def test_merge_rounds_refuses_rows_of_different_benchmarks():
    first = strong_rows({("serial", 1): [1.0], ("parallel", 2): [0.5]})
    with pytest.raises(ValueError, match="different rows"):
        bench.merge_rounds(first, strong_rows({("serial", 1): [1.0], ("parallel", 4): [0.5]}))
    with pytest.raises(TypeError, match="run_benchmark"):
        bench.merge_rounds(first, [{"strategy": "serial"}, {"strategy": "parallel"}])


def test_format_table_has_a_line_per_row_grouped_by_strategy():
    module, _ = fake_workload()
    rows = bench.run_benchmark(module, workers=[1, 2], repeat=1)
    table = bench.format_table(rows)
    title, header, *lines = table.splitlines()
    assert "speedup relative to serial" in title
    assert header.split() == ["strategy", "workers", "size", "best", "s", "speedup", "efficiency"]
    assert [line.split()[:2] for line in lines] == [["serial", "1"], ["parallel", "1"], ["parallel", "2"]]
    assert lines[0].split()[-2:] == ["100", "%"]


def test_plot_scaling_draws_a_line_per_strategy_and_the_ideal():
    module, _ = fake_workload()
    rows = bench.run_benchmark(module, workers=[1, 2], repeat=1)
    ax = bench.plot_scaling(rows, Figure().subplots())
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["serial", "parallel", "ideal"]
    assert list(ax.get_lines()[-1].get_ydata()) == [1, 2]
    with pytest.raises(ValueError, match="metric"):
        bench.plot_scaling(rows, metric="memory")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"workload": "nonsense"}, ValueError, "unknown workload 'nonsense'; choose one of: .*pi"),
        ({"workload": "_validate"}, ValueError, "unknown workload"),
        ({"workload": 3}, TypeError, "workload"),
        ({"strategies": ["serial", "magic"]}, ValueError, r"unknown strategies \['magic'\].*numba"),
        ({"baseline": "magic"}, ValueError, "unknown strategies"),
        ({"workers": [1, 0]}, ValueError, "workers"),
        ({"workers": []}, ValueError, "workers"),
        ({"size": 0}, ValueError, "size"),
        ({"repeat": 0}, ValueError, "repeat"),
    ],
)
def test_bad_arguments_are_named_in_the_error(kwargs, error, match):
    arguments = {"workload": "pi", "size": 100, "repeat": 1, **kwargs}
    with pytest.raises(error, match=match):
        bench.run_benchmark(**arguments)


def test_available_workloads_lists_the_contract_modules():
    available = bench.available_workloads()
    assert {"pi", "primes", "mandelbrot", "matmul", "wordcount"} <= set(available)
    assert "bench" not in available


def run_cli(*arguments, cwd):
    return subprocess.run(
        [sys.executable, "-m", "parallel_patterns.tools.bench", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_command_line_prints_a_table_and_writes_json_and_a_plot(tmp_path):
    result = run_cli(
        "pi",
        "--strategies", "serial", "numpy", "threads",
        "--workers", "1", "2",
        "--size", "2000",
        "--repeat", "1",
        "--json", "rows.json",
        "--plot", "scaling.png",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].split()[0] == "strategy"
    assert "threads" in result.stdout
    assert "[1/5] pi serial workers=1 size=2000" in result.stderr  # the progress lines
    rows = json.loads((tmp_path / "rows.json").read_text())
    assert len(rows) == 5 and {"best_s", "median_s", "speedup", "efficiency"} <= set(rows[0])
    assert (tmp_path / "scaling.png").read_bytes().startswith(b"\x89PNG")


def test_command_line_rejects_unknown_names_with_the_valid_ones(tmp_path):
    result = run_cli("pie", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown workload 'pie'" in result.stderr and "mandelbrot" in result.stderr
    result = run_cli("primes", "--strategies", "gpu", "--quiet", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown strategies ['gpu']" in result.stderr and "joblib" in result.stderr
    assert list(tmp_path.iterdir()) == []
