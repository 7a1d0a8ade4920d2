"""Build the lesson's C and C++ extensions: ``python -m parallel_patterns.tools.extensions build``.

The episode on calling C and C++ calls one kernel, the Mandelbrot escape
count, four ways. Its sources are in ``code/extensions/``; this module turns
them into files Python can load, in ``build/extensions/`` at the top of the
lesson folder (ignored by git; set ``LESSON_EXTENSIONS_DIR`` to put them
elsewhere):

``ctypes``    ``mandelbrot.c`` compiled by the C compiler (``cc``) into a plain
              shared library (``libmandelbrot.so``, ``.dylib`` on macOS,
              ``mandelbrot.dll`` on Windows), which ``ctypes`` loads.
``cffi``      ``build_cffi.py``: cffi writes a C extension module around
              ``mandelbrot.c`` (API mode) and compiles it.
``cython``    ``mandelbrot_cython.pyx``: Cython translates it to C, which is
              compiled with OpenMP when the compiler supports it (for ``prange``).
``pybind11``  ``mandelbrot_pybind.cpp``, compiled by the C++ compiler.

The last three are Python extension modules, compiled by setuptools' portable
``build_ext``, which knows each platform's flags. Every C and C++ compilation
uses ``-O2 -ffp-contract=off`` (``/O2 /fp:precise`` with Microsoft's compiler):
no fused multiply-add, so every binding returns exactly what the Python kernel
returns.

Compiling takes seconds, so a build is reused while its sources, flags,
compiler and Python stay the same (a hash of them is kept in
``manifest.json``, with the time each compilation took). ``--force``, or the
environment variable ``CI=true``, compiles everything again: a CI build never
trusts a cached binary.
"""

import argparse
import contextlib
import hashlib
import importlib.metadata
import importlib.util
import io
import json
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # code/parallel_patterns
SOURCE_DIR = PACKAGE_DIR.parent / "extensions"  # code/extensions
BUILD_DIR_ENV = "LESSON_EXTENSIONS_DIR"
EXTENSIONS = ("ctypes", "cffi", "cython", "pybind11")
MODULE_NAMES = {"cffi": "_mandelbrot_cffi", "cython": "mandelbrot_cython", "pybind11": "mandelbrot_pybind"}
SOURCES = {
    "ctypes": ("mandelbrot.c", "mandelbrot.h"),
    "cffi": ("build_cffi.py", "mandelbrot.c", "mandelbrot.h"),
    "cython": ("mandelbrot_cython.pyx",),
    "pybind11": ("mandelbrot_pybind.cpp",),
}
GENERATORS = {"cffi": "cffi", "cython": "Cython", "pybind11": "pybind11"}
WINDOWS = sys.platform == "win32"
# The same arithmetic as Python: optimise, but never fuse a multiply and an add.
C_FLAGS = ["/O2", "/fp:precise"] if WINDOWS else ["-O2", "-ffp-contract=off"]
CXX_FLAGS = C_FLAGS + ([] if WINDOWS else ["-std=c++17"])
COMPILE_TIMEOUT = 300  # seconds: a compiler that takes longer is stuck


