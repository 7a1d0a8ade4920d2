"""Run the lesson's Snakemake workflows from a notebook or a test.

The workflows are real files under ``code/workflows/<name>/`` (a Snakefile
and the scripts its rules call). The episode runs Snakemake as a separate
program, for two reasons: Snakemake's Python API changes the process's
working directory and does not run inside a notebook's event loop, and a
learner runs the same command, ``python -m snakemake ...``, in a terminal.
The helpers run it as ``python -m parallel_patterns.helpers.workflows ...``,
which is Snakemake's own command line without a second's pause at its end
(:func:`snakemake_main` says why).

Every run here works in a directory of its own (a fresh temporary one on the
page), with a timeout, so that nothing hangs and the build is repeatable.
Shell commands in the rules call ``python``: the directory of this Python is
put first on the ``PATH`` of every run, so they find this environment's
Python, with the lesson's package installed.
"""

import os
import pathlib
import random
import re
import shutil
import signal
import subprocess
import sys
import threading

from parallel_patterns._validate import check_int, check_positive_int, check_positive_number

WORKFLOWS = pathlib.Path(__file__).resolve().parents[2] / "workflows"  # code/workflows
TIMEOUT = 300  # seconds for one Snakemake run; a run that takes longer has hung


def workflow_dir(name):
    """The directory of workflow ``name`` under ``code/workflows``."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a workflow's name (str), got {type(name).__name__}")
    path = WORKFLOWS / name
    if not (path / "Snakefile").is_file():
        known = sorted(p.name for p in WORKFLOWS.iterdir() if (p / "Snakefile").is_file()) if WORKFLOWS.is_dir() else []
        raise ValueError(f"no workflow {name!r} in {WORKFLOWS}; there are {known}")
    return path


def copy_workflow(name, directory):
    """Copy workflow ``name`` (its Snakefile and scripts) into ``directory``; return the directory."""
    directory = pathlib.Path(directory)
    shutil.copytree(workflow_dir(name), directory, dirs_exist_ok=True)
    return directory


def write_samples(directory, samples=4, count=200, *, low=10**12, high=10**13, seed=0):
    """Write ``data/a.txt``, ``data/b.txt``, ... with ``count`` random whole numbers each.

    The numbers lie in [low, high). Every sample repeats some numbers and
    has a blank line, for the workflow's ``clean`` rule to remove.
    Returns the paths written.
    """
    samples = check_int("samples", samples, minimum=1)
    if samples > 26:
        raise ValueError(f"samples must be at most 26 (one letter each), got {samples}")
    count = check_positive_int("count", count)
    low, high = check_positive_int("low", low), check_positive_int("high", high)
    if low >= high:
        raise ValueError(f"low must be below high, got low={low} and high={high}")
    rng = random.Random(seed)
    data = pathlib.Path(directory, "data")
    data.mkdir(parents=True, exist_ok=True)
    paths = []
    for letter in "abcdefghijklmnopqrstuvwxyz"[:samples]:
        numbers = [rng.randrange(low, high) for _ in range(count)]
        lines = [f"{n}\n" for n in numbers + numbers[: count // 10]] + ["\n"]
        rng.shuffle(lines)
        path = data / f"{letter}.txt"
        path.write_text("".join(lines))
        paths.append(path)
    return paths


def environment():
    """This process's environment, with this Python's directory first on the PATH."""
    bin_dir = os.path.dirname(sys.executable)
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}


def snakemake(directory, *arguments, timeout=TIMEOUT, check=True):
    """Run Snakemake with these command-line ``arguments`` in ``directory``; return the CompletedProcess.

    Its ``stdout`` and ``stderr`` are text (Snakemake writes its log to
    stderr). With ``check=True`` a failed run raises RuntimeError with the
    end of that log. A run that outlives ``timeout`` seconds is killed, with
    everything it started, and raises TimeoutError.
    """
    timeout = check_positive_number("timeout", timeout)
    child = start_snakemake(directory, *arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        stdout, stderr = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill(child)
        child.communicate()
        raise TimeoutError(f"snakemake {' '.join(arguments)} took more than {timeout} s and was killed") from None
    result = subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr)
    if check and result.returncode != 0:
        tail = "\n".join(stderr.splitlines()[-25:])
        raise RuntimeError(f"snakemake {' '.join(arguments)} failed (exit code {result.returncode}):\n{tail}")
    return result


def start_snakemake(directory, *arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
    """Start Snakemake with these command-line ``arguments`` in ``directory``; return the Popen at once.

    The run gets a session of its own, so :func:`kill` stops it together with
    every job it started.
    """
    directory = pathlib.Path(directory)
    if not directory.is_dir():
        raise ValueError(f"directory {str(directory)!r} does not exist")
    if not all(isinstance(argument, str) for argument in arguments):
        raise TypeError(f"every argument must be a str, got {arguments!r}")
    new_session = {"start_new_session": True} if os.name == "posix" else {}
    return subprocess.Popen(
        [sys.executable, "-m", "parallel_patterns.helpers.workflows", *arguments],  # snakemake_main
        cwd=directory,
        env=environment(),
        stdout=stdout,
        stderr=stderr,
        text=True,
        **new_session,
    )


def kill(child, timeout=30):
    """SIGKILL a run started by :func:`start_snakemake` and every job it started; wait for it."""
    if os.name == "posix":
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it had already finished
    else:
        child.kill()  # Windows: no process groups; jobs already started may run on
    return child.wait(timeout=timeout)


class DaemonTimer(threading.Timer):
    """A ``threading.Timer`` that Python does not wait for when the program ends."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.daemon = True


