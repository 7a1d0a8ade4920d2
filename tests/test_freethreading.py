"""parallel_patterns.helpers.freethreading: the measurement, and running it under another Python."""

import json
import os
import platform
import sys

import pytest

from parallel_patterns.helpers import freethreading
from parallel_patterns.helpers.freethreading import (
    FREE_THREADED_ENV,
    free_threaded_build,
    free_threaded_interpreter,
    gil_enabled,
    main,
    measure,
    measure_under,
)

KEYS = {
    "python", "implementation", "free_threaded_build", "gil_enabled", "size", "workers",
    "serial_seconds", "threads_seconds", "speedup",
}


def test_a_regular_build_has_the_gil():
    if not free_threaded_build():
        assert gil_enabled()


def test_measure_reports_times_and_their_ratio():
    result = measure(1, workers=2, repeats=1)
    assert set(result) == KEYS
    assert result["python"] == platform.python_version()
    assert result["size"] == 1 and result["workers"] == 2
    assert result["serial_seconds"] > 0 and result["threads_seconds"] > 0
    assert result["speedup"] == pytest.approx(result["serial_seconds"] / result["threads_seconds"])


def test_main_prints_json(capsys):
    assert main(["--size", "1", "--repeats", "1"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == KEYS


def test_no_interpreter_when_the_variable_is_unset_or_empty(monkeypatch):
    monkeypatch.delenv(FREE_THREADED_ENV, raising=False)
    assert free_threaded_interpreter() is None
    monkeypatch.setenv(FREE_THREADED_ENV, "  ")
    assert free_threaded_interpreter() is None


def test_a_path_that_is_not_a_program_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv(FREE_THREADED_ENV, str(tmp_path / "python3.14t"))
    with pytest.raises(ValueError, match=FREE_THREADED_ENV):
        free_threaded_interpreter()


def test_measure_under_an_interpreter_named_by_the_variable(monkeypatch):
    # No free-threaded Python here: this Python stands in for one, and the
    # measurement must come back from the child, saying the GIL was on.
    monkeypatch.setenv(FREE_THREADED_ENV, sys.executable)
    interpreter = free_threaded_interpreter()
    assert interpreter == sys.executable
    result = measure_under(interpreter, 1, workers=2, repeats=1, timeout=50)
    assert set(result) == KEYS
    assert result["python"] == platform.python_version()
    assert result["gil_enabled"] == gil_enabled()
    assert result["size"] == 1


def test_the_child_needs_only_pythonpath(monkeypatch, tmp_path):
    # A bare interpreter that has not installed the package finds it through PYTHONPATH.
    assert (freethreading.PACKAGE_PARENT / "parallel_patterns" / "primes.py").is_file()
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # kept, with the package's parent in front
    result = measure_under(sys.executable, 1, repeats=1)
    assert result["size"] == 1


def test_a_failing_interpreter_raises_with_its_errors(tmp_path):
    fake = tmp_path / "python-that-fails"
    fake.write_text("#!/bin/sh\necho 'no such module' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(RuntimeError, match="exit code 3(.|\n)*no such module"):
        measure_under(str(fake), 1)


@pytest.mark.skipif(os.name != "posix", reason="a shell script stands in for the interpreter")
def test_a_hung_interpreter_times_out(tmp_path):
    fake = tmp_path / "python-that-hangs"
    fake.write_text("#!/bin/sh\nsleep 30\n")
    fake.chmod(0o755)
    with pytest.raises(TimeoutError, match="1.0 s"):
        measure_under(str(fake), 1, timeout=1)


def test_measure_rejects_bad_arguments():
    with pytest.raises(ValueError, match="size"):
        measure(0)
    with pytest.raises(ValueError, match="workers"):
        measure(1, workers=0)
    with pytest.raises(ValueError, match="timeout"):
        measure_under(sys.executable, 1, timeout=-1)
