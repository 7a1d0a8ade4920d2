"""The MPI example: two ranks started by the mpiexec of the mpich wheel estimate pi."""

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent.parent / "code" / "mpi" / "pi_mpi.py"
MPIEXEC = Path(sys.executable).parent / "mpiexec"


@pytest.mark.skipif(not MPIEXEC.exists(), reason="no mpiexec beside this Python (pip install mpich)")
@pytest.mark.parametrize("ranks", [1, 2])
def test_pi_with_mpi(ranks):
    run = subprocess.run(
        [str(MPIEXEC), "-n", str(ranks), sys.executable, str(SCRIPT), "100001"],
        capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    assert lines[:-1] == [
        f"rank {r} of {ranks}: {100001 // ranks + (r < 100001 % ranks)} points, " + lines[r].split(", ")[1]
        for r in range(ranks)
    ]
    hits = sum(int(line.split(", ")[1].split()[0]) for line in lines[:-1])
    estimate = float(lines[-1].split()[3])
    assert estimate == pytest.approx(4 * hits / 100001, abs=1e-5)
    assert abs(estimate - 3.14159) < 0.05
