"""Edit distance: every strategy returns the serial table's answer; bad input is named."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parallel_patterns import edit_distance as ed

short_text = st.text(alphabet="abcé", max_size=25)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("kitten", "sitting", 3), ("", "abc", 3), ("abc", "", 3), ("", "", 0), ("flaw", "lawn", 2), ("same", "same", 0)],
)
@pytest.mark.parametrize("strategy", list(ed.IMPLEMENTATIONS))
def test_known_distances(strategy, a, b, expected):
    assert ed.IMPLEMENTATIONS[strategy](a, b, workers=2) == expected


@settings(max_examples=150, deadline=None)
@given(short_text, short_text, st.integers(1, 9), st.integers(1, 2))
def test_every_strategy_agrees_with_the_table(a, b, blocks, workers):
    expected = ed.distance_table(a, b)
    assert ed.distance_memo(a, b) == expected
    assert ed.distance_rows(a, b) == expected
    assert ed.distance_wavefront(a, b, workers=workers, blocks=blocks) == expected
    assert expected == ed.distance_table(b, a)  # symmetric
    assert abs(len(a) - len(b)) <= expected <= max(len(a), len(b))


def test_wavefront_on_long_strings_matches_the_compiled_table():
    a, b = ed.random_strings(3000, seed=4)
    assert ed.distance_wavefront(a, b, workers=2) == ed.distance_wavefront(a, b, workers=1) == ed.distance_rows(a, b)
    assert 0 < ed.distance_rows(a, b) < 3000


def test_table_rows_and_columns():
    table = ed.edit_table("ab", "abc")
    assert table[0] == [0, 1, 2, 3] and [row[0] for row in table] == [0, 1, 2]
    assert table[-1][-1] == 1


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="a must be a str"):
        ed.distance_table(["a"], "b")
    with pytest.raises(TypeError, match="b must be a str"):
        ed.distance_wavefront("a", 3, workers=2)
    with pytest.raises(ValueError, match="recursion"):
        ed.distance_memo("a" * 500, "b" * 500)
    with pytest.raises(ValueError, match="workers"):
        ed.distance_wavefront("a", "b", workers=0)
    with pytest.raises(ValueError, match="blocks"):
        ed.distance_wavefront("a", "b", blocks=0)


def test_random_strings_are_related_and_repeatable():
    a, b = ed.random_strings(200, seed=1)
    assert (a, b) == ed.random_strings(200, seed=1)
    assert len(a) == 200 and set(a + b) <= set("ACGT")
    assert 0 < ed.distance_rows(a, b) < 100


def test_dependency_dot_puts_each_antidiagonal_on_one_level():
    dot = ed.dependency_dot("ab", "c")
    assert dot.count("rank=same") == len("ab") + len("c") + 1
    assert '"1,1" [label="D[1,1] = 1' in dot
    assert '"0,0" -> "1,1";' in dot and '"1,0" -> "1,1";' in dot
