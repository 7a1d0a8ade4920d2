"""Data for the parallel-data episode: deterministic tables and arrays, clear errors."""

import numpy as np
import pyarrow.parquet as pq
import pytest

from parallel_patterns.helpers import parallel_data as pdata


def test_station_table_is_sorted_by_day_and_deterministic():
    table = pdata.station_table(5000, seed=3)
    assert table.num_rows == 5000
    days = table.column("day").to_numpy()
    assert (np.diff(days) >= 0).all() and days[0] == 0 and days[-1] == 2
    assert table.equals(pdata.station_table(5000, seed=3))
    assert not table.equals(pdata.station_table(5000, seed=4))
    assert set(table.column("station").to_pylist()) <= set(pdata.STATIONS)


@pytest.mark.parametrize("bad", [0, -1])
def test_station_table_rejects_bad_sizes(bad):
    with pytest.raises(ValueError):
        pdata.station_table(bad)
    with pytest.raises(TypeError):
        pdata.station_table(1.5)


def test_write_and_find_files(tmp_path):
    paths = pdata.write_station_files(tmp_path / "d", 3, 4000, row_group_size=1000)
    assert pdata.parquet_files(tmp_path / "d") == paths
    first_days = [pq.read_table(p, columns=["day"]).column("day").to_numpy() for p in paths]
    assert first_days[1][0] == first_days[0][-1] + 1  # each file continues the days
    assert pq.ParquetFile(paths[0]).metadata.num_row_groups == 4
    whole = pq.read_table(tmp_path / "d")
    filtered = pq.read_table(tmp_path / "d", filters=[("day", "<", 1)])
    assert filtered.num_rows == 2000 and whole.num_rows == 12000


def test_no_data_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="no Parquet files"):
        pdata.parquet_files(tmp_path)
    with pytest.raises(ValueError, match="not a directory"):
        pdata.parquet_files(tmp_path / "missing")


def test_temperature_field_chunks_do_not_depend_on_order():
    field = pdata.temperature_field((6, 8, 10), chunks=(2, 4, 5), seed=1)
    whole = field.compute(scheduler="synchronous")
    assert whole.shape == (6, 8, 10) and whole.dtype == np.float32
    corner = field[2:4, 4:8, 5:10].compute(scheduler="threads")
    assert np.array_equal(corner, whole[2:4, 4:8, 5:10])
    assert np.array_equal(whole, pdata.temperature_field((6, 8, 10), chunks=(2, 4, 5), seed=1).compute())
    with pytest.raises(ValueError):
        pdata.temperature_field((6, 8), chunks=2)


def test_peak_memory_sees_a_big_allocation():
    before = pdata.peak_memory()
    block = np.ones(40_000_000 // 8)  # 40 MB, touched
    assert pdata.peak_memory() >= before
    assert pdata.peak_memory() > block.nbytes


def test_time_in_turns():
    calls = []
    result = pdata.time_in_turns({"a": lambda: calls.append("a") or 1, "b": lambda: calls.append("b") or 2}, rounds=2)
    assert calls == ["a", "b", "a", "b"]
    assert {k: v[1] for k, v in result.items()} == {"a": 1, "b": 2}
    with pytest.raises(ValueError):
        pdata.time_in_turns({})


def test_directory_bytes(tmp_path):
    (tmp_path / "x").write_bytes(b"12345")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "y").write_bytes(b"123")
    assert pdata.directory_bytes(tmp_path) == 8
