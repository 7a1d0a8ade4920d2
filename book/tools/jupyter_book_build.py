"""Run ``jupyter-book build ARGUMENTS...`` and end the process as soon as it is done.

Usage: python book/tools/jupyter_book_build.py ARGUMENTS...   (what build-book.sh runs)

When ``jupyter-book build`` returns, every page of the site is written. Python
would then spend most of a second (0.8 s on the 2-core build machine) freeing
Sphinx's environment and the parsed pages object by object, which is a fifth
of a rebuild after a prose edit. This script runs the exit handlers, flushes
the output and leaves without that clean-up. The exit code is jupyter-book's.
"""

import atexit
import os
import sys

from jupyter_book.cli.main import main


def exit_code(code):
    """The process exit code for a ``SystemExit`` code, as Python itself would choose it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # click exits with a message for some usage errors
    return 1


def build(arguments):
    """Run ``jupyter-book build`` with these arguments; return its exit code."""
    try:
        main(["build", *arguments], prog_name="jupyter-book")
    except SystemExit as done:
        return exit_code(done.code)
    return 0


if __name__ == "__main__":
    code = build(sys.argv[1:])
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)  # CPython's; private
    if run_exit_handlers is None:
        sys.exit(code)  # another Python: leave the normal way, clean-up included
    run_exit_handlers()  # what a normal exit runs: logging, pools, jupyter clients
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
