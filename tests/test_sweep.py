"""The parameter sweep: the model is right, and every strategy returns the serial list exactly."""

import math
import pathlib
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parallel_patterns import sweep as sw


def test_known_exponents():
    # r = 4 is fully chaotic, with exponent ln 2; r = 3.2 settles on a 2-cycle (negative);
    # r = 2.5 on a fixed point with slope 2 - r = -0.5, so the exponent is ln 0.5.
    assert sw.lyapunov(4.0, 200_000) == pytest.approx(math.log(2), abs=0.01)
    assert sw.lyapunov(3.2, 2000) < -0.1
    assert sw.lyapunov(2.5, 2000) == pytest.approx(math.log(0.5), abs=1e-6)
    # a slope of exactly zero (r = 2: x settles on 0.5) gives a very negative number, not an error
    assert sw.lyapunov(2.0, 100) < -100


@pytest.mark.parametrize("strategy", list(sw.IMPLEMENTATIONS))
@pytest.mark.parametrize("workers", [1, 3])
def test_every_strategy_returns_the_serial_list(strategy, workers):
    rs = sw.growth_rates(37)
    expected = sw.sweep_serial(rs, n_steps=200)
    got = sw.IMPLEMENTATIONS[strategy](rs, n_steps=200, workers=workers)
    assert got == expected  # bit for bit, in order
    assert len(got) == 37


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 200), st.integers(1, 16))
def test_chunks_cover_the_points_in_order(n, workers):
    rs = list(range(n))
    parts = sw.chunks(rs, workers)
    assert [x for part in parts for x in part] == rs
    assert all(parts) and len(parts) <= max(1, 4 * workers)


def test_growth_rates():
    rates = sw.growth_rates(5, 3.0, 4.0)
    assert rates == pytest.approx([3.0, 3.25, 3.5, 3.75, 4.0])
    assert sw.growth_rates(1) == [2.8]
    with pytest.raises(ValueError, match="low"):
        sw.growth_rates(3, 3.5, 3.0)


@pytest.mark.parametrize("strategy", list(sw.IMPLEMENTATIONS))
def test_bad_arguments_are_named(strategy):
    f = sw.IMPLEMENTATIONS[strategy]
    with pytest.raises(ValueError, match="growth rate"):
        f([3.0, 4.5])
    with pytest.raises(ValueError, match="growth rate"):
        f([0.0])
    with pytest.raises(TypeError, match="rs"):
        f(None)
    with pytest.raises(TypeError, match="numbers"):
        f(["fast"])
    with pytest.raises(ValueError, match="n_steps"):
        f([3.0], n_steps=0)
    with pytest.raises(ValueError, match="workers"):
        f([3.0], workers=0)


def test_an_empty_sweep_is_empty():
    for f in sw.IMPLEMENTATIONS.values():
        assert f([], workers=2) == []


def test_benchmark_case():
    with sw.benchmark_case(10) as (args, kwargs):
        assert len(args[0]) == 10 and kwargs == {"n_steps": sw.BENCHMARK_STEPS}


def test_the_snakemake_sweep_computes_only_new_chunks(tmp_path):
    # What the episode says a workflow adds: a second run with one more chunk runs
    # one more job (and the join), and leaves the finished chunks alone.
    from parallel_patterns.helpers import workflows

    rs = sw.growth_rates(6)
    sw.write_chunk_files(tmp_path, [rs[:3], rs[3:]])
    workflows.copy_workflow("sweep", tmp_path)
    config = ["--config", "n_steps=50"]
    assert workflows.would_run(tmp_path, *config) == {"all": 1, "collect": 1, "exponents": 2}
    workflows.snakemake(tmp_path, "--cores", "2", *config)
    assert workflows.would_run(tmp_path, *config) == {}
    more = [3.9, 4.0]
    (tmp_path / "chunks" / "0002.txt").write_text("".join(f"{r!r}\n" for r in more))
    assert workflows.would_run(tmp_path, *config) == {"all": 1, "collect": 1, "exponents": 1}
    workflows.snakemake(tmp_path, "--cores", "2", *config)
    # a run with other parameters is a new sweep: every chunk again
    assert workflows.would_run(tmp_path, "--config", "n_steps=60")["exponents"] == 3
    written = [float(line) for line in (tmp_path / "results" / "exponents.txt").read_text().split()]
    assert written == sw.sweep_serial(rs + more, n_steps=50)


SCRIPTS = pathlib.Path(__file__).parents[1] / "code" / "workflows" / "sweep" / "scripts"


def run_script(name, *arguments):
    script = SCRIPTS / name
    return subprocess.run([sys.executable, str(script), *map(str, arguments)],
                          capture_output=True, text=True, timeout=60)


def test_the_join_script_keeps_the_order_it_is_given(tmp_path):
    parts = [tmp_path / "b.txt", tmp_path / "a.txt", tmp_path / "c.txt"]
    for number, part in enumerate(parts):
        part.write_text(f"{number}.5\n{number}.25\n")
    joined = tmp_path / "joined.txt"
    assert run_script("collect.py", joined, *parts).returncode == 0
    assert joined.read_text() == "0.5\n0.25\n1.5\n1.25\n2.5\n2.25\n"


@pytest.mark.parametrize("name, arguments", [("collect.py", ["only-an-output"]), ("exponents.py", ["in", "out"])])
def test_the_workflow_scripts_print_their_usage_when_called_wrongly(name, arguments):
    done = run_script(name, *arguments)
    assert done.returncode == 1 and "Usage: python " + name in done.stderr
