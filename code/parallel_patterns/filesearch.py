"""Find files by the hash of their content: which files under ``root`` are copies of this one?

``find(root, digest, *, algorithm="sha256", workers=1)`` returns the sorted
paths of the files under ``root`` whose content hashes to ``digest`` (a hex
string, upper or lower case). It is two jobs in a row: *walk* the directory
tree to list files (many small system calls, mostly waiting), then *hash*
every file (reading it, and computing the hash: CPU work, a lot of it for big
files). That makes it a natural *pipeline*: one stage hands its output to the
next while both keep working.

What is searched
----------------
Regular files under ``root``, at any depth. Symbolic links to directories
are not followed, so a link loop cannot trap the walk; a symbolic link to a
file is hashed like the file (and its own path is reported). Anything that
cannot be read (no permission, a broken or looping link, a file deleted
during the search) is skipped silently, as are directories that cannot be
listed, fifos, sockets and devices (reading a fifo could wait forever).

The strategies
--------------
``serial``    walk, then hash each file in turn.
``threads``   walk, then hash in a thread pool. Threads help here despite the
              GIL: reading a file, and hashing a buffer of more than 2 KiB,
              release it, so with chunks of 1 MiB the threads hash in parallel.
``processes`` walk, then hash in one pool of ``workers`` processes: the
              plain map, with the walk done before any hashing starts.
``pipeline``  one *walker* process lists files onto a queue, ``workers``
              *hasher* processes take paths from it and put matches on a second
              queue, which this process reads. The walker ends the stream with
              one sentinel (None) per hasher; each hasher answers with a
              sentinel of its own when it stops, so this process knows when
              all are done, whether there were many files, none, or no match.
              Every process is joined (and terminated if it does not stop in
              time) however the search ends.
"""

import concurrent.futures
import contextlib
import hashlib
import itertools
import os
import pathlib
import random
import stat
import string
import tempfile

from parallel_patterns._context import mp_context
from parallel_patterns._validate import check_positive_int, check_workers

CHUNK_SIZE = 1 << 20  # 1 MiB: big enough that hashlib releases the GIL, small enough for memory
QUEUE_SIZE = 1000  # paths the walker may run ahead of the hashers
RESULT_TIMEOUT = 300  # seconds to wait for the next message from the hashers
JOIN_TIMEOUT = 10  # seconds a finished process gets to exit before it is terminated
DEFAULT_SIZE = 768  # MiB of files in the benchmark's tree: about 4 s of hashing here
BENCHMARK_ALGORITHM = "sha3_512"  # slow (~200 MB/s here): a few seconds of work fit in a small tree
BENCHMARK_FILE_MIB = 4


def check_arguments(root, digest, algorithm, workers):
    """Validate what every strategy takes; return root as a Path and digest in lower case."""
    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a path (str or pathlib.Path), got {type(root).__name__}")
    root = pathlib.Path(root)
    if not root.exists():
        raise ValueError(f"root {str(root)!r} does not exist")
    if not root.is_dir():
        raise ValueError(f"root {str(root)!r} is not a directory")
    if not isinstance(algorithm, str):
        raise TypeError(f"algorithm must be a string, got {type(algorithm).__name__}")
    fixed_size = sorted(name for name in hashlib.algorithms_guaranteed if not name.startswith("shake_"))
    if algorithm not in fixed_size:
        raise ValueError(f"algorithm must be one of {fixed_size}, got {algorithm!r}")
    if not isinstance(digest, str):
        raise TypeError(f"digest must be a hex string, got {type(digest).__name__}")
    length = 2 * hashlib.new(algorithm).digest_size
    if len(digest) != length or not set(digest) <= set(string.hexdigits):
        raise ValueError(f"digest must be {length} hex digits for {algorithm}, got {digest!r}")
    return root, digest.lower(), algorithm, check_workers(workers)


def walk_files(root):
    """Yield the path of every regular file under ``root`` (see the module docstring)."""
    for directory, _, names in os.walk(root):  # unlistable directories are skipped; links to directories not followed
        for name in names:
            path = pathlib.Path(directory, name)
            try:
                if stat.S_ISREG(os.stat(path).st_mode):  # follows a link to its file
                    yield path
            except OSError:  # a broken or looping link, or a file gone meanwhile
                continue


def file_digest(path, algorithm):
    """The hex digest of a file's content, read 1 MiB at a time; None if it cannot be read."""
    hasher = hashlib.new(algorithm)
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    try:
        with open(path, "rb") as file:
            while size := file.readinto(buffer):
                hasher.update(view[:size])
    except OSError:
        return None
    return hasher.hexdigest()


