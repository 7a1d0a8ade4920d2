"""parallel_patterns.helpers.dask_examples: the lazy pipeline, the graph picture, the timing helper."""

import math

import dask
import dask.array as da
import numpy as np
import pytest
from dask import delayed

from parallel_patterns.helpers import dask_examples as de


def test_readings_are_repeatable_and_near_the_typical_temperature():
    for station, typical in de.STATIONS.items():
        readings = de.read_station(station, delay=0)
        assert readings == de.read_station(station, delay=0)
        assert len(readings) == 24
        good = de.drop_faulty(readings)
        assert de.FAULTY not in good and len(readings) - len(good) == readings.count(de.FAULTY)
        assert all(abs(r - typical) < 12 for r in good)


def test_some_station_has_a_faulty_reading():
    assert any(de.FAULTY in de.read_station(s, delay=0) for s in de.STATIONS)


def test_pipeline_steps():
    assert de.drop_faulty([1.0, de.FAULTY, 2.0]) == [1.0, 2.0]
    assert de.average([1.0, 2.0, 6.0]) == 3.0
    assert de.warmest(["a", "b", "c"], [1.0, 5.0, 2.0]) == "b"


def test_pipeline_refuses_bad_input():
    with pytest.raises(ValueError, match="station"):
        de.read_station("Atlantis", delay=0)
    with pytest.raises(ValueError, match="delay"):
        de.read_station("Bergen", delay=-1)
    with pytest.raises(TypeError, match="n_readings"):
        de.read_station("Bergen", n_readings=2.5, delay=0)
    with pytest.raises(ValueError, match="average"):
        de.average([])
    with pytest.raises(ValueError, match="one average per station"):
        de.warmest(["a", "b"], [1.0])


def lazy_warmest(delay):
    averages = [delayed(de.average)(delayed(de.drop_faulty)(delayed(de.read_station)(s, delay=delay))) for s in de.STATIONS]
    return delayed(de.warmest)(list(de.STATIONS), averages)


def test_calls_counts_when_steps_run():
    de.reset_calls()
    lazy = lazy_warmest(delay=0)
    assert sum(de.CALLS.values()) == 0  # building the graph runs nothing
    eager = de.warmest(list(de.STATIONS), [de.average(de.drop_faulty(de.read_station(s, delay=0))) for s in de.STATIONS])
    de.reset_calls()
    assert lazy.compute(scheduler="threads") == eager == "Valencia"
    n = len(de.STATIONS)
    assert de.CALLS == {"read_station": n, "drop_faulty": n, "average": n, "warmest": 1}
    de.reset_calls()
    assert not de.CALLS


def test_processes_scheduler_can_import_the_steps():
    assert lazy_warmest(delay=0).compute(scheduler="processes", num_workers=2) == "Valencia"


def node_lines(picture):
    return [line for line in picture.body if "label=" in line and "->" not in line]


def edge_lines(picture):
    return [line for line in picture.body if "->" in line]


def test_graph_of_the_pipeline():
    picture = de.draw_task_graph(lazy_warmest(delay=0))
    n = len(de.STATIONS)
    assert len(node_lines(picture)) == 3 * n + 1
    assert len(edge_lines(picture)) == 3 * n
    assert sum("read_station" in line for line in node_lines(picture)) == n
    assert not any("ellipse" in line for line in node_lines(picture))


def test_a_value_computed_before_the_graph_is_drawn_as_data():
    computed_now = delayed(de.read_station("Bergen", delay=0))
    picture = de.draw_task_graph(delayed(de.average)(computed_now))
    nodes = node_lines(picture)
    assert len(nodes) == 2
    assert sum("ellipse" in line for line in nodes) == 1
    assert not any("read_station" in line for line in nodes)


def test_graph_of_an_array_has_one_box_per_chunk_and_step():
    x = da.ones((4, 4), chunks=2)
    picture = de.draw_task_graph(x + 1)
    assert len(node_lines(picture)) == 8
    assert any("add 1,1" in line for line in node_lines(picture))
    svg = picture.pipe(format="svg").decode()  # Graphviz itself accepts the picture
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg


def test_several_collections_share_one_picture():
    a = delayed(de.average)([1.0, 2.0])
    b = delayed(de.average)([3.0])
    assert len(node_lines(de.draw_task_graph(a, b))) == 2


def test_draw_task_graph_refuses_bad_input():
    with pytest.raises(TypeError, match="dask collections"):
        de.draw_task_graph([1, 2])
    with pytest.raises(TypeError, match="dask collections"):
        de.draw_task_graph()
    with pytest.raises(ValueError, match="max_tasks"):
        de.draw_task_graph(da.ones(100, chunks=1) + 1, max_tasks=80)
    with pytest.raises(ValueError, match="direction"):
        de.draw_task_graph(delayed(de.average)([1.0]), direction="up")


