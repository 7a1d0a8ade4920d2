"""The Lyapunov exponents of one chunk of growth rates: one job of the sweep workflow.

Usage: python exponents.py INPUT OUTPUT N_STEPS

INPUT holds one growth rate per line. OUTPUT gets one exponent per line, in
the same order, computed by ``parallel_patterns.sweep.sweep_chunk``, the
function the process pool and dask run. Each number is written with ``repr``,
which Python reads back as exactly the same float.
"""

import sys

from parallel_patterns.sweep import sweep_chunk


def main(source, target, n_steps):
    with open(source) as rates_file:
        rates = [float(line) for line in rates_file]
    exponents = sweep_chunk(rates, int(n_steps))
    with open(target, "w") as out:
        out.writelines(f"{value!r}\n" for value in exponents)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
