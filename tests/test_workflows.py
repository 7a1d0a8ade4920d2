"""The Snakemake workflows under code/workflows: a dry run, a real run, reruns and bad input."""

import os
import subprocess
import time

import pytest

from parallel_patterns.helpers import workflows
from parallel_patterns.primes import is_prime


@pytest.fixture
def primes_dir(tmp_path):
    workflows.copy_workflow("primes", tmp_path)
    workflows.write_samples(tmp_path, samples=3, count=40)
    return tmp_path


def expected_summary(directory):
    lines = ["sample\tnumbers\tprimes"]
    for path in sorted((directory / "data").glob("*.txt")):
        numbers = {int(line) for line in path.read_text().split()}
        lines.append(f"{path.stem}\t{len(numbers)}\t{sum(map(is_prime, numbers))}")
    return "\n".join(lines) + "\n"


def test_dry_run_plans_every_job_and_writes_nothing(primes_dir):
    assert workflows.would_run(primes_dir) == {"clean": 3, "count_primes": 3, "summary": 1, "all": 1}
    assert not (primes_dir / "results").exists()


@pytest.mark.slow
@pytest.mark.parametrize("cores", ["1", "2"])
def test_real_run_counts_the_primes_and_a_changed_input_reruns_its_branch(primes_dir, cores):
    workflows.snakemake(primes_dir, "--cores", cores)
    assert (primes_dir / "results/summary.tsv").read_text() == expected_summary(primes_dir)
    assert 0 < workflows.results_span(primes_dir) < 120
    assert workflows.would_run(primes_dir) == {}
    (primes_dir / "results/clean/a.txt").unlink()  # an intermediate nothing needs now: not remade
    assert workflows.would_run(primes_dir) == {}
    assert workflows.would_run(primes_dir, "results/clean/a.txt") == {"clean": 1}
    future = (primes_dir / "results/summary.tsv").stat().st_mtime + 10
    os.utime(primes_dir / "data/b.txt", (future, future))  # newer than its outputs, same content:
    assert workflows.would_run(primes_dir) == {}  # Snakemake 9 compares the checksum it recorded
    with open(primes_dir / "data/b.txt", "a") as data:
        data.write("97\n")
    assert workflows.would_run(primes_dir) == {"clean": 1, "count_primes": 1, "summary": 1, "all": 1}


def test_a_changed_param_triggers_a_rerun_unless_told_not_to(primes_dir):
    workflows.snakemake(primes_dir, "--cores", "2", "--config", "strategy=serial")
    assert workflows.would_run(primes_dir, "--config", "strategy=serial") == {}
    assert workflows.would_run(primes_dir, "--config", "strategy=futures")["count_primes"] == 3
    assert workflows.would_run(primes_dir, "--config", "strategy=futures", "--rerun-triggers", "mtime") == {}


def test_a_missing_input_is_named(primes_dir):
    result = workflows.snakemake(primes_dir, "--cores", "1", "results/counts/z.txt", check=False)
    assert result.returncode != 0
    assert "MissingInputException" in result.stderr and "data/z.txt" in result.stderr
    with pytest.raises(RuntimeError, match="data/z.txt"):
        workflows.snakemake(primes_dir, "--cores", "1", "results/counts/z.txt")


def test_a_run_ends_soon_after_its_last_line(primes_dir):
    # Snakemake 9 leaves a one-second threading.Timer running after its last job;
    # python -m snakemake waits for it (1.4 s here), the helpers' command does not (0.4 s).
    run = workflows.start_snakemake(primes_dir, "--cores", "1", "results/clean/a.txt", stderr=subprocess.PIPE)
    last_line = None
    try:
        for line in run.stderr:
            if line.startswith("Complete log"):
                last_line = time.perf_counter()
        assert run.wait(timeout=60) == 0
        assert last_line is not None, "Snakemake's log has no 'Complete log' line"
        assert time.perf_counter() - last_line < 0.9
    finally:
        workflows.kill(run)
        run.stderr.close()
    assert (primes_dir / "results/clean/a.txt").is_file()


def test_bad_options_are_named_by_snakemake(primes_dir):
    result = workflows.snakemake(primes_dir, "--cores", "1", "--no-such-option", check=False)
    assert result.returncode == 2 and "snakemake: error: unrecognized arguments: --no-such-option" in result.stderr


def test_graphs_are_dot(primes_dir):
    dag = workflows.graph_dot(primes_dir, "dag")
    assert dag.startswith("digraph") and dag.count('label = "clean') == 3
    rules = workflows.graph_dot(primes_dir, "rulegraph")
    assert rules.count("label = ") == 4
    with pytest.raises(ValueError, match="kind"):
        workflows.graph_dot(primes_dir, "pie")


def test_job_stats_parsing_and_bad_names(tmp_path):
    log = "Job stats:\njob      count\n-----  -------\nclean        2\nall          1\ntotal        3\n\n"
    assert workflows.planned_jobs(log) == {"clean": 2, "all": 1}
    assert workflows.job_stats("before\n" + log).startswith("Job stats:") and workflows.job_stats("") == ""
    assert workflows.planned_jobs("Nothing to be done (all requested files are present and up to date).") == {}
    with pytest.raises(ValueError, match="no workflow 'nope'"):
        workflows.workflow_dir("nope")
    with pytest.raises(TypeError):
        workflows.planned_jobs(None)
    with pytest.raises(ValueError, match="samples"):
        workflows.write_samples(tmp_path, samples=27)
    with pytest.raises(ValueError, match="at least two files"):
        workflows.results_span(tmp_path)
    with pytest.raises(ValueError, match="does not exist"):
        workflows.start_snakemake(tmp_path / "missing", "--version")


def test_the_scatter_solution_gathers_what_one_job_counts(primes_dir):
    workflows.snakemake(primes_dir, "--cores", "2", "results/counts/a.txt")
    done = workflows.snakemake(primes_dir, "--snakefile", "scatter.smk", "--cores", "2", "results/gathered/a.txt")
    assert workflows.planned_jobs(done.stderr) == {"part": 2, "count_part": 2, "gathered": 1}
    assert (primes_dir / "results/gathered/a.txt").read_text() == (primes_dir / "results/counts/a.txt").read_text()


def test_a_killed_run_leaves_an_incomplete_file_and_a_lock(primes_dir):
    import time

    run = workflows.start_snakemake(primes_dir, "--cores", "1")
    counts = primes_dir / "results/counts"
    deadline = time.monotonic() + 120
    while not (counts.is_dir() and any(counts.iterdir())):
        assert run.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    assert workflows.kill(run) != 0
    plain = workflows.snakemake(primes_dir, "--cores", "1", check=False)
    assert plain.returncode != 0 and "IncompleteFilesException" in plain.stderr
    locked = workflows.snakemake(primes_dir, "--cores", "1", "--rerun-incomplete", check=False)
    assert "Directory cannot be locked" in locked.stderr
    workflows.snakemake(primes_dir, "--unlock")
    finish = workflows.snakemake(primes_dir, "--cores", "2", "--rerun-incomplete")
    assert "count_primes" in workflows.planned_jobs(finish.stderr)
    assert (primes_dir / "results/summary.tsv").read_text() == expected_summary(primes_dir)
    assert "summary" in workflows.job_list(finish.stderr)
