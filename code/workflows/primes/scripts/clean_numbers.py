"""Keep each number of a sample once, in increasing order, skipping blank lines.

Usage: python clean_numbers.py INPUT OUTPUT
"""

import sys


def main(source, target):
    with open(source) as raw:
        numbers = {int(line) for line in raw if line.strip()}
    with open(target, "w") as clean:
        clean.writelines(f"{n}\n" for n in sorted(numbers))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
