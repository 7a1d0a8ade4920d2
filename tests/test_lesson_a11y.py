"""The lesson extension's accessibility repairs (book/_ext/lesson/a11y.py)."""

import sys
from pathlib import Path

from docutils import nodes
from docutils.utils import new_document
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))

from lesson.a11y import number_repeated_ids  # noqa: E402


def test_repeated_exercise_and_solution_ids_are_numbered():
    document = new_document("test", get_default_settings(Parser))
    for _ in range(3):
        document += nodes.section(ids=["exercise-content"])
        document += nodes.section(ids=["solution-content"])
    document += nodes.section(ids=["other", "other-alias"])
    number_repeated_ids(None, document, "episodes/01-x")
    ids = [node["ids"] for node in document.findall(nodes.section)]
    assert ids == [
        ["exercise-content"],
        ["solution-content"],
        ["exercise-content-2"],
        ["solution-content-2"],
        ["exercise-content-3"],
        ["solution-content-3"],
        ["other", "other-alias"],
    ]
