"""Mazes: generated as documented; every strategy's path is valid; shortest-path strategies agree."""

import collections
import queue
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parallel_patterns import maze as mz
from parallel_patterns.maze import Maze, generate, is_valid_path, render, to_array

SIZES = st.integers(1, 14)


def distance_to_goal(maze):
    """Steps from start to goal, by a BFS written independently of the module's."""
    distance = {maze.goal: 0}
    queue = collections.deque([maze.goal])
    while queue:
        r, c = queue.popleft()
        for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
            if maze.rows[nr][nc] == " " and (nr, nc) not in distance:
                distance[(nr, nc)] = distance[(r, c)] + 1
                queue.append((nr, nc))
    return distance.get(maze.start)


def assert_valid(maze, path):
    assert path[0] == maze.start and path[-1] == maze.goal
    assert all(maze.rows[r][c] == " " for r, c in path)
    assert all(abs(r1 - r2) + abs(c1 - c2) == 1 for (r1, c1), (r2, c2) in zip(path, path[1:]))


# -- generate -------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(SIZES, SIZES, st.integers(-(2**40), 2**40))
def test_a_maze_without_loops_is_perfect(width, height, seed):
    maze = generate(width, height, seed=seed, loops=0)
    assert (maze.height, maze.width) == (2 * height + 1, 2 * width + 1)
    assert maze.start == (1, 1) and maze.goal == (2 * height - 1, 2 * width - 1)
    assert set(maze.rows[0]) == set(maze.rows[-1]) == {"#"}  # closed all round
    assert all(row[0] == row[-1] == "#" for row in maze.rows)
    # a tree: every room open, and exactly rooms - 1 doors, all connected
    rooms = width * height
    open_cells = sum(row.count(" ") for row in maze.rows)
    assert open_cells == rooms + (rooms - 1)
    assert distance_to_goal(maze) is not None


def test_loops_open_extra_doors_and_the_seed_decides_everything():
    perfect = generate(20, 20, seed=5, loops=0)
    loopy = generate(20, 20, seed=5, loops=0.5)
    assert sum(r.count(" ") for r in loopy.rows) > sum(r.count(" ") for r in perfect.rows)
    assert generate(20, 20, seed=5) == generate(20, 20, seed=5)
    assert generate(20, 20, seed=5) != generate(20, 20, seed=6)


# -- solving ---------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(SIZES, SIZES, st.integers(0, 10**6), st.sampled_from([0, 0.1, 0.5, 1]))
def test_serial_finds_a_shortest_path(width, height, seed, loops):
    maze = generate(width, height, seed=seed, loops=loops)
    path = mz.solve_serial(maze)
    assert_valid(maze, path)
    assert is_valid_path(maze, path)
    assert len(path) - 1 == distance_to_goal(maze)


@settings(max_examples=60, deadline=None)
@given(SIZES, SIZES, st.integers(0, 10**6), st.integers(1, 5))
def test_every_searcher_finds_a_valid_path(width, height, seed, number):
    maze = generate(width, height, seed=seed)
    path = mz.run_searcher(maze, number)
    assert_valid(maze, path)
    assert len(path) - 1 >= distance_to_goal(maze)


@settings(max_examples=4, deadline=None)
@given(st.integers(2, 30), st.integers(2, 30), st.integers(0, 10**6), st.integers(1, 3))
def test_process_strategies_give_valid_paths_and_best_of_n_a_shortest(width, height, seed, workers):
    maze = generate(width, height, seed=seed)
    serial = mz.solve_serial(maze)
    assert_valid(maze, mz.solve_race(maze, workers=workers))
    best = mz.solve_best_of_n(maze, workers=workers)
    assert_valid(maze, best)
    assert len(best) == len(serial)
    assert best == serial  # ties go to searcher 0, which is the same BFS


def test_on_a_perfect_maze_even_the_race_finds_the_one_path():
    maze = generate(40, 30, seed=2, loops=0)
    assert mz.solve_race(maze, workers=3) == mz.solve_serial(maze)


def test_with_loops_depth_first_paths_are_longer_than_the_shortest():
    maze = generate(40, 40, seed=1)
    shortest = len(mz.solve_serial(maze))
    assert any(len(mz.run_searcher(maze, number)) > shortest for number in range(1, 4))


@pytest.mark.parametrize("number", [0, 1, 2])
def test_searchers_give_up_when_the_stop_flag_is_set(number):
    stop = threading.Event()
    stop.set()
    assert mz.run_searcher(generate(30, 30, seed=0), number, stop) is None


