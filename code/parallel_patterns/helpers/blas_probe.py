"""Time NumPy's matrix product in fresh processes: BLAS threads and CPU affinity.

NumPy hands ``a @ b`` to a BLAS library (OpenBLAS in the wheels from PyPI, MKL
or OpenBLAS in conda), and the BLAS starts its own threads: by default one per
core the process may use. It decides how many when NumPy is *imported*, from
the environment variables ``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS`` or
``MKL_NUM_THREADS`` if set (Apple's Accelerate, in NumPy's wheels for macOS on
arm64, ignores those and reads ``VECLIB_MAXIMUM_THREADS``), else from the
cores in the process's affinity mask. Setting a variable after ``import numpy`` changes nothing, so every
experiment here runs in a fresh Python process:

* :func:`run_probes` starts ``copies`` probe processes at the same time, each
  multiplying two matrices ``repeat`` times, optionally with the BLAS thread
  variables set to ``blas_threads``, or pinned to the cores ``cores``.
* Each probe (``python -m parallel_patterns.helpers.blas_probe``) imports NumPy only
  after pinning itself, warms the product up once, waits for a common start
  time so the copies really overlap, and prints one JSON line: the wall and
  CPU time of its products and what it saw (cores, affinity).

With two copies on a two-core machine, two BLAS threads each means four busy
threads for two cores (*oversubscription*); one thread each means one per core.
"""

import argparse
import json
import os
import subprocess
import sys
import time

from parallel_patterns._validate import check_positive_int, check_positive_number
from parallel_patterns.tools.stamp import usable_cores

# OpenBLAS, OpenMP builds, MKL, and Apple's Accelerate (macOS arm64 wheels)
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
START_DELAY = 0.45  # seconds the copies get to start and import NumPy before the common start


def probe(size, repeat, *, start_at=None):
    """In the probe process: time ``repeat`` products of two ``size`` x ``size`` matrices.

    Returns a dict with ``wall`` and ``cpu`` (seconds, for all the products
    together), the cores the process saw and the thread variables it had.
    """
    import numpy as np  # here: after main() has pinned the process, if asked to

    size = check_positive_int("size", size)
    repeat = check_positive_int("repeat", repeat)
    rng = np.random.default_rng(0)
    a, b = rng.random((size, size)), rng.random((size, size))
    a @ b  # warm-up: BLAS starts its threads on the first product
    if start_at is not None:
        time.sleep(max(0.0, start_at - time.time()))
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    for _ in range(repeat):
        a @ b
    wall = time.perf_counter() - wall_before
    cpu = time.process_time() - cpu_before
    return {
        "size": size,
        "repeat": repeat,
        "wall": wall,
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "usable_cores": usable_cores(),
        "thread_variables": {name: os.environ.get(name) for name in THREAD_VARIABLES},
    }


def parse_cores(text):
    """``"0,2"`` -> ``{0, 2}``."""
    try:
        cores = {int(part) for part in text.split(",")}
    except ValueError:
        raise argparse.ArgumentTypeError(f"cores must be numbers separated by commas, got {text!r}") from None
    if not cores or min(cores) < 0:
        raise argparse.ArgumentTypeError(f"cores must be core numbers >= 0, got {text!r}")
    return cores


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=500, help="matrix side (default 500)")
    parser.add_argument("--repeat", type=int, default=10, help="products to time (default 10)")
    parser.add_argument("--cores", type=parse_cores, help="pin the process to these cores, e.g. 0 or 0,1")
    parser.add_argument("--start-at", type=float, help="wait until this time.time() before timing")
    args = parser.parse_args(argv)
    if args.cores is not None:
        if not hasattr(os, "sched_setaffinity"):
            parser.error("--cores needs os.sched_setaffinity, which this platform (e.g. macOS) lacks")
        os.sched_setaffinity(0, args.cores)  # before NumPy, so the BLAS sees only these cores
    print(json.dumps(probe(args.size, args.repeat, start_at=args.start_at)))


def run_probes(copies, *, size, repeat, blas_threads=None, cores=None, timeout=120):
    """Run ``copies`` probe processes at the same time; return their reports (dicts).

    ``blas_threads`` sets every BLAS thread variable for the probes (``None``
    leaves the environment as it is). ``cores`` (a set of core numbers) pins
    each probe to those cores. Every other environment variable is passed on
    unchanged. A probe that fails or outlives ``timeout`` seconds raises
    ``RuntimeError``; none is left running.
    """
    copies = check_positive_int("copies", copies)
    size = check_positive_int("size", size)
    repeat = check_positive_int("repeat", repeat)
    timeout = check_positive_number("timeout", timeout)
    env = dict(os.environ)
    if blas_threads is not None:
        blas_threads = check_positive_int("blas_threads", blas_threads)
        env.update({name: str(blas_threads) for name in THREAD_VARIABLES})
    command = [sys.executable, "-m", "parallel_patterns.helpers.blas_probe", "--size", str(size), "--repeat", str(repeat)]
    if cores is not None:
        cores = sorted(cores)
        if not cores:
            raise ValueError("cores must name at least one core")
        command += ["--cores", ",".join(str(core) for core in cores)]
    if copies > 1:  # let every copy start and import NumPy, then time them together
        command += ["--start-at", str(time.time() + START_DELAY)]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(copies)
    ]
    try:
        deadline = time.monotonic() + timeout
        outputs = []
        for process in processes:
            try:
                outputs.append(process.communicate(timeout=max(0.1, deadline - time.monotonic())))
            except subprocess.TimeoutExpired:
                raise RuntimeError(f"a BLAS probe did not finish within {timeout} s") from None
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait()
    reports = []
    for process, (stdout, stderr) in zip(processes, outputs):
        if process.returncode != 0:
            raise RuntimeError(f"a BLAS probe failed (exit status {process.returncode}):\n{stderr}")
        reports.append(json.loads(stdout))
    return reports


if __name__ == "__main__":
    main()
