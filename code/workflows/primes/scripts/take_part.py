"""Keep every PARTS-th number of a sample, starting at number PART (0-based).

Usage: python take_part.py INPUT OUTPUT PART PARTS
"""

import sys


def main(source, target, part, parts):
    part, parts = int(part), int(parts)
    if not 0 <= part < parts:
        sys.exit(f"take_part.py: PART must be in 0..{parts - 1}, got {part}")
    with open(source) as numbers:
        lines = numbers.readlines()
    with open(target, "w") as piece:
        piece.writelines(lines[part::parts])


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
