"""parallel_patterns.helpers.rosetta: every version of the map gives the loop's answer."""

import pytest
from joblib.externals.loky.backend import resource_tracker

from parallel_patterns.helpers import rosetta
from parallel_patterns.primes import MAX_NUMBER

# joblib starts loky's resource tracker once and keeps it for the session, as
# multiprocessing does with its own. Start it now, before conftest notes which
# processes already exist, so that it is not taken for a leftover worker.
resource_tracker.ensure_running()

# Small and awkward numbers, squares of primes (the last divisor tried), and a
# few primes big enough that trial division takes a moment.
NUMBERS = [0, 1, 2, 3, 4, 5, 9, 25, 49, 97, 121, 7919, 7921, 1_000_003, 999_983**2, 10**12 + 39, 10**12 + 40]
EXPECTED = [False, False, True, True, False, True, False, False, False, True, False, True, False, True, False, True, False]


def test_expected_answers_are_right():
    assert rosetta.with_loop(NUMBERS) == EXPECTED


@pytest.mark.parametrize("name", [name for name in rosetta.VERSIONS if name != "dask.distributed"])
def test_every_version_agrees_with_the_loop(name):
    version = rosetta.VERSIONS[name]
    assert version(NUMBERS, workers=2) == EXPECTED
    assert version([], workers=1) == []


def test_distributed_on_one_cluster():
    with rosetta.local_cluster(2) as client:
        assert len(client.scheduler_info(n_workers=-1)["workers"]) == 2
        assert rosetta.with_dask_distributed(NUMBERS, client=client) == EXPECTED
        assert rosetta.with_dask_distributed([], client=client) == []


def test_distributed_on_new_cluster_has_the_common_signature():
    assert rosetta.distributed_on_new_cluster(NUMBERS[:6], workers=1) == EXPECTED[:6]


def test_numba_restores_its_thread_count():
    import numba

    before = numba.get_num_threads()
    rosetta.with_numba_prange([7, 8], workers=1)
    assert numba.get_num_threads() == before


@pytest.mark.parametrize("name", list(rosetta.VERSIONS))
@pytest.mark.parametrize(
    ("numbers", "workers", "error"),
    [
        ([2, -1], 1, ValueError),
        ([2, MAX_NUMBER + 1], 1, ValueError),
        ([2, 3.0], 1, TypeError),
        ("23", 1, TypeError),
        ([2], 0, ValueError),
        ([2], 1.5, TypeError),
    ],
)
def test_bad_arguments_are_named(name, numbers, workers, error):
    with pytest.raises(error, match="numbers|workers"):
        rosetta.VERSIONS[name](numbers, workers=workers)


def test_numba_refuses_more_threads_than_it_has():
    import numba

    with pytest.raises(ValueError, match="workers"):
        rosetta.with_numba_prange([2], workers=numba.config.NUMBA_NUM_THREADS + 1)


def test_distributed_needs_a_client():
    with pytest.raises(TypeError, match="client"):
        rosetta.with_dask_distributed([2], client="tcp://127.0.0.1:8786")


def test_local_cluster_checks_its_arguments():
    with pytest.raises(ValueError, match="workers"):
        with rosetta.local_cluster(0):
            pass
    with pytest.raises(ValueError, match="timeout"):
        with rosetta.local_cluster(1, timeout=0):
            pass