def snakemake_main(arguments):
    """Run Snakemake's command line, as ``python -m snakemake arguments`` does, minus a pause at the end.

    Snakemake 9 starts a one-second ``threading.Timer`` every time it looks for
    jobs to run (the timer belongs to its limit on jobs per second,
    ``--max-jobs-per-timespan``). Python waits for every such thread before a
    program ends, so each run lasts about a second longer than its work: in a
    terminal you see the last line, then a pause. A timer only wakes the
    scheduler, which has nothing left to do by then, so here the timers are
    daemon threads, which Python does not wait for. Ends the process with
    Snakemake's exit code.
    """
    threading.Timer = DaemonTimer
    sys.argv = ["snakemake", *arguments]  # its help and error messages say "snakemake"
    from snakemake.cli import main

    main()


def results_span(directory, folder="results"):
    """Seconds from the first file written under ``directory/folder`` to the last (by mtime).

    Snakemake's start-up and planning come before the first job's output, so
    this is about the time the jobs themselves took, whatever Snakemake's own
    overhead. It misses the first job's run time before it wrote its file.
    """
    files = [path for path in pathlib.Path(directory, folder).rglob("*") if path.is_file()]
    if len(files) < 2:
        raise ValueError(f"need at least two files under {folder!r} in {str(directory)!r}, found {len(files)}")
    times = [path.stat().st_mtime for path in files]
    return max(times) - min(times)


JOB_STATS = re.compile(r"^Job stats:\n(?:.*\n){2}((?:\S+\s+\d+\n)+)", re.MULTILINE)


def planned_jobs(text):
    """The ``{rule: number of jobs}`` table of a Snakemake log (``Job stats:``), without the total.

    Empty if the log has no such table (a dry run with nothing to do prints
    "Nothing to be done").
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be Snakemake's log (str), got {type(text).__name__}")
    match = JOB_STATS.search(text)
    if not match:
        return {}
    counts = {}
    for line in match.group(1).splitlines():
        rule, count = line.split()
        if rule != "total":
            counts[rule] = int(count)
    return counts


def job_stats(text):
    """The ``Job stats:`` table of a Snakemake log, as printed (empty if there is none)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be Snakemake's log (str), got {type(text).__name__}")
    match = JOB_STATS.search(text)
    return match.group(0) if match else ""


JOB_HEADER = re.compile(r"^(?:local)?rule (\w+):$")


def job_list(text):
    """The jobs a Snakemake log announces, as sorted strings such as ``"clean (sample=b)"``."""
    if not isinstance(text, str):
        raise TypeError(f"text must be Snakemake's log (str), got {type(text).__name__}")
    jobs, rule, wildcards = [], None, ""
    for line in text.splitlines() + [""]:
        header = JOB_HEADER.match(line.strip())
        if header or not line.startswith(" "):
            if rule:
                jobs.append(f"{rule} ({wildcards})" if wildcards else rule)
            rule, wildcards = (header.group(1), "") if header else (None, "")
        elif rule and line.strip().startswith("wildcards:"):
            wildcards = line.strip()[len("wildcards:"):].strip()
    return sorted(jobs)


def would_run(directory, *arguments):
    """``{rule: jobs}`` that ``snakemake --dry-run arguments...`` says it would run."""
    result = snakemake(directory, "--dry-run", "--cores", "1", *arguments)
    return planned_jobs(result.stdout + result.stderr)


def graph_dot(directory, kind="dag"):
    """The DOT source of the workflow's job graph (``kind="dag"``) or rule graph (``"rulegraph"``)."""
    if kind not in ("dag", "rulegraph"):
        raise ValueError(f"kind must be 'dag' or 'rulegraph', got {kind!r}")
    return snakemake(directory, f"--{kind}").stdout


if __name__ == "__main__":
    snakemake_main(sys.argv[1:])
