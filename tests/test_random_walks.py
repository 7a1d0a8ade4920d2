"""parallel_patterns.helpers.random_walks: reproducible random numbers across workers, and two ways to get them wrong."""

import multiprocessing

import numpy as np
import pytest

from parallel_patterns.helpers.random_walks import (
    draws_in_new_processes,
    simulate_walks,
    task_seeds,
    walk_endpoints,
    walk_endpoints_reseeded,
)


def test_task_seeds_are_reproducible_and_distinct():
    first, again = task_seeds(7, 4), task_seeds(7, 4)
    states = [tuple(s.generate_state(4)) for s in first]
    assert states == [tuple(s.generate_state(4)) for s in again]
    assert len(set(states)) == 4
    assert tuple(task_seeds(8, 1)[0].generate_state(4)) != states[0]


@pytest.mark.parametrize(
    "seed, n_tasks, error", [(-1, 2, ValueError), (1.5, 2, TypeError), (0, 0, ValueError)]
)
def test_task_seeds_rejects_bad_arguments(seed, n_tasks, error):
    with pytest.raises(error):
        task_seeds(seed, n_tasks)


def test_walk_endpoints_are_reachable_and_reproducible():
    (seed,) = task_seeds(0, 1)
    ends = walk_endpoints(seed, 200, 51)
    assert ends.shape == (200,) and ends.dtype == np.int64
    assert np.all(np.abs(ends) <= 51) and np.all(ends % 2 == 1)  # 51 odd steps end at an odd place
    assert np.array_equal(ends, walk_endpoints(seed, 200, 51))
    assert not np.array_equal(ends, walk_endpoints(task_seeds(1, 1)[0], 200, 51))


def test_walk_endpoints_rejects_a_plain_seed():
    with pytest.raises(TypeError, match="SeedSequence"):
        walk_endpoints(0, 10, 10)
    with pytest.raises(ValueError, match="n_steps"):
        walk_endpoints(task_seeds(0, 1)[0], 10, 0)


def test_simulate_walks_is_the_same_with_one_worker_or_two():
    one = simulate_walks(6, 300, 400, seed=3, workers=1)
    two = simulate_walks(6, 300, 400, seed=3, workers=2)
    assert one.shape == (1800,) and np.array_equal(one, two)
    # after n steps the mean squared distance is n; 1800 walkers put it within a few percent
    assert 0.85 * 400 < np.mean(one.astype(float) ** 2) < 1.15 * 400
    assert not np.array_equal(one, simulate_walks(6, 300, 400, seed=4, workers=1))


def test_simulate_walks_tasks_draw_different_walks():
    ends = simulate_walks(3, 100, 100, seed=0).reshape(3, 100)
    assert not np.array_equal(ends[0], ends[1]) and not np.array_equal(ends[1], ends[2])


def test_simulate_walks_rejects_bad_workers():
    with pytest.raises(ValueError, match="workers"):
        simulate_walks(2, 10, 10, workers=0)


def test_reseeding_in_every_task_repeats_the_same_walks():
    first = walk_endpoints_reseeded(42, 50, 100)
    np.random.random(10)  # whatever happened in between
    assert np.array_equal(first, walk_endpoints_reseeded(42, 50, 100))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork here")
def test_forked_children_of_a_seeded_parent_draw_the_same_numbers():
    np.random.seed(42)
    draws = draws_in_new_processes(2, 3, "fork")
    assert len(draws) == 2 and len(draws[0]) == 3
    assert draws[0] == draws[1]


def test_spawned_children_ignore_the_parent_seed():
    np.random.seed(42)
    first = draws_in_new_processes(2, 3, "spawn")
    np.random.seed(42)
    second = draws_in_new_processes(2, 3, "spawn")
    assert first[0] != first[1]
    assert sorted(first) != sorted(second)  # the same seed, yet another run draws other numbers


def test_draws_in_new_processes_rejects_unknown_start_methods():
    with pytest.raises(ValueError, match="start_method"):
        draws_in_new_processes(2, 3, "teleport")
    with pytest.raises(ValueError, match="n_draws"):
        draws_in_new_processes(2, 0, "spawn")
