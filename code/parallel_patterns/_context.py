"""One place that decides how worker processes are started.

Python offers three start methods: ``fork`` (copy the parent; Linux only, and
unsafe once the parent has threads), ``spawn`` (a fresh interpreter that imports
the worker's module; the default on macOS and Windows) and ``forkserver`` (the
default on Linux from Python 3.14). Every process-based strategy in this package
asks for its context here, so it behaves the same on every platform. The default
is ``spawn`` because it is what most learners' laptops do, and it is the
strictest about importing: a worker that ``spawn`` can find, ``fork`` and
``forkserver`` can find too. (That says nothing about fork-safety: a parent with
threads or locks can still break ``fork``.)

Set ``PARALLEL_PATTERNS_START_METHOD`` to ``fork`` or ``forkserver`` to try the
others.
"""

import multiprocessing
import os

START_METHOD_ENV = "PARALLEL_PATTERNS_START_METHOD"
DEFAULT_START_METHOD = "spawn"


def start_method():
    """The start method in force: the environment variable's, or ``spawn``."""
    method = os.environ.get(START_METHOD_ENV, DEFAULT_START_METHOD)
    if method not in multiprocessing.get_all_start_methods():
        raise ValueError(
            f"{START_METHOD_ENV}={method!r} is not a start method on this platform; "
            f"choose one of {multiprocessing.get_all_start_methods()}"
        )
    return method


def mp_context():
    """A ``multiprocessing`` context with an explicit start method."""
    return multiprocessing.get_context(start_method())
