"""Check a learner's setup: ``python -m parallel_patterns.tools.check``.

Each check says OK, or what is missing and the one thing to do about it on
this platform (Linux, macOS or Windows). Required pieces make the command exit
with status 1 when missing; optional ones (needed by a single extension
episode) only warn. It checks the learner environment of
``requirements-learner.txt``/``environment.yml``: the lesson's packages,
JupyterLab with a Python kernel, and jupytext, which opens the episodes'
``.md`` files as notebooks.
"""

import importlib
import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from parallel_patterns.tools.stamp import library_version, usable_cores

MIN_PYTHON = (3, 11)
INSTALL_HINT = (
    "with the lesson's environment active, run `python -m pip install -r requirements-learner.txt` "
    "in the lesson folder (conda: `conda env update -f environment.yml`)"
)
# How to install a system program, per platform (sys.platform prefix).
SYSTEM_FIXES = {
    "graphviz": {
        "linux": "`sudo apt-get install graphviz` (Debian/Ubuntu) or `conda install graphviz`",
        "darwin": "`brew install graphviz` or `conda install graphviz`",
        "win32": "`winget install graphviz` in PowerShell, then open a new terminal; or `conda install graphviz`",
    },
    "c": {
        "linux": "`sudo apt-get install build-essential` (Debian/Ubuntu) or `conda install compilers`",
        "darwin": "`xcode-select --install`",
        "win32": "install Visual Studio Build Tools (C++ workload) from visualstudio.microsoft.com",
    },
    "c++": {
        "linux": "`sudo apt-get install g++` (Debian/Ubuntu) or `conda install compilers`",
        "darwin": "`xcode-select --install`",
        "win32": "install Visual Studio Build Tools (C++ workload) from visualstudio.microsoft.com",
    },
}


def platform_key(platform=None):
    platform = platform or sys.platform
    for key in ("linux", "darwin", "win32"):
        if platform.startswith(key):
            return key
    return "linux"


def system_fix(program, platform=None):
    """The command that installs ``program`` (``graphviz``, ``c``, ``c++``) on this platform."""
    return SYSTEM_FIXES[program][platform_key(platform)]

# (import name, distribution name, required?)
PACKAGES = [
    ("numpy", "numpy", True),
    ("numba", "numba", True),
    ("dask", "dask", True),
    ("distributed", "distributed", True),
    ("joblib", "joblib", True),
    ("matplotlib", "matplotlib", True),
    ("graphviz", "graphviz", True),
    ("psutil", "psutil", True),
    ("jupyterlab", "jupyterlab", True),
    ("ipykernel", "ipykernel", True),
    ("jupytext", "jupytext", True),
    ("myst_nb", "myst-nb", False),
]


@dataclass(frozen=True)
class Result:
    name: str
    ok: bool
    detail: str
    required: bool = True

    @property
    def status(self):
        if self.ok:
            return "OK"
        return "MISSING" if self.required else "optional"


def check_python():
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info >= MIN_PYTHON:
        return Result("Python", True, version)
    wanted = ".".join(map(str, MIN_PYTHON))
    return Result("Python", False, f"{version}; this lesson needs {wanted} or newer: install it from python.org or conda")


def check_package(module, distribution, required):
    try:
        importlib.import_module(module)
    except ImportError as error:
        return Result(distribution, False, f"cannot import ({error}); {INSTALL_HINT}", required)
    return Result(distribution, True, library_version(distribution), required)


def check_program(label, candidates, fix, required=True):
    for program in candidates:
        path = shutil.which(program)
        if path:
            return Result(label, True, path, required)
    return Result(label, False, f"none of {', '.join(candidates)} found; {fix}", required)


def _scripts_dir():
    return Path(sys.executable).parent


def check_jupyter_lab():
    """The ``jupyter-lab`` command of this Python's environment, where a learner starts JupyterLab."""
    name = "jupyter-lab.exe" if os.name == "nt" else "jupyter-lab"
    for folder in (_scripts_dir(), _scripts_dir() / "Scripts"):
        if (folder / name).exists():
            return Result("JupyterLab command", True, str(folder / name))
    found = shutil.which("jupyter-lab")
    if found:
        return Result("JupyterLab command", True, found)
    return Result("JupyterLab command", False, f"`jupyter lab` is not installed here; {INSTALL_HINT}")


