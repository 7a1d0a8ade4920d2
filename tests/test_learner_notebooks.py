"""Each core-day learner notebook runs top to bottom in a fresh kernel.

The notebooks are made by the code the build uses (``lesson.notebooks``), so
this is what a learner downloads: the visible cells, without solutions. A cell
tagged ``learner-skip`` is one the learner completes, and is skipped. Cells run
as the build runs them: in ``episodes/``, with this environment's ``bin``
first on PATH. Slow (the whole core day, a few minutes); take the CPU lock:

    flock /tmp/lesson-cpu.lock .venv/bin/python -m pytest tests/test_learner_notebooks.py -m slow
"""

import os
import shutil
import sys
from pathlib import Path

import pytest
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))

from lesson.conventions import toc_episodes  # noqa: E402
from lesson.metadata import read_front_matter  # noqa: E402
from lesson.notebooks import LEARNER_SKIP, make_notebook  # noqa: E402

CORE = [p for p in toc_episodes() if read_front_matter(p).get("block") == "core"]
LEARNER_SCALE = "0.25"
CELL_TIMEOUT = 300  # seconds per cell: five times the build's, for a loaded machine


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("path", CORE, ids=[p.stem for p in CORE])
def test_learner_notebook_runs_in_a_fresh_kernel(path, monkeypatch):
    notebook = make_notebook(path, learner=True)
    notebook.cells = [c for c in notebook.cells if LEARNER_SKIP not in c.get("metadata", {}).get("tags", [])]
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    # What is tested is that the cells run in order, not how fast: a quarter of the
    # build's problem sizes (LESSON_SCALE) is enough, and four times quicker.
    monkeypatch.setenv("LESSON_SCALE", LEARNER_SCALE)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    before = set(path.parent.iterdir())
    try:
        client.execute()  # raises CellExecutionError naming the cell that failed
    finally:  # a learner's notebook writes files (cube_worker.py) that the page's hidden cells remove
        for written in set(path.parent.iterdir()) - before:
            shutil.rmtree(written) if written.is_dir() else written.unlink()
    ran = [c for c in notebook.cells if c.cell_type == "code"]
    assert ran and all(c.execution_count for c in ran)
