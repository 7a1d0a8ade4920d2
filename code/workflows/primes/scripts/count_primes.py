"""Count the primes in one sample with the lesson's own parallel code.

Usage: python count_primes.py INPUT OUTPUT WORKERS STRATEGY

INPUT holds one whole number per line. OUTPUT gets one line: how many numbers,
a tab, how many of them are prime. With WORKERS > 1 the numbers are tested by
``parallel_patterns.primes.IMPLEMENTATIONS[STRATEGY]`` with that many workers;
with 1, by the serial strategy. The Snakefile passes the job's ``{threads}``.
"""

import os
import sys

from parallel_patterns.primes import IMPLEMENTATIONS


def main(source, target, workers, strategy):
    workers = int(workers)
    if strategy not in IMPLEMENTATIONS:
        sys.exit(f"count_primes.py: unknown strategy {strategy!r}; "
                 f"choose one of {sorted(IMPLEMENTATIONS)}")
    with open(source) as numbers_file:
        numbers = [int(line) for line in numbers_file]
    with open(target, "w") as counts:
        # a run killed from here on leaves half a line
        counts.write(f"{len(numbers)}\t")
        counts.flush()
        count = IMPLEMENTATIONS[strategy if workers > 1 else "serial"]
        flags = count(numbers, workers=workers)
        counts.write(f"{sum(flags)}\n")


# Pool workers started with spawn import this file: they must not run main.
if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    # A short script with no threads: fork starts a pool in milliseconds.
    if sys.platform == "linux":
        os.environ.setdefault("PARALLEL_PATTERNS_START_METHOD", "fork")
    main(*sys.argv[1:])
