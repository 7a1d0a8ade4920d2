"""Data for the episode on parallel data: tables in Parquet, arrays in Zarr.

Parallel computing on data is mostly parallel *reading*: a file format that
lets several threads or workers each read a piece, and lets every reader skip
what it does not need, is worth more than a faster loop. The functions here
make weather-station data of any size, deterministically from a seed, and
write it the way the episode reads it back:

* :func:`station_table` makes a table of readings, sorted by day, so that each
  Parquet row group covers a range of days and a filter on the day can skip
  whole row groups;
* :func:`write_station_files` writes it as many Parquet files, one per block
  of days, as a data set usually arrives;
* :func:`parquet_files` lists a directory's Parquet files and says clearly
  when there are none;
* :func:`temperature_field` makes a dask array of a smooth temperature field
  with noise, chunk by chunk, so that it can be larger than memory;
* :func:`peak_memory` reports a process's peak resident memory, to show that
  a computation on data larger than memory stayed within its limit.
"""

import os
import sys
from pathlib import Path

import numpy as np

from parallel_patterns._validate import check_int, check_positive_int

STATIONS = tuple(f"station-{i:02d}" for i in range(40))


def station_table(n_rows, *, seed=0, first_day=0):
    """A pyarrow table of ``n_rows`` readings, sorted by day.

    Columns: ``day`` (int32), ``station`` (dictionary-encoded strings, a
    categorical for pandas), ``temperature``,
    ``humidity``, ``pressure`` and ``wind`` (float64). There are 2 000
    readings per day; temperatures follow the seasons and differ by station.
    """
    import pyarrow as pa

    n_rows = check_positive_int("n_rows", n_rows)
    check_int("first_day", first_day, minimum=0)
    rng = np.random.default_rng([check_int("seed", seed, minimum=0), first_day])
    day = (first_day + np.arange(n_rows) // 2000).astype(np.int32)
    station_index = rng.integers(0, len(STATIONS), n_rows)
    season = 10 * np.sin(2 * np.pi * day / 365.25)
    temperature = 8 + season + 0.2 * station_index + rng.normal(0, 3, n_rows)
    return pa.table({
        "day": day,
        # A dictionary column (pandas: categorical): 40 names, stored once.
        "station": pa.DictionaryArray.from_arrays(
            pa.array(station_index, pa.int32()), pa.array(STATIONS)
        ),
        "temperature": temperature.round(2),
        "humidity": rng.uniform(20, 100, n_rows).round(1),
        "pressure": rng.normal(1013, 8, n_rows).round(1),
        "wind": rng.gamma(2.0, 2.5, n_rows).round(1),
    })


def write_station_files(directory, n_files, rows_per_file, *, seed=0, row_group_size=None):
    """Write ``n_files`` Parquet files of ``rows_per_file`` readings each; return their paths.

    File ``k`` holds the days after those of file ``k - 1``, as daily or
    monthly exports do. ``row_group_size`` (rows) defaults to the whole file.
    """
    import pyarrow.parquet as pq

    directory = Path(directory)
    n_files = check_positive_int("n_files", n_files)
    rows_per_file = check_positive_int("rows_per_file", rows_per_file)
    directory.mkdir(parents=True, exist_ok=True)
    days_per_file = -(-rows_per_file // 2000)
    paths = []
    for k in range(n_files):
        table = station_table(rows_per_file, seed=seed, first_day=k * days_per_file)
        path = directory / f"readings-{k:03d}.parquet"
        pq.write_table(table, path, row_group_size=row_group_size or rows_per_file)
        paths.append(path)
    return paths


def parquet_files(directory):
    """The Parquet files in ``directory``, sorted; ``ValueError`` if there are none."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"{directory} is not a directory")
    paths = sorted(directory.glob("*.parquet"))
    if not paths:
        raise ValueError(f"no Parquet files (*.parquet) in {directory}")
    return paths


def temperature_field(shape, chunks, *, seed=0, dtype="float32"):
    """A dask array of temperatures, ``shape = (time, y, x)``, made chunk by chunk.

    Each chunk is computed from its position alone (a smooth pattern in space
    and time plus noise seeded by the chunk's index), so the array can be far
    larger than memory: only the chunks being written exist at any moment.
    """
    import dask.array as da

    if len(shape) != 3:
        raise ValueError(f"shape must be (time, y, x), got {shape!r}")
    shape = tuple(check_positive_int("shape", n) for n in shape)

    def make_chunk(block, block_info=None):
        (t0, t1), (y0, y1), (x0, x1) = block_info[None]["array-location"]
        t = np.arange(t0, t1, dtype=dtype)[:, None, None]
        y = np.arange(y0, y1, dtype=dtype)[None, :, None] / shape[1]
        x = np.arange(x0, x1, dtype=dtype)[None, None, :] / shape[2]
        rng = np.random.default_rng([seed, *block_info[None]["chunk-location"]])
        smooth = 15 - 20 * y + 3 * np.cos(2 * np.pi * x) + 8 * np.sin(2 * np.pi * t / 365.25)
        noise = rng.random(smooth.shape, dtype=np.float32) - 0.5
        return (smooth + noise).astype(dtype)

    template = da.empty(shape, chunks=chunks, dtype=dtype)
    return template.map_blocks(make_chunk, dtype=dtype)


def peak_memory():
    """The peak resident memory of this process so far, in bytes.

    It is the kernel's high-water mark, so no peak can fall between two
    samples. On Linux it is ``VmHWM`` from ``/proc/self/status``: the
    ``ru_maxrss`` of ``getrusage`` would do, but Linux carries it over from
    the parent when a process is started, so a worker started by a big
    notebook would report the notebook's peak. Elsewhere it is ``ru_maxrss``
    (bytes on macOS; Windows has neither).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def directory_bytes(directory):
    """The total size of the files under ``directory``, in bytes."""
    return sum(
        os.path.getsize(os.path.join(root, name))
        for root, _, names in os.walk(directory) for name in names
    )


def time_in_turns(functions, *, rounds=3):
    """``{label: (best seconds, result)}`` for each function of ``functions``.

    The functions take turns, one call each per round, so a burst of load
    from another program spoils one call of each rather than every call of
    one; each keeps its fastest time, since load only ever makes a call slower.
    """
    import time

    if not isinstance(functions, dict) or not functions:
        raise ValueError("functions must be a non-empty dict of label -> callable")
    rounds = check_positive_int("rounds", rounds)
    best = {label: (float("inf"), None) for label in functions}
    for _ in range(rounds):
        for label, function in functions.items():
            start = time.perf_counter()
            result = function()
            seconds = time.perf_counter() - start
            best[label] = (min(best[label][0], seconds), result)
    return best
