"""A job to start and kill: resumable_map over slow squares (tests/test_checkpoint.py, Episode 9).

Usage: python -m parallel_patterns.helpers.checkpoint_job STORE N_ITEMS WORKERS, with the
environment variables CHECKPOINT_STORE (the same STORE), CHECKPOINT_LOG (a
file) and CHECKPOINT_RUN (a name for this run).

Each computation appends "start RUN ITEM STORED" and "done RUN ITEM" lines to
the log (one ``write`` per line on a file opened with O_APPEND, so lines from
several processes never mix). STORED is 1 if the item's result file already
existed when the computation started: that must never happen. On success the
job prints the results as JSON.
"""

import json
import os
import sys
import time

from parallel_patterns.checkpoint import resumable_map, result_path
from parallel_patterns._validate import check_int, check_workers

SECONDS_PER_ITEM = 0.04


def log(line):
    descriptor = os.open(os.environ["CHECKPOINT_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, (line + "\n").encode())
    finally:
        os.close(descriptor)


def slow_square(item):
    stored = result_path(os.environ["CHECKPOINT_STORE"], item, item).exists()
    run = os.environ["CHECKPOINT_RUN"]
    log(f"start {run} {item} {int(stored)}")
    time.sleep(SECONDS_PER_ITEM)
    log(f"done {run} {item}")
    return item * item


def read_log(path):
    """The log as ``(starts, dones)``: lists of ``(run, item, stored)`` and ``(run, item)``."""
    starts, dones = [], []
    with open(path) as log_file:
        for line in log_file:
            kind, run, item, *stored = line.split()
            if kind == "start":
                starts.append((run, int(item), stored == ["1"]))
            else:
                dones.append((run, int(item)))
    return starts, dones


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    store, n_items, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    check_int("N_ITEMS", n_items, minimum=0)
    check_workers(workers)
    results = resumable_map(slow_square, range(n_items), store, workers=workers)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
