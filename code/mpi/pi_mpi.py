"""Estimate pi with MPI: every rank draws its own points, rank 0 adds up the hits.

Run it with ``mpiexec -n 2 python pi_mpi.py [points]``. Each of the ranks is a
separate process running this same file; they differ only in their rank, which
decides their share of the points and their random seed. ``comm.reduce`` sends
every rank's count of hits to rank 0 and adds them there; ``comm.gather``
collects one report from each rank, so that only rank 0 prints.
"""

import sys

import numpy as np
from mpi4py import MPI

comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()

total = int(sys.argv[1]) if len(sys.argv) > 1 else 4_000_000
# Shares that add up to total: the first total % size ranks take one more.
mine = total // size + (1 if rank < total % size else 0)

# One stream of random numbers per rank, independent of the others.
rng = np.random.default_rng(np.random.SeedSequence(2026).spawn(size)[rank])
x, y = rng.random(mine), rng.random(mine)
hits = int(np.count_nonzero(x * x + y * y <= 1.0))

all_hits = comm.reduce(hits, op=MPI.SUM, root=0)  # only rank 0 receives the sum
# Ranks printing at once would mix their lines: send them to rank 0 instead.
reports = comm.gather(
    f"rank {rank} of {size}: {mine} points, {hits} hits", root=0
)
if rank == 0:
    print(*reports, sep="\n")
    print(f"pi is about {4 * all_hits / total:.5f} "
          f"from {total} points on {size} ranks")
