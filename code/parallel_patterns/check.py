"""Check a learner's setup: ``python -m parallel_patterns.check``.

Each check says OK, or what is missing and the one thing to do about it.
Required pieces make the command exit with status 1 when missing; optional
ones (needed by a single extension episode) only warn.
"""

import importlib
import shutil
import sys
from dataclasses import dataclass

from .stamp import library_version, usable_cores

MIN_PYTHON = (3, 11)
INSTALL_HINT = "run `make book` in the lesson folder, or `pip install -r requirements.txt -e .`"

# (import name, distribution name, required?)
PACKAGES = [
    ("numpy", "numpy", True),
    ("numba", "numba", True),
    ("dask", "dask", True),
    ("distributed", "distributed", True),
    ("joblib", "joblib", True),
    ("matplotlib", "matplotlib", True),
    ("graphviz", "graphviz", True),
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


def check_cores():
    cores = usable_cores()
    if cores >= 2:
        return Result("usable cores", True, str(cores))
    return Result("usable cores", False, f"{cores}: parallel code cannot run faster than serial here", required=False)


def run_checks():
    results = [check_python()]
    results += [check_package(*package) for package in PACKAGES]
    results.append(
        check_program(
            "Graphviz dot",
            ["dot"],
            "install Graphviz (Debian/Ubuntu: `sudo apt-get install graphviz`, macOS: `brew install graphviz`, "
            "conda: `conda install graphviz`)",
        )
    )
    results.append(
        check_program(
            "C compiler",
            ["cc", "gcc", "clang", "cl"],
            "install one (Debian/Ubuntu: `sudo apt-get install build-essential`, macOS: `xcode-select --install`); "
            "only the calling-C episode needs it",
            required=False,
        )
    )
    results.append(
        check_program(
            "C++ compiler",
            ["c++", "g++", "clang++", "cl"],
            "install one (Debian/Ubuntu: `sudo apt-get install g++`); only the calling-C++ episode needs it",
            required=False,
        )
    )
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
