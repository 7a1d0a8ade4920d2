"""Unit tests of the lesson extension's pure parts (the whole is tested by building)."""

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))

from lesson.errors import LessonError  # noqa: E402
from lesson.metadata import Episode, load_episode  # noqa: E402
from lesson.pages import clock, schedule_rows  # noqa: E402


def make_episode(name, teaching, exercises):
    return Episode(f"episodes/{name}", name, teaching, exercises, "core", ("q",), ("o",), ("k",))


def test_clock():
    assert clock(0) == "0:00"
    assert clock(75) == "1:15"
    assert clock(605) == "10:05"


def test_schedule_rows_put_breaks_between_episodes_only():
    a, b = make_episode("a", 20, 10), make_episode("b", 30, 15)
    breaks = {"episodes/a": (15, "Coffee"), "episodes/b": (60, "Lunch")}
    rows, end = schedule_rows([a, b], breaks)
    assert [(r[0], r[1]) for r in rows] == [(0, "episode"), (30, "break"), (45, "episode")]
    assert end == 30 + 15 + 45  # no break after the last episode of the day


def _env(tmp_path, text):
    path = tmp_path / "ep.md"
    path.write_text(text)
    return SimpleNamespace(doc2path=lambda docname: path)


def test_metadata_errors_name_the_episode_and_the_key(tmp_path):
    env = _env(tmp_path, "---\nteaching: 10\nexercises: -5\nblock: core\nquestions: []\n---\n# T\n")
    with pytest.raises(LessonError) as error:
        load_episode(env, "episodes/99-x")
    message = str(error.value)
    assert "episodes/99-x" in message
    assert "'exercises'" in message and "'questions'" in message and "'objectives'" in message


def test_metadata_loads(tmp_path):
    env = _env(
        tmp_path,
        "---\nteaching: 10\nexercises: 5\nblock: extension\nquestions: [a]\nobjectives: [b]\nkeypoints: [c]\n---\n# Title\n",
    )
    episode = load_episode(env, "episodes/02-x")
    assert (episode.title, episode.minutes, episode.block) == ("Title", 15, "extension")
