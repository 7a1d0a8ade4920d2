"""File search by hash: every strategy finds exactly the matching files, on any tree, without hanging."""

import hashlib
import os
import pathlib

import pytest

from parallel_patterns import filesearch as fs

# (strategy, workers): every strategy, and the parallel ones with more than one worker
CASES = [("serial", 1), ("threads", 1), ("threads", 3), ("processes", 2), ("pipeline", 1), ("pipeline", 2)]
CASE_IDS = [f"{name}-{workers}" for name, workers in CASES]


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def write(root, relative, data):
    path = pathlib.Path(root, relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture
def tree(tmp_path):
    """Nested folders; three copies of b"needle" at different depths, one unique file."""
    write(tmp_path, "a.txt", b"hay")
    write(tmp_path, "b/c/d/e/deep.bin", b"needle")
    write(tmp_path, "b/needle.txt", b"needle")
    write(tmp_path, "z/needle-too", b"needle")
    write(tmp_path, "b/c/other", b"needle\n")  # one byte more: no match
    write(tmp_path, "empty", b"")
    write(tmp_path, "unique/one", b"only once")
    return tmp_path


def find(strategy, workers, root, digest, **kwargs):
    return fs.IMPLEMENTATIONS[strategy](root, digest, workers=workers, **kwargs)


@pytest.mark.parametrize("strategy, workers", CASES, ids=CASE_IDS)
def test_many_matches_are_found_and_sorted(tree, strategy, workers):
    assert find(strategy, workers, tree, sha256(b"needle")) == [
        tree / "b/c/d/e/deep.bin",
        tree / "b/needle.txt",
        tree / "z/needle-too",
    ]


@pytest.mark.parametrize("strategy, workers", CASES, ids=CASE_IDS)
def test_one_match_no_match_and_an_empty_file(tree, strategy, workers):
    assert find(strategy, workers, tree, sha256(b"only once")) == [tree / "unique/one"]
    assert find(strategy, workers, tree, sha256(b"not there")) == []
    assert find(strategy, workers, tree, sha256(b"")) == [tree / "empty"]


@pytest.mark.parametrize("strategy, workers", CASES, ids=CASE_IDS)
def test_an_empty_root_finds_nothing(tmp_path, strategy, workers):
    assert find(strategy, workers, tmp_path, sha256(b"needle")) == []


@pytest.mark.parametrize("strategy, workers", CASES, ids=CASE_IDS)
def test_digest_case_and_other_algorithms(tree, strategy, workers):
    assert find(strategy, workers, tree, sha256(b"only once").upper()) == [tree / "unique/one"]
    digest = hashlib.md5(b"only once").hexdigest()
    assert find(strategy, workers, str(tree), digest, algorithm="md5") == [tree / "unique/one"]


@pytest.mark.parametrize("strategy, workers", CASES, ids=CASE_IDS)
def test_links_fifos_and_loops_are_skipped_not_fatal(tree, strategy, workers):
    os.symlink(tree, tree / "b/loop")  # a directory link back to the root: not followed
    os.symlink(tree / "nowhere", tree / "broken")  # a broken link
    os.symlink(tree / "self", tree / "self")  # a link to itself: reading it fails (ELOOP)
    os.mkfifo(tree / "fifo")  # reading a fifo would wait for a writer forever
    os.symlink(tree / "b/needle.txt", tree / "a-link")  # a link to a file is hashed like the file
    assert find(strategy, workers, tree, sha256(b"needle")) == [
        tree / "a-link",
        tree / "b/c/d/e/deep.bin",
        tree / "b/needle.txt",
        tree / "z/needle-too",
    ]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read any file")
@pytest.mark.parametrize("strategy, workers", CASES, ids=CASE_IDS)
def test_unreadable_files_and_folders_are_skipped(tree, strategy, workers):
    (tree / "b/needle.txt").chmod(0)
    (tree / "z").chmod(0)
    try:
        assert find(strategy, workers, tree, sha256(b"needle")) == [tree / "b/c/d/e/deep.bin"]
    finally:
        (tree / "b/needle.txt").chmod(0o644)
        (tree / "z").chmod(0o755)


@pytest.mark.parametrize("strategy, workers", [("threads", 2), ("pipeline", 2)])
def test_more_files_than_the_queue_holds(tmp_path, strategy, workers):
    for i in range(fs.QUEUE_SIZE + 200):
        write(tmp_path, f"d{i % 10}/f{i}", str(i).encode())
    found = find(strategy, workers, tmp_path, sha256(b"777"))
    assert found == [tmp_path / "d7/f777"]


def test_file_digest_reads_big_files_in_chunks(tmp_path):
    data = os.urandom(fs.CHUNK_SIZE * 2 + 12345)
    path = write(tmp_path, "big", data)
    assert fs.file_digest(path, "sha256") == sha256(data)
    assert fs.file_digest(tmp_path / "missing", "sha256") is None


@pytest.mark.parametrize("strategy", list(fs.IMPLEMENTATIONS))
def test_bad_arguments_are_named(tree, strategy):
    good = sha256(b"x")
    f = fs.IMPLEMENTATIONS[strategy]
    with pytest.raises(ValueError, match="root .* does not exist"):
        f(tree / "missing", good)
    with pytest.raises(ValueError, match="root .* is not a directory"):
        f(tree / "a.txt", good)
    with pytest.raises(TypeError, match="root"):
        f(42, good)
    with pytest.raises(ValueError, match="algorithm"):
        f(tree, good, algorithm="sha257")
    with pytest.raises(ValueError, match="algorithm"):
        f(tree, good, algorithm="shake_128")  # no fixed digest length
    with pytest.raises(TypeError, match="algorithm"):
        f(tree, good, algorithm=None)
    with pytest.raises(ValueError, match="digest must be 64 hex digits"):
        f(tree, good[:-1])
    with pytest.raises(ValueError, match="digest"):
        f(tree, "z" * 64)
    with pytest.raises(ValueError, match="digest must be 32 hex digits for md5"):
        f(tree, good, algorithm="md5")
    with pytest.raises(TypeError, match="digest"):
        f(tree, bytes.fromhex(good))
    with pytest.raises(ValueError, match="workers"):
        f(tree, good, workers=0)


def test_benchmark_case_makes_and_removes_a_tree():
    with fs.benchmark_case(10) as (args, kwargs):
        root = pathlib.Path(args[0])
        assert sum(path.stat().st_size for path in root.rglob("*") if path.is_file()) >= 10 * 2**20
        assert len(fs.find_serial(*args, **kwargs)) == 3
    assert not root.exists()
    with pytest.raises(ValueError, match="size"):
        with fs.benchmark_case(0):
            pass
