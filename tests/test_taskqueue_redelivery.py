"""A Celery worker killed mid-task: with acks_late the task is delivered again, to another worker.

In a module of its own: it needs a Redis server with no other worker listening,
and Celery keeps its connection to the first broker a process sends tasks to.
"""

import gc
import time
import uuid

import psutil
import redis

from parallel_patterns.helpers import celery_tasks as tasks
from parallel_patterns.helpers.taskqueue import celery_worker, redis_server


def test_a_task_whose_worker_is_killed_is_delivered_again_to_another():
    with redis_server() as broker:
        tasks.use_broker(broker)  # before the first task is sent: Celery keeps its connections
        outcome = kill_a_worker_mid_task(broker)
    assert outcome["worker"].startswith("rescuer@")
    assert [name.split("@")[0] for name in outcome["deliveries"]] == ["doomed", "rescuer"]
    assert outcome["redelivered"]


def kill_a_worker_mid_task(broker):
    key = uuid.uuid4().hex
    client = redis.Redis.from_url(broker)
    try:
        with celery_worker(broker, name="doomed") as doomed:
            result = tasks.tracked.delay(key, 0.5)
            deadline = time.monotonic() + 20
            while not client.llen(f"tracked:{key}"):
                assert time.monotonic() < deadline, doomed.log()
                time.sleep(0.02)
            started = time.monotonic()
            doomed.kill()
            assert not psutil.pid_exists(doomed.pid) or psutil.Process(doomed.pid).status() == psutil.STATUS_ZOMBIE
        # Redis hands out an unacknowledged message again once it is older than the
        # visibility timeout; a worker looks for such messages when it starts.
        time.sleep(max(0.0, tasks.VISIBILITY_TIMEOUT + 0.2 - (time.monotonic() - started)))
        with celery_worker(broker, name="rescuer"):
            return result.get(timeout=30)
    finally:
        client.close()


def test_a_result_dropped_after_redis_has_stopped_does_not_stall():
    # A finished AsyncResult, dropped, unsubscribed from Redis a second time (see
    # celery_tasks._cancel_for_once); once Redis had stopped, Celery retried that
    # 20 times, a second apart. One still pending unsubscribes once, quickly.
    with redis_server() as broker:
        tasks.use_broker(broker)
        with celery_worker(broker, name="brief"):
            results = [tasks.add.delay(n, 1) for n in range(3)]
            assert [r.get(timeout=30) for r in results] == [1, 2, 3]
            # A finished result is not unsubscribed twice (celery/celery#10477: the
            # second time, from the garbage collector, could deadlock a subscribe).
            consumer = tasks.app.backend.result_consumer
            sent = []
            consumer._pubsub.unsubscribe = lambda *keys: sent.append(keys)
            consumer.cancel_for(results[0].id)
            assert sent == []
            del consumer._pubsub.unsubscribe
        # sent with no worker left to run it: still subscribed when Redis stops
        results.append(tasks.add.delay(1, 1))
    begin = time.monotonic()
    del results
    gc.collect()
    assert time.monotonic() - begin < 5
