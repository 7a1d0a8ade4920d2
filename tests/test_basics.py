"""parallel_patterns.helpers.basics: task graphs, Amdahl's law, the slow task of episode 1."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parallel_patterns.helpers.basics import (
    RECIPE,
    amdahl_speedup,
    check_task_graph,
    chunked_sum_tasks,
    critical_path,
    dependency_graph,
    serial_time,
    slow_square,
    split_evenly,
)


def test_recipe_critical_path():
    assert serial_time(RECIPE) == 60
    assert critical_path(RECIPE) == (35, ["chop onions", "fry onions", "add spices", "simmer curry", "serve"])


def brute_force_longest_chain(tasks):
    """Try every chain that follows dependencies: slow, obviously right."""
    best = 0

    def extend(name, length):
        nonlocal best
        best = max(best, length)
        for other, (duration, deps) in tasks.items():
            if name in deps:
                extend(other, length + duration)

    for name, (duration, deps) in tasks.items():
        if not deps:
            extend(name, duration)
    return best


@st.composite
def task_graphs(draw):
    n = draw(st.integers(1, 8))
    tasks = {}
    for i in range(n):
        deps = draw(st.lists(st.sampled_from(list(tasks)), unique=True)) if tasks else []
        tasks[f"t{i}"] = (draw(st.integers(0, 20)), deps)
    return tasks


@given(task_graphs())
def test_critical_path_is_the_longest_chain(tasks):
    length, path = critical_path(tasks)
    assert length == brute_force_longest_chain(tasks)
    assert sum(tasks[name][0] for name in path) == length
    for before, after in zip(path, path[1:]):
        assert before in tasks[after][1]
    assert length <= serial_time(tasks)


def test_task_graph_errors():
    with pytest.raises(ValueError, match="unknown task 'b'"):
        check_task_graph({"a": (1, ["b"])})
    with pytest.raises(ValueError, match="cycle"):
        check_task_graph({"a": (1, ["b"]), "b": (1, ["a"])})
    with pytest.raises(ValueError, match="negative duration"):
        check_task_graph({"a": (-1, [])})
    with pytest.raises(TypeError, match="tasks"):
        check_task_graph([])


@given(st.integers(1, 200), st.integers(1, 50))
def test_split_evenly(n_items, n_chunks):
    items = list(range(n_items))
    chunks = split_evenly(items, n_chunks)
    assert len(chunks) == n_chunks
    assert list(itertools.chain.from_iterable(chunks)) == items
    sizes = [len(c) for c in chunks]
    assert max(sizes) - min(sizes) <= 1


@given(st.integers(1, 100), st.integers(1, 100))
def test_chunked_sum_counts_additions(n_items, n_chunks):
    if n_chunks > n_items:
        with pytest.raises(ValueError, match="n_chunks"):
            chunked_sum_tasks(n_items, n_chunks)
        return
    tasks = chunked_sum_tasks(n_items, n_chunks)
    assert serial_time(tasks) == n_items - 1  # summing n numbers takes n - 1 additions, however grouped
    length, _ = critical_path(tasks)
    assert length == -(-n_items // n_chunks) - 1 + n_chunks - 1


def test_amdahl():
    assert amdahl_speedup(1.0, 8) == pytest.approx(8)
    assert amdahl_speedup(0.0, 8) == pytest.approx(1)
    assert amdahl_speedup(0.5, 2) == pytest.approx(4 / 3)
    assert amdahl_speedup(0.95, 10**9) == pytest.approx(20, rel=1e-6)
    with pytest.raises(ValueError, match="parallel_fraction"):
        amdahl_speedup(1.5, 2)
    with pytest.raises(ValueError, match="workers"):
        amdahl_speedup(0.5, 0)
    with pytest.raises(TypeError, match="workers"):
        amdahl_speedup(0.5, 2.0)


def test_dependency_graph_marks_the_path():
    length, path = critical_path(RECIPE)
    source = dependency_graph(RECIPE, path=path).source
    assert source.count("#b02a37") == len(path) + len(path) - 1  # the path's nodes and edges
    assert "wash rice" in source and "15 min" in source


def test_slow_square():
    assert slow_square(7, delay=0) == 49
    with pytest.raises(TypeError, match="x"):
        slow_square("7", delay=0)