def find_serial(root, digest, *, algorithm="sha256", workers=1):
    """Walk, then hash each file in turn (``workers`` is ignored)."""
    root, digest, algorithm, workers = check_arguments(root, digest, algorithm, workers)
    return sorted(path for path in walk_files(root) if file_digest(path, algorithm) == digest)


def find_threads(root, digest, *, algorithm="sha256", workers=1):
    """Walk, then hash the files in a pool of ``workers`` threads."""
    root, digest, algorithm, workers = check_arguments(root, digest, algorithm, workers)
    paths = list(walk_files(root))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        digests = list(pool.map(file_digest, paths, itertools.repeat(algorithm)))
    return sorted(path for path, found in zip(paths, digests) if found == digest)


def find_processes(root, digest, *, algorithm="sha256", workers=1):
    """Walk, then hash the files in a single pool of ``workers`` processes."""
    root, digest, algorithm, workers = check_arguments(root, digest, algorithm, workers)
    paths = list(walk_files(root))
    chunksize = max(1, len(paths) // (4 * workers))  # as Pool.map would choose
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=mp_context()) as pool:
        digests = list(
            pool.map(file_digest, paths, itertools.repeat(algorithm), chunksize=chunksize, timeout=RESULT_TIMEOUT)
        )
    return sorted(path for path, found in zip(paths, digests) if found == digest)


def walker(root, paths, n_hashers):
    """Pipeline stage 1: put every file's path on ``paths``.

    Then put one None per hasher.
    """
    try:
        for path in walk_files(root):
            paths.put(str(path))
    finally:
        for _ in range(n_hashers):
            paths.put(None)


def hasher(paths, matches, algorithm, digest):
    """Pipeline stage 2: hash each path from ``paths``.

    Put matches on ``matches``, then None.
    """
    try:
        while (path := paths.get()) is not None:
            if file_digest(path, algorithm) == digest:
                matches.put(path)
    finally:
        matches.put(None)  # "this hasher has stopped"


def find_pipeline(root, digest, *, algorithm="sha256", workers=1):
    """A walker process feeds ``workers`` hasher processes through queues."""
    root, digest, algorithm, workers = check_arguments(root, digest, algorithm, workers)
    context = mp_context()
    paths = context.Queue(maxsize=QUEUE_SIZE)
    matches = context.Queue()
    processes = [context.Process(target=walker, args=(str(root), paths, workers), daemon=True)]
    processes += [
        context.Process(target=hasher, args=(paths, matches, algorithm, digest), daemon=True) for _ in range(workers)
    ]
    found = []
    try:
        for process in processes:
            process.start()
        stopped = 0
        while stopped < workers:
            path = matches.get(timeout=RESULT_TIMEOUT)  # raises queue.Empty rather than wait forever
            if path is None:
                stopped += 1
            else:
                found.append(pathlib.Path(path))
    finally:
        for process in processes:
            process.join(timeout=JOIN_TIMEOUT)
            if process.is_alive():
                process.terminate()
                process.join()
    return sorted(found)


IMPLEMENTATIONS = {
    "serial": find_serial,
    "threads": find_threads,
    "processes": find_processes,
    "pipeline": find_pipeline,
}

find = find_serial


def make_tree(root, total_mib, *, file_mib=BENCHMARK_FILE_MIB, copies=3, seed=0):
    """Fill ``root`` with about ``total_mib`` MiB of distinct files in nested folders.

    ``copies`` of the files have the same content (the first file's); return
    that content. Files differ by a numbered header in front of one shared
    block of random bytes, which is quick to write and just as slow to hash.
    """
    total_mib = check_positive_int("total_mib", total_mib)
    block = random.Random(seed).randbytes(file_mib * CHUNK_SIZE)
    n_files = max(copies, -(-total_mib // file_mib))
    wanted = b"file 0\n" + block
    for i in range(n_files):
        folder = pathlib.Path(root, f"d{i % 7}", f"e{i % 5}")
        folder.mkdir(parents=True, exist_ok=True)
        content = wanted if i < copies else f"file {i}\n".encode() + block
        pathlib.Path(folder, f"f{i}.bin").write_bytes(content)
    return wanted


@contextlib.contextmanager
def benchmark_case(size):
    """A temporary tree of ``size`` MiB with 3 copies of one file; removed afterwards."""
    size = check_positive_int("size", size)
    with tempfile.TemporaryDirectory(prefix="filesearch-") as root:
        wanted = make_tree(root, size)
        digest = hashlib.new(BENCHMARK_ALGORITHM, wanted).hexdigest()
        yield (root, digest), {"algorithm": BENCHMARK_ALGORITHM}
