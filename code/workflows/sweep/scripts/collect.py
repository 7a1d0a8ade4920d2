"""Join the chunks' exponent files, in order, into one: the last job of the sweep workflow.

Usage: python collect.py OUTPUT INPUT...

A script run by ``shell:``, not a ``run:`` block in the Snakefile: Snakemake 9
runs each ``run:`` job in a new Snakemake process, which re-reads the workflow
and took 2.5 s on the build machine, where starting this script takes a tenth
of a second. Python rather than ``cat``, so that it runs the same on every
system.
"""

import sys


def main(target, *sources):
    with open(target, "w") as exponents:
        for source in sources:
            with open(source) as part:
                exponents.write(part.read())


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
