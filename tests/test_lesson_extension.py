"""Unit tests of the lesson extension's pure parts (the whole is tested by building)."""

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))

from lesson.errors import LessonError  # noqa: E402
from lesson.metadata import Episode, load_episode  # noqa: E402
from lesson.pages import breaks_by_block, clock, duration, parse_clock, schedule_rows  # noqa: E402


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


def test_breaks_are_grouped_by_day_and_checked():
    days = breaks_by_block(
        [
            {"block": "core", "after": "episodes/a", "minutes": 15, "title": "Coffee"},
            {"block": "extension", "after": "episodes/x", "minutes": 60, "title": "Lunch"},
        ]
    )
    assert days == {"core": {"episodes/a": (15, "Coffee")}, "extension": {"episodes/x": (60, "Lunch")}}
    with pytest.raises(LessonError, match="block"):
        breaks_by_block([{"block": "day3", "after": "episodes/a", "minutes": 15}])
    with pytest.raises(LessonError, match="minutes"):
        breaks_by_block([{"block": "core", "after": "episodes/a", "minutes": 0}])


def test_a_break_after_an_episode_not_in_the_day_is_left_out():
    a, b = make_episode("a", 20, 10), make_episode("b", 30, 15)
    rows, end = schedule_rows([a, b], {"episodes/missing": (60, "Lunch")})
    assert [r[1] for r in rows] == ["episode", "episode"] and end == 75


def test_day_start_and_durations():
    assert parse_clock("9:00") == 540 and clock(540 + 75) == "10:15"
    assert duration(450) == "7 h 30 min" and duration(45) == "45 min"
    with pytest.raises(LessonError):
        parse_clock("nine")


def test_a_digest_changes_with_the_front_matter_and_not_with_the_prose(tmp_path):
    """The schedule and keypoints depend on these digests: prose edits must leave them alone."""
    from lesson.metadata import digest_path, write_digests

    episode = tmp_path / "episodes" / "01-first.md"
    episode.parent.mkdir()
    front = "---\nteaching: 10\nexercises: 5\nblock: core\nquestions: [a]\nobjectives: [b]\nkeypoints: [c]\n---\n"
    episode.write_text(front + "# First\n\nSome prose.\n")
    doctrees = tmp_path / "_build" / ".doctrees"
    write_digests(tmp_path, doctrees)
    digest = digest_path(doctrees, "episodes/01-first")
    assert '"teaching": 10' in digest.read_text() and '"title": "First"' in digest.read_text()
    written = digest.stat().st_mtime_ns

    episode.write_text(front + "# First\n\nOther prose, same metadata.\n")
    write_digests(tmp_path, doctrees)
    assert digest.stat().st_mtime_ns == written

    episode.write_text(front.replace("teaching: 10", "teaching: 15") + "# First\n")
    write_digests(tmp_path, doctrees)
    assert '"teaching": 15' in digest.read_text()