def test_a_stopped_racer_still_reports_exactly_once():
    reports, stop = queue.Queue(), threading.Event()
    stop.set()
    mz.race_searcher(generate(30, 30, seed=0), 1, stop, reports)
    assert reports.get_nowait() == (1, None)
    assert reports.empty()


def test_race_on_a_large_maze_returns_a_valid_path():
    maze = generate(120, 120, seed=4)
    assert_valid(maze, mz.solve_race(maze, workers=2))


@pytest.mark.parametrize("strategy", list(mz.IMPLEMENTATIONS))
def test_a_maze_without_a_path_is_an_error(strategy):
    walled = Maze(("#####", "# # #", "#####"), start=(1, 1), goal=(1, 3))
    with pytest.raises(ValueError, match="no path"):
        mz.IMPLEMENTATIONS[strategy](walled, workers=2)


# -- showing ---------------------------------------------------------------------


def test_render_marks_start_goal_and_path():
    maze = generate(5, 4, seed=0)
    path = mz.solve_serial(maze)
    text = render(maze, path)
    lines = text.splitlines()
    assert len(lines) == maze.height and all(len(line) == maze.width for line in lines)
    assert lines[1][1] == "S" and lines[-2][-2] == "G"
    assert text.count(".") == len(path) - 2
    assert render(maze).count(".") == 0


def test_to_array_is_walls_open_and_path():
    maze = generate(6, 3, seed=0)
    path = mz.solve_serial(maze)
    picture = to_array(maze, path)
    assert picture.shape == (maze.height, maze.width)
    assert (picture == 2).sum() == len(path)
    assert (picture == 0).sum() == sum(row.count("#") for row in maze.rows)


def test_is_valid_path_rejects_broken_paths():
    maze = generate(5, 5, seed=0)
    path = mz.solve_serial(maze)
    assert is_valid_path(maze, path)
    assert not is_valid_path(maze, path[1:])  # does not start at the start
    assert not is_valid_path(maze, path[:-1])  # does not reach the goal
    assert not is_valid_path(maze, path[:2] + path[3:])  # skips a cell
    assert not is_valid_path(maze, [])


# -- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, kwargs, error, name",
    [
        ((0, 5), {"seed": 0}, ValueError, "width"),
        ((5, -1), {"seed": 0}, ValueError, "height"),
        ((5.0, 5), {"seed": 0}, TypeError, "width"),
        ((5, 5), {"seed": "0"}, TypeError, "seed"),
        ((5, 5), {"seed": 0, "loops": 1.5}, ValueError, "loops"),
        ((5, 5), {"seed": 0, "loops": -0.1}, ValueError, "loops"),
    ],
)
def test_generate_names_bad_arguments(args, kwargs, error, name):
    with pytest.raises(error, match=name):
        generate(*args, **kwargs)


def test_generate_needs_a_seed():
    with pytest.raises(TypeError, match="seed"):
        generate(5, 5)


@pytest.mark.parametrize("strategy", list(mz.IMPLEMENTATIONS))
def test_strategies_name_bad_arguments(strategy):
    solve = mz.IMPLEMENTATIONS[strategy]
    with pytest.raises(TypeError, match="maze"):
        solve(["#####", "#   #", "#####"])
    with pytest.raises(ValueError, match="workers"):
        solve(generate(3, 3, seed=0), workers=0)


@pytest.mark.parametrize(
    "rows, start, goal, error, name",
    [
        ((), (1, 1), (1, 1), TypeError, "rows"),
        (("###", "#"), (1, 1), (1, 1), ValueError, "rows"),
        (("#x#",), (0, 1), (0, 1), ValueError, "rows"),
        (("###", "# #", "###"), (0, 0), (1, 1), ValueError, "start"),
        (("###", "# #", "###"), (1, 1), (5, 5), ValueError, "goal"),
    ],
)
def test_a_maze_checks_its_fields(rows, start, goal, error, name):
    with pytest.raises(error, match=name):
        Maze(rows, start, goal)


def test_benchmark_case_yields_a_maze_of_the_size():
    with mz.benchmark_case(7) as (args, kwargs):
        (maze,) = args
        assert (maze.width, maze.height) == (15, 15) and kwargs == {}
    with pytest.raises(ValueError, match="size"):
        with mz.benchmark_case(0):
            pass