def build_dir():
    """Where compiled extensions go: ``$LESSON_EXTENSIONS_DIR``, or ``build/extensions``."""
    configured = os.environ.get(BUILD_DIR_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    return PACKAGE_DIR.parents[1] / "build" / "extensions"


def check_sources():
    """Raise ``FileNotFoundError`` with advice if ``code/extensions`` is not next to the package."""
    missing = [name for names in SOURCES.values() for name in names if not (SOURCE_DIR / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"the extension sources {sorted(set(missing))} are not in {SOURCE_DIR}: install the "
            "lesson's package from the lesson folder with `pip install -e .`"
        )


# --- Compilers -----------------------------------------------------------------


def c_compiler():
    """The C compiler command: ``$CC``, else the one Python was built with, else cc/gcc/clang.

    Returns a list (a compiler command may carry options, ``gcc -pthread``), or
    ``None`` if none is found. On Windows: ``cl`` (Microsoft's compiler) if it
    is on the PATH, as in a "Developer Command Prompt".
    """
    candidates = []
    if os.environ.get("CC"):
        candidates.append(shlex.split(os.environ["CC"]))
    if WINDOWS:
        candidates.append(["cl"])
    else:
        configured = sysconfig.get_config_var("CC")
        if configured:
            candidates.append(shlex.split(configured))
        candidates += [["cc"], ["gcc"], ["clang"]]
    for command in candidates:
        if command and shutil.which(command[0]):
            return command
    return None


def compiler_version(command):
    """The first line of ``command --version`` (what the manifest records), or ''."""
    if command is None or WINDOWS:
        return ""
    try:
        completed = subprocess.run(
            [*command, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return completed.stdout.splitlines()[0] if completed.stdout else ""


def cxx_compiler():
    """The C++ compiler command: ``$CXX``, else the one Python was built with, else c++/g++/clang++."""
    candidates = []
    if os.environ.get("CXX"):
        candidates.append(shlex.split(os.environ["CXX"]))
    if WINDOWS:
        candidates.append(["cl"])
    else:
        configured = sysconfig.get_config_var("CXX")
        if configured:
            candidates.append(shlex.split(configured))
        candidates += [["c++"], ["g++"], ["clang++"]]
    for command in candidates:
        if command and shutil.which(command[0]):
            return command
    return None


def compiles(compiler, source, *, suffix=".c", flags=(), link_flags=()):
    """Whether ``compiler`` turns ``source`` (a tiny program) into a program that runs.

    Returns ``(True, "")``, or ``(False, the compiler's first complaint)``. A
    compiler can be installed and still unable to build anything (missing
    headers, an unaccepted licence on macOS): only trying tells.
    """
    if compiler is None:
        return False, "no compiler found"
    with tempfile.TemporaryDirectory(prefix="lesson-compile-") as tmp:
        source_path = Path(tmp) / f"test{suffix}"
        source_path.write_text(source, encoding="utf-8")
        program = Path(tmp) / ("test.exe" if WINDOWS else "test")
        if WINDOWS:
            command = [*compiler, "/nologo", *flags, str(source_path), f"/Fe{program}"]
        else:
            command = [*compiler, *flags, str(source_path), "-o", str(program), *link_flags]
        try:
            built = subprocess.run(command, capture_output=True, text=True, cwd=tmp, timeout=60, check=False)
            if built.returncode != 0:
                complaint = (built.stderr or built.stdout).strip().splitlines()
                return False, complaint[0] if complaint else f"exit status {built.returncode}"
            ran = subprocess.run([str(program)], capture_output=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            return False, str(error)
        if ran.returncode != 0:
            return False, f"the compiled test program failed with exit status {ran.returncode}"
    return True, ""


OPENMP_TEST = """
#include <omp.h>
int main(void) { return omp_get_max_threads() > 0 ? 0 : 1; }
"""


def _openmp_candidates():
    """(compile flags, link flags) to try, most likely first, for this platform."""
    if WINDOWS:
        return [(["/openmp"], [])]
    candidates = [(["-fopenmp"], ["-fopenmp"])]
    if sys.platform == "darwin":  # Apple's clang needs Homebrew's libomp
        for prefix in ("/opt/homebrew/opt/libomp", "/usr/local/opt/libomp"):
            candidates.append(
                (
                    ["-Xpreprocessor", "-fopenmp", f"-I{prefix}/include"],
                    [f"-L{prefix}/lib", "-lomp"],
                )
            )
    return candidates


@cache
def openmp_flags():
    """(compile flags, link flags) that build an OpenMP program here, or ``None``.

    Found by compiling and running a tiny program that calls the OpenMP
    runtime. Cython's ``prange`` needs OpenMP to use several threads; without
    it the module still builds, and ``prange`` runs its loop on one thread.
    """
    compiler = c_compiler()
    for compile_flags, link_flags in _openmp_candidates():
        if compiles(compiler, OPENMP_TEST, flags=compile_flags, link_flags=link_flags)[0]:
            return compile_flags, link_flags
    return None


def shared_library_name():
    """The file name of the plain C library for ctypes on this platform."""
    if WINDOWS:
        return "mandelbrot.dll"
    return "libmandelbrot.dylib" if sys.platform == "darwin" else "libmandelbrot.so"


def shared_library_command(output, compiler=None):
    """The command that compiles ``mandelbrot.c`` into the shared library ``output``.

    ``-shared`` makes a library instead of a program, ``-fPIC`` code that works
    wherever the library is loaded in memory. (Windows: ``cl /LD``.)
    """
    compiler = compiler or c_compiler()
    if compiler is None:
        raise RuntimeError("no C compiler found: run `python -m parallel_patterns.tools.check` to see how to install one")
    source = str(SOURCE_DIR / "mandelbrot.c")
    if WINDOWS:
        return [*compiler, "/nologo", *C_FLAGS, "/LD", source, f"/Fe{output}"]
    return [*compiler, *C_FLAGS, "-fPIC", "-shared", "-o", str(output), source]


def compile_shared_library(output_dir):
    """Compile the ctypes library into ``output_dir``; return (path, seconds, command)."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    output = output_dir / shared_library_name()
    command = shared_library_command(output)
    start = time.perf_counter()
    completed = subprocess.run(
        command, capture_output=True, text=True, cwd=output_dir, timeout=COMPILE_TIMEOUT, check=False
    )
    seconds = time.perf_counter() - start
    if completed.returncode != 0:
        raise RuntimeError(f"compiling failed: {shlex.join(command)}\n{completed.stdout}{completed.stderr}")
    return output, seconds, command


# --- Python extension modules, through setuptools --------------------------------


@contextlib.contextmanager
def _quiet(verbose):
    """Hide setuptools' chatter and the compiler's output unless ``verbose``.

    Compiler output goes to file descriptors 1 and 2 directly, so those are
    redirected too; on failure the captured text is re-raised in the error.
    """
    if verbose:
        yield
        return
    sys.stdout.flush()
    sys.stderr.flush()
    with tempfile.TemporaryFile(mode="w+b") as captured:
        saved = os.dup(1), os.dup(2)
        python_streams = io.StringIO()
        try:
            os.dup2(captured.fileno(), 1)
            os.dup2(captured.fileno(), 2)
            with contextlib.redirect_stdout(python_streams), contextlib.redirect_stderr(python_streams):
                yield
        except Exception as error:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            captured.seek(0)
            log = python_streams.getvalue() + captured.read().decode(errors="replace")
            raise RuntimeError(f"building failed: {error}\n{log[-4000:]}") from error
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def _build_ext(extension, work_dir):
    """Compile one ``setuptools.Extension`` in ``work_dir``; return the module's path."""
    from setuptools import Distribution

    distribution = Distribution({"name": "lesson-extensions", "ext_modules": [extension]})
    command = distribution.get_command_obj("build_ext")
    command.build_lib = str(work_dir / "lib")
    command.build_temp = str(work_dir / "temp")
    command.inplace = False
    command.force = True
    command.ensure_finalized()
    command.run()
    return Path(command.get_ext_fullpath(extension.name))


def _load_cffi_builder():
    spec = importlib.util.spec_from_file_location("lesson_build_cffi", SOURCE_DIR / "build_cffi.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    return builder.ffibuilder


def _compile_cffi(work_dir):
    return Path(_load_cffi_builder().compile(tmpdir=str(work_dir), verbose=False))


def _compile_cython(work_dir):
    from Cython.Build import cythonize
    from setuptools import Extension

    source = work_dir / "mandelbrot_cython.pyx"
    shutil.copy2(SOURCE_DIR / source.name, source)
    compile_flags, link_flags = openmp_flags() or ([], [])
    extension = Extension(
        MODULE_NAMES["cython"],
        [str(source)],
        # -g0: no debugging information, which makes Cython's long C file
        # compile much faster
        extra_compile_args=C_FLAGS + ([] if WINDOWS else ["-g0"]) + compile_flags,
        extra_link_args=link_flags,
    )
    (extension,) = cythonize([extension], quiet=True, force=True, language_level=3)
    return _build_ext(extension, work_dir)


def _compile_pybind11(work_dir):
    from pybind11.setup_helpers import Pybind11Extension

    extension = Pybind11Extension(
        MODULE_NAMES["pybind11"],
        [str(SOURCE_DIR / "mandelbrot_pybind.cpp")],
        extra_compile_args=CXX_FLAGS,
    )
    return _build_ext(extension, work_dir)


def _compile_ctypes(work_dir):
    path, _, _ = compile_shared_library(work_dir)
    return path


COMPILERS = {
    "ctypes": _compile_ctypes,
    "cffi": _compile_cffi,
    "cython": _compile_cython,
    "pybind11": _compile_pybind11,
}


# --- Building with a cache ----------------------------------------------------------


@dataclass(frozen=True)
class Built:
    """One compiled extension: where it is and what compiling it cost."""

    name: str
    path: str
    seconds: float  # wall time of the compilation that made the file
    compiled_now: bool  # False: reused from an earlier build
    openmp: bool  # compiled with OpenMP (only Cython's prange uses it)
    key: str

    def __str__(self):
        how = "compiled now" if self.compiled_now else "reused; compiling took"
        return f"{self.name:9} {how} {self.seconds:5.2f} s: {os.path.basename(self.path)}"


def _generator_version(name):
    if name not in GENERATORS:
        return ""
    try:
        return importlib.metadata.version(GENERATORS[name])
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def cache_key(name, compiler):
    """A hash of everything that changes the compiled file: sources, flags, tools, Python."""
    digest = hashlib.sha256()
    for source in SOURCES[name]:
        digest.update(source.encode())
        digest.update((SOURCE_DIR / source).read_bytes())
    parts = [
        name,
        sys.version,
        sysconfig.get_config_var("EXT_SUFFIX") or "",
        " ".join(compiler or []),
        compiler_version(compiler),
        repr(C_FLAGS),
        repr(CXX_FLAGS),
        repr(openmp_flags()) if name == "cython" else "",
        "g0" if name == "cython" else "",
        _generator_version(name),
    ]
    digest.update("\n".join(parts).encode())
    return digest.hexdigest()


def _read_manifest(directory):
    try:
        return json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_manifest(directory, manifest):
    temporary = directory / "manifest.json.tmp"
    temporary.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(temporary, directory / "manifest.json")


def build(names=EXTENSIONS, *, force=False, verbose=False):
    """Compile the extensions ``names`` unless an identical build is there; return ``{name: Built}``.

    Each is compiled in a temporary folder and moved into :func:`build_dir`
    when it is complete, so a failed or interrupted build leaves no half file.
    """
    if isinstance(names, str):
        names = (names,)
    unknown = [name for name in names if name not in EXTENSIONS]
    if unknown:
        raise ValueError(f"unknown extensions {unknown}; choose from {list(EXTENSIONS)}")
    check_sources()
    compiler = c_compiler()
    if compiler is None:
        raise RuntimeError("no C compiler found: run `python -m parallel_patterns.tools.check` to see how to install one")
    directory = build_dir()
    directory.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(directory)
    built = {}
    for name in names:
        key = cache_key(name, compiler)
        entry = manifest.get(name)
        if not force and entry and entry.get("key") == key and (directory / entry["file"]).is_file():
            built[name] = Built(name, str(directory / entry["file"]), entry["seconds"], False, entry["openmp"], key)
            continue
        with tempfile.TemporaryDirectory(prefix=f"{name}-", dir=directory) as work:
            start = time.perf_counter()
            with _quiet(verbose):
                made = COMPILERS[name](Path(work))
            seconds = time.perf_counter() - start
            target = directory / made.name
            os.replace(made, target)
        openmp = name == "cython" and openmp_flags() is not None
        manifest[name] = {"key": key, "file": target.name, "seconds": seconds, "openmp": openmp}
        _write_manifest(directory, manifest)
        built[name] = Built(name, str(target), seconds, True, openmp, key)
    return built


def ensure_built(name):
    """The path of extension ``name``, compiling it first if there is no current build."""
    return Path(build((name,))[name].path)


@cache
def load_module(name):
    """Import the compiled extension module ``name`` (cffi, cython or pybind11) from its file.

    Built first if needed. The module is imported under its own top-level name
    (``mandelbrot_cython``...), straight from the build folder.
    """
    if name not in MODULE_NAMES:
        raise ValueError(f"load_module takes one of {sorted(MODULE_NAMES)}, got {name!r}")
    path = ensure_built(name)
    spec = importlib.util.spec_from_file_location(MODULE_NAMES[name], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compile_times():
    """``{name: seconds}`` of the last compilation of each extension, from the manifest."""
    manifest = _read_manifest(build_dir())
    return {name: manifest[name]["seconds"] for name in EXTENSIONS if name in manifest}


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m parallel_patterns.tools.extensions",
        description="Compile the C and C++ extensions of the episode on calling C and C++.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build_command = commands.add_parser("build", help="compile what is missing or out of date")
    build_command.add_argument("names", nargs="*", help=f"some of {', '.join(EXTENSIONS)} (default: all)")
    build_command.add_argument("--force", action="store_true", help="compile even what is up to date")
    build_command.add_argument("--verbose", action="store_true", help="show the compilers' output")
    commands.add_parser("where", help="print the folder the extensions are built in")
    arguments = parser.parse_args(argv)
    if arguments.command == "where":
        print(build_dir())
        return 0
    force = arguments.force or os.environ.get("CI") == "true"
    try:
        results = build(arguments.names or EXTENSIONS, force=force, verbose=arguments.verbose)
    except (RuntimeError, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for result in results.values():
        print(result)
    if "cython" in results and not results["cython"].openmp:
        print("note: no OpenMP found; Cython's prange will run on one thread (see python -m parallel_patterns.tools.check)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
