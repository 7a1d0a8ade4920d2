"""A map that survives being killed: ``resumable_map(func, items, store)``.

``resumable_map`` returns ``[func(item) for item in items]``, and writes each
result to a file in the directory ``store`` as soon as it is computed. If the
program dies halfway (a crash, Ctrl-C, a batch system's time limit, even
``kill -9``), calling it again with the same arguments computes only the items
that have no stored result, and returns exactly what an uninterrupted run
would have returned. Nothing is lost, and nothing that was stored is computed
again.

Two ideas make that true
------------------------
**Atomic writes.** A result file either does not exist or holds a whole
result, never half of one: the result is written to a temporary file in the
same directory, flushed and ``fsync``-ed to disk, then renamed over the final
name with ``os.replace``, which is atomic (on POSIX and on Windows). A process
killed mid-write leaves at most a temporary ``.partial-*`` file, which the
next run deletes. (On POSIX the directory is ``fsync``-ed after the rename too,
so the new name itself survives a power cut.)

**Names that say what was computed.** Item ``i`` is stored as
``{i:06d}-{fingerprint}.pickle``, where the fingerprint is a hash of the
pickled item. Position alone is not enough: if ``items`` changes between runs,
the result stored for the old item 3 must not be returned for a new item 3.
The item alone is not enough either: equal items at two positions are each
stored (a repeated item is computed twice, simply). Stale files from an old
``items`` list are left in the store and ignored. Two limits: the function is
*not* part of the name (use one store per function, and a fresh one when the
function changes), and an item whose pickle differs from run to run (a set of
strings, whose order depends on the interpreter's hash seed) is recomputed,
never wrongly reused.

Every result is read back from the store at the end, so a resumed run and an
uninterrupted one return results that went through the same pickling.

The strategies
--------------
``serial``     compute missing items one after another in this process.
``processes``  compute missing items in a process pool of ``workers``; this
               process stores each result as it arrives (in completion order).
               ``func`` must be importable by the workers: a function defined
               at the top level of a module, not a lambda, not a function
               defined in a notebook or an interactive session.

One run per store at a time: two runs sharing a store would each compute
the missing items (the results would still be right, but computed twice).
"""

import concurrent.futures
import contextlib
import hashlib
import itertools
import os
import pathlib
import pickle
import sys
import tempfile

from parallel_patterns._context import mp_context, start_method
from parallel_patterns._validate import check_positive_int, check_workers

PICKLE_PROTOCOL = 5  # fixed, so an item's fingerprint does not change with Python's default
PARTIAL_PREFIX = ".partial-"
DEFAULT_SIZE = 80  # items in the benchmark, each about 35 ms of work


# -- The store -----------------------------------------------------------------


def fingerprint(item):
    """A short hash of the pickled ``item``: equal pickles, equal fingerprints."""
    return hashlib.sha256(pickle.dumps(item, protocol=PICKLE_PROTOCOL)).hexdigest()[:16]


def result_path(store, index, item):
    """Where the result for ``item`` at position ``index`` is stored."""
    return pathlib.Path(store, f"{index:06d}-{fingerprint(item)}.pickle")


def sync_directory(directory):
    """Flush a directory's entries (new names) to disk; a no-op where that is not possible."""
    if os.name != "posix":  # Windows cannot open a directory; its os.replace is durable enough
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_atomically(path, data):
    """Make ``path`` hold ``data``: all of it, or nothing new.

    Nothing new if we are killed.
    """
    descriptor, partial = tempfile.mkstemp(
        dir=path.parent, prefix=PARTIAL_PREFIX
    )
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            # the bytes are on disk before the name points at them
            os.fsync(file.fileno())
        # atomic: readers see the old state or the new, never a mix
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise
    sync_directory(path.parent)


def store_result(path, result):
    write_atomically(path, pickle.dumps(result, protocol=PICKLE_PROTOCOL))


def load_result(path):
    """The result stored in ``path``; ValueError if the file is not a whole pickle.

    Atomic writes never leave such a file, but a disk error, a full disk
    under another tool, or a person editing the store can: the error names
    the file, which can be deleted so that its item is computed again.
    """
    try:
        with open(path, "rb") as file:
            return pickle.load(file)
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError, IndexError) as error:
        raise ValueError(
            f"checkpoint file {str(path)!r} is corrupt and cannot be read ({type(error).__name__}: {error}); "
            f"delete it and run again to recompute its item"
        ) from error


def prepare_store(store, items):
    """Create ``store`` if needed, delete leftovers of killed writes; return each item's result path."""
    store.mkdir(parents=True, exist_ok=True)
    for partial in store.glob(PARTIAL_PREFIX + "*"):
        partial.unlink(missing_ok=True)
    return [result_path(store, index, item) for index, item in enumerate(items)]


def missing(paths):
    """The positions whose result is not stored yet."""
    return [index for index, path in enumerate(paths) if not path.exists()]


# -- Checks ------------------------------------------------------------------------


