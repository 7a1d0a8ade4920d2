"""Redis and Celery for real: tasks, chains, groups, chords, retries, redelivery after a crash, and cleanup."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import psutil
import pytest
import redis
from celery import chain, chord, group

from parallel_patterns.helpers import celery_tasks as tasks
from parallel_patterns.helpers.taskqueue import (
    ServerError,
    celery_worker,
    check_redis_url,
    free_port,
    ping_redis,
    redis_server,
)


@pytest.fixture(scope="module")
def broker():
    with redis_server() as url:
        tasks.use_broker(url)
        yield url


@pytest.fixture(scope="module")
def worker(broker):
    with celery_worker(broker, name="tests") as running:
        yield running


def port_of(url):
    return int(url.rsplit(":", 1)[1].split("/")[0])


def listening(port):
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_redis_answers_and_has_no_persistence(broker):
    client = redis.Redis.from_url(broker)
    try:
        assert client.ping()
        assert client.config_get("save")["save"] == ""
        assert client.config_get("appendonly")["appendonly"] == "no"
        assert client.config_get("bind")["bind"] == "127.0.0.1"
    finally:
        client.close()


def test_tasks_chains_groups_and_chords(worker):
    assert tasks.add.delay(2, 3).get(timeout=20) == 5
    assert chain(tasks.add.s(1, 2), tasks.square.s())().get(timeout=20) == 9
    assert group(tasks.square.s(i) for i in range(6))().get(timeout=20) == [i * i for i in range(6)]
    assert chord((tasks.square.s(i) for i in range(6)), tasks.total.s())().get(timeout=20) == 55


def test_tasks_run_in_the_worker_processes_not_here(worker):
    pids = group(tasks.busy.s(0.2) for _ in range(4))().get(timeout=20)
    workers = {child.pid for child in psutil.Process(worker.pid).children()}
    assert set(pids) <= workers and os.getpid() not in pids
    assert len(set(pids)) == 2  # --concurrency 2: both pool processes worked


def test_an_exception_in_a_task_is_raised_again_by_get(worker):
    result = tasks.divide.delay(1, 0)
    with pytest.raises(ZeroDivisionError):
        result.get(timeout=20)
    assert result.state == "FAILURE"


def test_retries_with_backoff_are_seeded_and_repeatable(worker):
    keys = range(8)
    expected_attempts = []
    for key in keys:
        attempt = 0
        while tasks.fails_this_time(key, attempt, 0.5, 7):
            attempt += 1
        expected_attempts.append(attempt + 1)
    assert max(expected_attempts) > 1  # some task really was retried
    results = group(tasks.flaky.s(key, 0.5, 7) for key in keys)().get(timeout=30)
    assert [attempts for _, attempts in results] == expected_attempts


def test_an_unreachable_broker_fails_fast_with_its_url():
    url = f"redis://127.0.0.1:{free_port()}/0"
    started = time.monotonic()
    with pytest.raises(ConnectionError, match=url):
        ping_redis(url, timeout=1.0)
    with pytest.raises(ConnectionError, match=url):
        with celery_worker(url):
            pass
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    "url, error", [("http://127.0.0.1:6379/0", ValueError), ("redis://", ValueError), (6379, TypeError)]
)
def test_a_broker_url_that_is_not_redis_is_refused(url, error):
    with pytest.raises(error, match="URL"):
        check_redis_url(url)
    with pytest.raises(error):
        tasks.use_broker(url)


def test_a_worker_that_cannot_start_is_reported_with_its_log(broker):
    with pytest.raises(ServerError, match="exited with code"):
        with celery_worker(broker, app="parallel_patterns.no_such_module"):
            pass


def test_servers_stop_at_the_end_of_the_block_and_on_error():
    with pytest.raises(KeyError):
        with redis_server() as url, celery_worker(url, name="short") as short:
            port, pid = port_of(url), short.pid
            assert listening(port)
            raise KeyError("an error in the block")
    assert not listening(port)
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_nothing_is_left_when_the_process_that_started_them_is_killed():
    job = os.path.join(os.path.dirname(__file__), "taskqueue_job.py")
    page = subprocess.Popen([sys.executable, job], stdout=subprocess.PIPE, text=True)
    try:
        url, worker_pid, _ = page.stdout.readline().split()
        port = port_of(url)
        family = [psutil.Process(int(worker_pid)), *psutil.Process(int(worker_pid)).children(recursive=True)]
        assert listening(port) and len(family) == 3  # the worker and its two pool processes
        page.send_signal(signal.SIGKILL)  # no finally, no atexit: the kernel is gone
        page.wait(timeout=10)
        gone, alive = psutil.wait_procs(family, timeout=10)
        assert not alive, alive
        deadline = time.monotonic() + 10
        while listening(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not listening(port)
    finally:
        page.kill()
        page.wait()
