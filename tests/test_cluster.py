"""The scheduler-and-workers cluster: real programs on 127.0.0.1, stopped on every path."""

import os
import signal

import psutil
import pytest
from distributed import Client

from parallel_patterns.helpers import distributed_tasks as dt
from parallel_patterns.helpers.cluster import SchedulerAndWorkers, config_to_env, worker_command


def _session_processes(pids):
    """Every live process in the sessions of ``pids`` (nannies and their workers)."""
    found = []
    for process in psutil.process_iter():
        try:
            if os.getsid(process.pid) in pids and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except (psutil.NoSuchProcess, ProcessLookupError, PermissionError):
            pass
    return found


def test_config_to_env():
    assert config_to_env({"distributed.scheduler.allowed-failures": 1}) == {
        "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"
    }
    with pytest.raises(TypeError):
        config_to_env([("a", 1)])
    with pytest.raises(ValueError):
        config_to_env({"": 1})


@pytest.mark.parametrize("kwargs", [{"n_workers": 0}, {"threads_per_worker": -1}, {"timeout": 0}])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        SchedulerAndWorkers(**kwargs)


def test_worker_command_binds_localhost_without_dashboard():
    command = worker_command("s.json", name="w")
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert "--no-dashboard" in command


def test_cluster_computes_listens_on_localhost_and_stops():
    with SchedulerAndWorkers(n_workers=2) as cluster:
        pids = set(cluster.pids().values())
        assert cluster.address.startswith("tcp://127.0.0.1:")
        with Client(cluster.address, timeout="10s") as client:
            futures = client.map(dt.slow_square, range(10), delay=0)
            total = client.submit(sum, futures)
            assert total.result(timeout=30) == sum(x * x for x in range(10))
            assert len(client.scheduler_info(n_workers=-1)["workers"]) == 2
        processes = _session_processes(pids)
        assert len(processes) >= 5  # scheduler, two nannies, two workers
        listening = [
            c.laddr.ip for p in processes for c in p.net_connections("inet")
            if c.status == psutil.CONN_LISTEN
        ]
        assert listening and set(listening) == {"127.0.0.1"}, listening
        assert "Start worker" in cluster.log("worker-0")
        with pytest.raises(ValueError):
            cluster.log("worker-9")
    assert not cluster.running
    assert not _session_processes(pids)
    assert not os.path.exists(cluster.directory)


def test_everything_stops_on_error():
    cluster = SchedulerAndWorkers(n_workers=1)
    with pytest.raises(ZeroDivisionError):
        with cluster:
            pids = set(cluster.pids().values())
            1 / 0
    assert not cluster.running and not _session_processes(pids)


def test_killed_worker_process_is_survived():
    with SchedulerAndWorkers(n_workers=2) as cluster, Client(cluster.address, timeout="10s") as client:
        futures = client.map(dt.slow_square, range(30), delay=0.05)
        worker_pids = client.run(os.getpid)
        futures[3].result(timeout=30)
        os.kill(max(worker_pids.values()), signal.SIGKILL)
        assert client.gather(futures) == [x * x for x in range(30)]


def test_nobody_listening_is_a_clear_error():
    with pytest.raises(OSError, match="Timed out"):
        Client("tcp://127.0.0.1:9", timeout="1s")


def test_gantt_and_runs_per_key():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    records = [
        {"key": "a", "worker": "tcp://127.0.0.1:1", "thread": 1,
         "startstops": ({"action": "compute", "start": 10.0, "stop": 11.0},)},
        {"key": "a", "worker": "tcp://127.0.0.1:2", "thread": 2,
         "startstops": ({"action": "transfer", "start": 11.0, "stop": 11.5},
                        {"action": "compute", "start": 11.5, "stop": 12.0})},
    ]
    assert dt.runs_per_key(records) == {"a": 2}
    fig, ax = plt.subplots()
    assert len(dt.task_stream_gantt(records, ax, highlight={"a"})) == 2
    plt.close(fig)
    with pytest.raises(ValueError):
        dt.task_stream_gantt([], ax)


def test_part_sums_add_up():
    import numpy as np

    data = np.arange(101.0)
    assert sum(dt.part_sum(data, i, 7) for i in range(7)) == data.sum()
    with pytest.raises(ValueError):
        dt.part_sum(data, 7, 7)


def test_programs_stop_when_their_parent_is_killed(tmp_path):
    """A parent killed with SIGKILL runs no atexit: the watchdog stops the programs."""
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(
        "import time\n"
        "from parallel_patterns.helpers.cluster import SchedulerAndWorkers\n"
        "cluster = SchedulerAndWorkers(n_workers=1).start()\n"
        "print(' '.join(str(p) for p in cluster.pids().values()), flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        pids = {int(p) for p in parent.stdout.readline().split()}
        assert len(pids) == 2
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 15
        while _session_processes(pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _session_processes(pids)
    finally:
        parent.kill()
        parent.wait()
