"""Add up counts files ("numbers<TAB>primes" each) into one.

Usage: python add_counts.py OUTPUT COUNT_FILE...
"""

import sys


def main(target, *count_files):
    numbers = primes = 0
    for path in count_files:
        with open(path) as count:
            n, p = count.read().split()
        numbers, primes = numbers + int(n), primes + int(p)
    with open(target, "w") as total:
        total.write(f"{numbers}\t{primes}\n")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
