"""Building the C and C++ extensions: reused while nothing changed, rebuilt when
something did or when CI asks; and the setup check's report on compilers."""

import ctypes
import os
import shutil
import subprocess
import sys

import pytest

from parallel_patterns.tools import check, extensions


@pytest.fixture
def private_build(tmp_path, monkeypatch):
    """A build folder of this test's own, and a copy of the sources it may edit."""
    sources = tmp_path / "sources"
    shutil.copytree(extensions.SOURCE_DIR, sources)
    monkeypatch.setattr(extensions, "SOURCE_DIR", sources)
    monkeypatch.setenv(extensions.BUILD_DIR_ENV, str(tmp_path / "build"))
    return sources, tmp_path / "build"


def test_the_default_build_makes_all_four_and_a_second_build_reuses_them():
    first = extensions.build()
    assert set(first) == set(extensions.EXTENSIONS)
    for result in first.values():
        assert os.path.isfile(result.path) and result.seconds > 0
        assert os.path.dirname(result.path) == str(extensions.build_dir())
    again = extensions.build()
    assert not any(result.compiled_now for result in again.values())
    assert {name: r.path for name, r in again.items()} == {name: r.path for name, r in first.items()}
    assert extensions.compile_times() == {name: r.seconds for name, r in again.items()}


def test_a_changed_source_is_compiled_again_and_force_compiles_anyway(private_build):
    sources, build = private_build
    first = extensions.build("ctypes")["ctypes"]
    assert first.compiled_now and first.path.startswith(str(build))
    assert not extensions.build("ctypes")["ctypes"].compiled_now
    assert extensions.build("ctypes", force=True)["ctypes"].compiled_now
    with open(sources / "mandelbrot.c", "a", encoding="utf-8") as source:
        source.write("\n/* changed */\n")
    changed = extensions.build("ctypes")["ctypes"]
    assert changed.compiled_now and changed.key != first.key
    library = ctypes.CDLL(changed.path)
    library.escape_count.argtypes = [ctypes.c_double, ctypes.c_double, ctypes.c_int64]
    library.escape_count.restype = ctypes.c_int64
    assert library.escape_count(0.0, 0.0, 77) == 77  # inside the set: never escapes
    assert library.escape_count(3.0, 0.0, 77) == 0


def test_the_command_line_build_compiles_again_under_ci(private_build):
    _, build = private_build
    command = [sys.executable, "-m", "parallel_patterns.tools.extensions", "build", "ctypes"]
    environment = {**os.environ, extensions.BUILD_DIR_ENV: str(build)}
    environment.pop("CI", None)
    first = subprocess.run(command, capture_output=True, text=True, timeout=300, env=environment, check=True)
    assert "ctypes    compiled now" in first.stdout
    again = subprocess.run(command, capture_output=True, text=True, timeout=300, env=environment, check=True)
    assert "reused" in again.stdout
    in_ci = subprocess.run(
        command, capture_output=True, text=True, timeout=300, env={**environment, "CI": "true"}, check=True
    )
    assert "ctypes    compiled now" in in_ci.stdout
    where = subprocess.run(
        [sys.executable, "-m", "parallel_patterns.tools.extensions", "where"],
        capture_output=True, text=True, timeout=60, env=environment, check=True,
    )
    assert where.stdout.strip() == str(build)


def test_bad_requests_and_missing_sources_are_explained(private_build, tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="unknown extensions"):
        extensions.build(["fortran"])
    with pytest.raises(ValueError, match="load_module takes one of"):
        extensions.load_module("ctypes")
    monkeypatch.setattr(extensions, "SOURCE_DIR", tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="pip install -e"):
        extensions.build("ctypes")


def test_a_failing_compilation_raises_with_the_compilers_message(private_build):
    sources, _ = private_build
    (sources / "mandelbrot.c").write_text("this is not C\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="compiling failed"):
        extensions.build("ctypes")
    assert "ctypes" not in extensions.compile_times()


def test_compiles_tells_a_working_compiler_from_broken_source():
    compiler = extensions.c_compiler()
    assert extensions.compiles(compiler, "int main(void) { return 0; }\n") == (True, "")
    ok, complaint = extensions.compiles(compiler, "int main(void) { return }\n")
    assert not ok and complaint
    assert extensions.compiles(None, "") == (False, "no compiler found")


@pytest.mark.skipif(sys.platform != "linux", reason="the build machine's gcc has OpenMP")
def test_openmp_is_found_on_the_build_machine():
    assert extensions.openmp_flags() == (["-fopenmp"], ["-fopenmp"])


def test_the_setup_check_reports_compilers_and_openmp():
    results = {r.name: r for r in check.check_c_toolchain()}
    assert set(results) == {"C compiler", "C++ compiler", "cffi, Cython, pybind11", "OpenMP"}
    assert all(not r.required for r in results.values())
    assert results["C compiler"].ok and results["C++ compiler"].ok
    assert results["cffi, Cython, pybind11"].ok


def test_the_setup_check_says_how_to_install_a_compiler(monkeypatch):
    monkeypatch.setattr(check.shutil, "which", lambda program: None)
    for platform, advice in [
        ("linux", "sudo apt-get install build-essential"),
        ("darwin", "xcode-select --install"),
        ("win32", "C++ Build Tools"),
    ]:
        monkeypatch.setattr(check.sys, "platform", platform)
        results = {r.name: r for r in check.check_c_toolchain()}
        assert not results["C compiler"].ok and advice in results["C compiler"].detail
        assert "conda" in results["C compiler"].detail or platform == "darwin"
        assert not results["OpenMP"].ok
