"""The package keeps its three kinds of module apart, where a newcomer looks for them.

Workloads (with ``IMPLEMENTATIONS``) at the top level, tools in ``tools/``,
episode helpers in ``helpers/``. Read from the source, so that no test imports
dask, Celery or numba just to look at a module's names.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "code" / "parallel_patterns"


def public_modules(folder):
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))


def has_implementations(path):
    """Whether the module assigns ``IMPLEMENTATIONS`` at its top level."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == "IMPLEMENTATIONS" for t in targets):
            return True
    return False


@pytest.mark.parametrize("path", public_modules(PACKAGE), ids=lambda p: p.stem)
def test_every_top_level_module_is_a_workload(path):
    assert has_implementations(path), f"{path.name} has no IMPLEMENTATIONS: move it to tools/ or helpers/"


@pytest.mark.parametrize(
    "path", public_modules(PACKAGE / "tools") + public_modules(PACKAGE / "helpers"),
    ids=lambda p: f"{p.parent.name}.{p.stem}",
)
def test_no_tool_or_helper_is_a_workload(path):
    assert not has_implementations(path), f"{path.name} has IMPLEMENTATIONS: it belongs at the top level"


def test_the_package_holds_no_other_subpackages():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == {"tools", "helpers"}


@pytest.mark.parametrize("kind", ["tools", "helpers"])
def test_each_subpackage_docstring_names_every_module(kind):
    docstring = ast.get_docstring(ast.parse((PACKAGE / kind / "__init__.py").read_text()))
    missing = [p.stem for p in public_modules(PACKAGE / kind) if f"``{p.stem}``" not in docstring]
    assert not missing, f"parallel_patterns.{kind}'s docstring does not name {missing}"
