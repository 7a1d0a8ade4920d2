"""Shared fixtures: every test must leave no worker process behind."""

import time

import psutil
import pytest


def _live_children():
    children = psutil.Process().children(recursive=True)
    return [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]


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
    names = [f"{p.pid} {' '.join(p.cmdline()[:4])}" for p in leftover]
    for p in leftover:
        p.kill()
    assert not leftover, f"worker processes left alive: {names}"