def check_arguments(func, items, store, workers):
    """Validate what every strategy takes; return items as a list and store as a Path."""
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    try:
        items = list(items)
    except TypeError:
        raise TypeError(f"items must be an iterable, got {type(items).__name__}") from None
    for index, item in enumerate(items):
        try:
            pickle.dumps(item, protocol=PICKLE_PROTOCOL)
        except Exception as error:
            raise TypeError(f"items[{index}] cannot be pickled, so it cannot be fingerprinted: {error}") from None
    if not isinstance(store, (str, os.PathLike)):
        raise TypeError(f"store must be a directory path (str or pathlib.Path), got {type(store).__name__}")
    store = pathlib.Path(store)
    if store.exists() and not store.is_dir():
        raise ValueError(f"store {str(store)!r} exists and is not a directory")
    return func, items, store, check_workers(workers)


def check_importable(func):
    """Raise TypeError unless worker processes can import ``func``."""
    try:
        pickle.dumps(func)
    except Exception as error:
        raise TypeError(
            f"func must be importable by worker processes (a function defined at the top level of a "
            f"module, not a lambda or a nested function); pickle says: {error}"
        ) from None
    main = sys.modules.get("__main__")
    defined_interactively = getattr(func, "__module__", None) == "__main__" and not hasattr(main, "__file__")
    if defined_interactively and start_method() != "fork":
        raise TypeError(
            f"func {getattr(func, '__qualname__', func)!r} is defined in a notebook or an interactive session, "
            f"which worker processes started with {start_method()!r} cannot import: move it into a .py module "
            f"and import it from there"
        )


# -- The strategies ------------------------------------------------------------


def map_serial(func, items, store, *, workers=1):
    """Compute the missing results one after another in this process (``workers`` is ignored)."""
    func, items, store, workers = check_arguments(func, items, store, workers)
    paths = prepare_store(store, items)
    for index in missing(paths):
        store_result(paths[index], func(items[index]))
    return [load_result(path) for path in paths]


def map_processes(func, items, store, *, workers=1):
    """Compute the missing results in a pool of ``workers`` processes.

    Store each as it arrives.
    """
    func, items, store, workers = check_arguments(func, items, store, workers)
    check_importable(func)
    paths = prepare_store(store, items)
    todo = missing(paths)
    if todo:
        with concurrent.futures.ProcessPoolExecutor(
            max_workers=workers, mp_context=mp_context()
        ) as pool:
            futures = {pool.submit(func, items[index]): index for index in todo}
            try:
                for future in concurrent.futures.as_completed(futures):
                    store_result(paths[futures[future]], future.result())
            except BaseException:
                # func raised, or we were interrupted: start nothing new
                for future in futures:
                    future.cancel()
                raise
    return [load_result(path) for path in paths]


def resumable_map(func, items, store, *, workers=1):
    """``[func(item) for item in items]``, resumable: see the module docstring.

    With ``workers=1`` it computes in this process; with more, in a process pool.
    """
    if check_workers(workers) == 1:
        return map_serial(func, items, store)
    return map_processes(func, items, store, workers=workers)


IMPLEMENTATIONS = {
    "serial": map_serial,
    "processes": map_processes,
}


# -- Benchmark -----------------------------------------------------------------


def busy_square(n, work=1_000_000):
    """``n * n``, after about 35 ms of pointless arithmetic (a stand-in for a real task)."""
    total = 0
    for i in range(work):
        total += i % 7
    return n * n + total * 0


def busy_squares(chunk, work=15_000):
    """``[busy_square(n, work) for n in chunk]``: map this over chunks to store one file per chunk.

    ``resumable_map`` writes one checkpoint file per item. Mapping over
    chunks of ``k`` items instead stores results ``k`` at a time: fewer
    writes, but a kill loses up to ``k`` items of work. The work per item is
    small, so that the cost of the writes stands out in episode 9's timings.
    """
    return [busy_square(n, work) for n in chunk]


def chunked(items, size):
    """``items`` cut into tuples of ``size`` (the last may be shorter)."""
    size = check_positive_int("size", size)
    items = list(items)
    return [tuple(items[start : start + size]) for start in range(0, len(items), size)]


class FreshDirectories(os.PathLike):
    """A path that names a new, empty directory under ``parent`` each time it is used.

    The benchmark calls a strategy several times with the same arguments; a
    real store would make every call after the first return at once, with
    nothing to compute. This one gives every call an empty store.
    """

    def __init__(self, parent):
        self.parent = parent
        self.counter = itertools.count()

    def __fspath__(self):
        return os.path.join(self.parent, f"run-{next(self.counter)}")


@contextlib.contextmanager
def benchmark_case(size):
    """``size`` items of about 35 ms each, mapped into an empty store every time."""
    size = check_positive_int("size", size)
    with tempfile.TemporaryDirectory(prefix="checkpoint-") as parent:
        yield (busy_square, list(range(size)), FreshDirectories(parent)), {}
