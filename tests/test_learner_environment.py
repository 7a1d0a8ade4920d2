"""The learner environment: what `requirements-learner.txt` and `environment.yml` install.

Learners install a smaller environment than `make book` (no Jupyter Book, pytest or
browser tools); its pins must stay those of `requirements.txt`, which the
lesson is built and tested with.
"""

import re
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
AUTHORING_ONLY = {"jupyter-book", "pytest", "pytest-timeout", "pytest-xdist", "hypothesis", "selenium", "axe-core-python",
                  "sphinx-exercise", "beautifulsoup4", "nbclient"}
# The packages the setup check and the episodes need in a learner's JupyterLab.
LEARNER_NEEDS = {"numpy", "numba", "dask", "distributed", "joblib", "matplotlib", "graphviz", "psutil",
                 "jupyterlab", "ipykernel", "jupytext", "threadpoolctl", "tqdm"}


def _pins(path):
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        requirement = Requirement(line)
        pins[canonicalize_name(requirement.name)] = requirement
    return pins


def _learner_lines():
    return (ROOT / "requirements-learner.txt").read_text(encoding="utf-8").splitlines()


def test_learner_pins_are_the_authoring_pins():
    authoring = {name: str(r.specifier) for name, r in _pins(ROOT / "requirements.txt").items()}
    drift = []
    for name, requirement in _pins(ROOT / "requirements-learner.txt").items():
        if name == "setuptools":  # pip freeze leaves it out of requirements.txt
            continue
        if name not in authoring:
            drift.append(f"{name} is not in requirements.txt (add it to requirements.in and `make lock`)")
        elif str(requirement.specifier) != authoring[name]:
            drift.append(f"{name}{requirement.specifier} in requirements-learner.txt, {authoring[name]} in requirements.txt")
    assert not drift, "\n".join(drift)


def test_learner_environment_is_constrained_and_installs_the_package():
    lines = [line.strip() for line in _learner_lines()]
    assert "-c requirements.txt" in lines, "everything the learner packages pull in must be pinned too"
    assert "-e ." in lines, "the lesson's package parallel_patterns"


def test_learner_environment_has_what_learners_need_and_nothing_for_authors():
    names = set(_pins(ROOT / "requirements-learner.txt"))
    assert LEARNER_NEEDS <= names, f"missing: {sorted(LEARNER_NEEDS - names)}"
    assert not names & AUTHORING_ONLY, f"authoring tools in the learner environment: {sorted(names & AUTHORING_ONLY)}"


def test_every_direct_dependency_of_the_lesson_is_in_one_environment():
    """What requirements.in asks for is either a learner package or an authoring tool."""
    learner = set(_pins(ROOT / "requirements-learner.txt"))
    missing = []
    for line in (ROOT / "requirements.in").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        name = canonicalize_name(Requirement(line).name)
        if name not in learner and name not in AUTHORING_ONLY | {
            "myst-nb", "sphinx-design", "sphinx-togglebutton", "sphinx-mathjax-offline", "nbformat",
            "jsonschema",  # pinned below 4.24 for the build's kernels (see requirements.in)
        }:
            missing.append(name)
    assert not missing, f"in requirements.in but in neither environment: {missing}"


def test_conda_environment_installs_the_learner_requirements():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    dependencies = environment["dependencies"]
    pip = next(d["pip"] for d in dependencies if isinstance(d, dict))
    assert "-r requirements-learner.txt" in pip
    conda = [d for d in dependencies if isinstance(d, str)]
    assert "graphviz" in conda and any(re.match(r"python\b", d) for d in conda)


def test_setup_page_gives_one_command_per_route_with_powershell():
    setup = (ROOT / "book" / "setup.md").read_text(encoding="utf-8")
    assert "pip install -r requirements-learner.txt" in setup
    assert "conda env create -f environment.yml" in setup
    assert "```powershell" in setup and "Activate.ps1" in setup
    assert "{lesson-notebooks-zip}" in setup
    assert "python -m parallel_patterns.tools.check" in setup


def test_pin_learner_tool_repins_from_requirements_txt():
    import importlib.util

    spec = importlib.util.spec_from_file_location("pin_learner", ROOT / "book" / "tools" / "pin-learner.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    learner = "-c requirements.txt\nnumpy==1.0\ndask[array]==1.0\nmpich==1.0; sys_platform != \"win32\"\n-e .\n"
    authoring = "numpy==2.4.6\ndask==2026.8.0\nmpich==5.0.2\n"
    assert tool.repin(authoring, learner) == (
        "-c requirements.txt\nnumpy==2.4.6\ndask[array]==2026.8.0\nmpich==5.0.2; sys_platform != \"win32\"\n-e .\n"
    )
    current = (ROOT / "requirements-learner.txt").read_text(encoding="utf-8")
    assert tool.repin((ROOT / "requirements.txt").read_text(encoding="utf-8"), current) == current
