"""Shared fixtures: every test must leave no worker process behind."""

import time

import psutil
import pytest


# Helpers that multiprocessing starts once and keeps for the whole session on
# purpose; they are not workers.
_SESSION_HELPERS = (
    "multiprocessing.resource_tracker",
    "multiprocessing.forkserver",
    "joblib.externals.loky.backend.resource_tracker",
)


def _live_children():
    live = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() == psutil.STATUS_ZOMBIE:
                continue
            cmdline = " ".join(child.cmdline())
        except psutil.NoSuchProcess:
            continue
        if not any(helper in cmdline for helper in _SESSION_HELPERS):
            live.append(child)
    return live


@pytest.fixture(autouse=True, scope="module")
def no_leftover_processes():
    """Fail the module's last test if a worker process outlives its tests.

    Pools and clusters are closed on every path in this package; a child still
    running a few seconds after a module's tests end means one was not.
    """
    before = {p.pid for p in _live_children()}
    yield
    deadline = time.monotonic() + 10
    while True:
        leftover = [p for p in _live_children() if p.pid not in before]
        if not leftover or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    names = []
    for p in leftover:
        try:
            names.append(f"{p.pid} {' '.join(p.cmdline()[:4])}")
            p.kill()
        except psutil.NoSuchProcess:
            pass
    assert not leftover, f"worker processes left alive: {names}"
