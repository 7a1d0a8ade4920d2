"""One table from the counts of every sample.

Usage: python summarize.py OUTPUT COUNT_FILE...

Each COUNT_FILE is results/counts/<sample>.txt and holds "numbers<TAB>primes".
OUTPUT gets a header line and one line per sample: sample, numbers, primes.
"""

import pathlib
import sys


def main(target, *count_files):
    with open(target, "w") as table:
        table.write("sample\tnumbers\tprimes\n")
        for path in count_files:
            sample = pathlib.Path(path).stem
            table.write(f"{sample}\t{pathlib.Path(path).read_text().strip()}\n")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