def check_cores():
    cores = usable_cores()
    if cores >= 2:
        return Result("usable cores", True, str(cores))
    return Result("usable cores", False, f"{cores}: parallel code cannot run faster than serial here", required=False)


def check_c_toolchain():
    """C and C++ compilers and OpenMP, for the episode on calling C and C++ (optional).

    Each is tried, not just looked for: a tiny program is compiled and run.
    The fix offered is the one for this platform.
    """
    from parallel_patterns.tools import extensions  # the same compilers and flags the episode's build uses

    if sys.platform == "darwin":
        compilers_fix = "install Apple's command line tools: `xcode-select --install`"
        openmp_fix = "Apple's clang has no OpenMP of its own: `brew install libomp` (or, with conda, `conda install llvm-openmp`)"
    elif sys.platform == "win32":
        compilers_fix = (
            "install Microsoft's C++ Build Tools (workload 'Desktop development with C++') and work in the "
            "'x64 Native Tools Command Prompt', or use conda: `conda install -c conda-forge compilers`"
        )
        openmp_fix = "Microsoft's compiler includes OpenMP (`/openmp`): install the Build Tools as above"
    else:
        compilers_fix = (
            "Debian/Ubuntu: `sudo apt-get install build-essential`; Fedora: `sudo dnf install gcc gcc-c++`; "
            "or with conda: `conda install -c conda-forge compilers`"
        )
        openmp_fix = "gcc includes it (libgomp, part of build-essential); with clang: `sudo apt-get install libomp-dev`"
    episode = "only the episode on calling C and C++ needs it"
    c_compiler, cxx_compiler = extensions.c_compiler(), extensions.cxx_compiler()
    c_ok, c_problem = extensions.compiles(c_compiler, "int main(void) { return 0; }\n")
    cxx_ok, cxx_problem = extensions.compiles(
        cxx_compiler, "#include <vector>\nint main() { return std::vector<int>{0}[0]; }\n", suffix=".cpp"
    )
    results = [
        Result("C compiler", c_ok, " ".join(c_compiler) if c_ok else f"{c_problem}; {compilers_fix}; {episode}", False),
        Result(
            "C++ compiler",
            cxx_ok,
            " ".join(cxx_compiler) if cxx_ok else f"{cxx_problem}; {compilers_fix}; {episode}",
            False,
        ),
    ]
    tools = [name for name in ("cffi", "Cython", "pybind11", "setuptools") if importlib.util.find_spec(name) is None]
    results.append(
        Result("cffi, Cython, pybind11", not tools, f"cannot import {', '.join(tools)}; {INSTALL_HINT}" if tools else "importable", False)
    )
    if not c_ok:
        results.append(Result("OpenMP", False, "needs a C compiler first", False))
    else:
        flags = extensions.openmp_flags()
        detail = " ".join(flags[0]) if flags else f"the compiler cannot build OpenMP programs; {openmp_fix}"
        results.append(Result("OpenMP", flags is not None, detail, False))
    return results


def run_checks():
    results = [check_python()]
    results += [check_package(*package) for package in PACKAGES]
    results.append(
        check_program(
            "Graphviz dot",
            ["dot"],
            f"install Graphviz: {system_fix('graphviz')}",
        )
    )
    results.append(check_jupyter_lab())
    results += check_c_toolchain()
    results.append(check_cores())
    return results


def format_results(results):
    width = max(len(r.name) for r in results)
    return "\n".join(f"{r.status:8} {r.name:{width}}  {r.detail}" for r in results)


def main(argv=None):
    results = run_checks()
    print(format_results(results))
    missing = [r.name for r in results if r.required and not r.ok]
    if missing:
        print(f"\nNot ready: fix {', '.join(missing)} (see above).")
        return 1
    print("\nReady for the lesson.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