def test_arch_area_numpy_and_dask_agree():
    x = np.random.default_rng(1).random(100_000)
    direct = de.arch_area_numpy(x)
    assert abs(direct - 2 / math.pi) < 0.01
    for chunks in (1_000, 30_000, 100_000):
        lazy = de.arch_area(da.from_array(x, chunks=chunks))
        assert lazy.compute(scheduler="threads") == pytest.approx(direct, rel=1e-12)


def test_best_of_returns_the_fastest_time_and_the_result():
    calls = []

    def work(x, *, y):
        calls.append(1)
        return x + y

    seconds, result = de.best_of(work, 1, y=2, repeat=4)
    assert result == 3 and len(calls) == 4 and 0 <= seconds < 1
    with pytest.raises(ValueError, match="repeat"):
        de.best_of(work, 1, y=2, repeat=0)


def test_bag_helpers():
    assert de.is_long("a" * de.LONG_WORD) and not de.is_long("a" * (de.LONG_WORD - 1))
    assert de.longer_word("abc", "de") == "abc"
    assert de.longer_word("bd", "ac") == de.longer_word("ac", "bd") == "ac"
    assert de.add_one(41, "anything") == 42
    summary = de.text_summary("Ka rimo. Tonami lo 42 se.")
    assert summary == {"words": 5, "sentences": 2, "longest": "tonami"}
    assert de.text_summary("") == {"words": 0, "sentences": 0, "longest": ""}
    with pytest.raises(TypeError, match="text"):
        de.text_summary(b"bytes are not text")


def test_fold_with_longer_word_does_not_depend_on_partitions():
    import dask.bag as db

    words = ["aa", "bbb", "ccc", "d", "abc", "zz"]
    for npartitions in (1, 2, 3, 6):
        assert db.from_sequence(words, npartitions=npartitions).fold(de.longer_word).compute(scheduler="sync") == "abc"


def test_which_process_names_the_calling_process():
    import os

    assert de.which_process("item", delay=0) == os.getpid()
    with pytest.raises(ValueError, match="delay"):
        de.which_process("item", delay=-1)


def test_cores_busy_of_one_busy_thread_is_about_one():
    def spin():
        total = 0
        for i in range(300_000):
            total += i
        return total

    seconds, cores, result = de.cores_busy(spin)
    assert result == sum(range(300_000))
    assert seconds > 0 and 0 < cores < 1.2


def test_time_computes_times_each_run():
    import dask.bag as db

    total = db.from_sequence(range(100), npartitions=4).map(abs).sum()
    runs = {"one thread": {"scheduler": "threads", "num_workers": 1}, "sync": {"scheduler": "synchronous"}}
    seconds = de.time_computes(total, runs, repeat=2)
    assert set(seconds) == set(runs) and all(s > 0 for s in seconds.values())
    with pytest.raises(ValueError, match="runs"):
        de.time_computes(total, {})
    with pytest.raises(ValueError, match="runs"):
        de.time_computes(total, ["threads"])
    with pytest.raises(ValueError, match="repeat"):
        de.time_computes(total, runs, repeat=0)


def test_time_computes_with_a_process_pool():
    from concurrent.futures import ProcessPoolExecutor

    import dask.bag as db

    from parallel_patterns._context import mp_context

    where = db.from_sequence(range(4), npartitions=4).map(de.which_process, delay=0.05).frequencies()
    with ProcessPoolExecutor(2, mp_context=mp_context()) as pool:
        counts = dict(where.compute(scheduler="processes", pool=pool, chunksize=1))
        assert len(counts) == 2 and sum(counts.values()) == 4  # every worker got a share
        total = db.from_sequence(range(8), npartitions=2).sum()
        runs = {"sync": {"scheduler": "sync"}, "processes": {"scheduler": "processes", "pool": pool}}
        seconds = de.time_computes(total, runs, repeat=1)
    assert set(seconds) == {"sync", "processes"}


def test_time_computes_notices_different_results():
    class Flaky:
        calls = 0

        def compute(self, **kwargs):
            Flaky.calls += 1
            return Flaky.calls

    with pytest.raises(AssertionError, match="gave"):
        de.time_computes(Flaky(), {"a": {}, "b": {}}, repeat=1)


def test_profiler_sees_tasks_only_in_its_own_thread():
    import dask.bag as db

    from parallel_patterns.primes import is_prime

    numbers = db.from_sequence(range(50), npartitions=5).map(is_prime)
    assert de.calls_seen_by_profiler(numbers, is_prime, scheduler="synchronous") == 50
    assert de.calls_seen_by_profiler(numbers, is_prime, scheduler="threads") == 0
    with pytest.raises(TypeError, match="function"):
        de.calls_seen_by_profiler(numbers, "is_prime", scheduler="synchronous")
