"""Celery tasks for the task-queue episode: the worker imports this module (``celery -A parallel_patterns.helpers.celery_tasks worker``).

The broker and the result backend are one Redis server, whose URL comes from
the environment variable ``LESSON_BROKER_URL`` (the worker) or from
:func:`use_broker` (the notebook or test that sends tasks). Tasks must live in
an importable module for the same reason as process-pool workers: the worker is
another process, and it finds a task by its name, ``parallel_patterns.helpers.celery_tasks.add``.

Settings chosen for the lesson, and why
---------------------------------------
* ``task_acks_late`` and ``task_reject_on_worker_lost``: a message is
  acknowledged when its task has *finished*, so a task whose worker dies
  mid-way is delivered again. Tasks must then be idempotent: running one twice
  must do no harm.
* ``worker_prefetch_multiplier = 1``: a worker reserves one message per pool
  process, so a killed worker takes few messages down with it.
* ``visibility_timeout`` of a few seconds: with Redis, a message that was
  delivered but never acknowledged is handed out again after this long. It must
  be longer than any task runs (or a slow task is run twice); Celery's default
  is an hour, far too long for a lesson.
* Publishing gives up after a few quick retries, and connecting after 2 s: an
  unreachable broker is an error within seconds, not a hang.
"""

import os
import random
import time

from celery import Celery
from celery.backends.redis import ResultConsumer

from parallel_patterns._validate import check_int, check_nonnegative_number

VISIBILITY_TIMEOUT = 3  # seconds; longer than any task here runs

app = Celery("parallel_patterns.helpers.celery_tasks")
app.conf.update(
    broker_url=os.environ.get("LESSON_BROKER_URL", "redis://127.0.0.1:6379/0"),
    result_backend=os.environ.get("LESSON_BROKER_URL", "redis://127.0.0.1:6379/0"),
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
    result_backend_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
    broker_connection_timeout=2,
    broker_connection_retry_on_startup=True,
    task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5},
    redis_socket_connect_timeout=2,
    redis_socket_timeout=10,
    result_expires=3600,
    worker_hijack_root_logger=False,
    broker_channel_error_retry=False,
)


def _cancel_for_once(consumer, task_id, cancel_for=ResultConsumer.cancel_for):
    """Stop listening for ``task_id``'s result, unless that was done already.

    Celery 5.4 unsubscribes a second time when a finished ``AsyncResult`` is
    garbage-collected. If the collector runs while this process is subscribing
    for a new task, the second unsubscribe waits for a lock its own thread
    holds, for ever: celery/celery#10477, fixed upstream by PR #10497 in a
    Celery that needs a newer redis-py than the one pinned here. A fresh-clone
    test run hung there in ``chain(...)()``. This is the same fix.
    """
    if consumer._get_key_for_task(task_id) in consumer.subscribed_to:
        cancel_for(consumer, task_id)


ResultConsumer.cancel_for = _cancel_for_once


def use_broker(url):
    """Send tasks to, and read results from, the Redis server at ``url``."""
    from parallel_patterns.helpers.taskqueue import check_redis_url

    check_redis_url(url)
    if app._pool is not None:  # connections to an earlier broker: close them
        app._pool.force_close_all()
    app._after_fork()  # Celery's own reset of its connection and producer pools
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
    app.conf.broker_url = url
    app.conf.result_backend = url
    return app


class FlakyError(RuntimeError):
    """A failure that goes away when tried again (a busy server, a dropped connection)."""


@app.task
def add(x, y):
    return x + y


@app.task
def square(x):
    return x * x


@app.task
def total(numbers):
    """The callback of a chord: it receives the list of the group's results."""
    return sum(numbers)


@app.task
def divide(x, y):
    """Raises ZeroDivisionError in the worker for y == 0; ``result.get()`` raises it again here."""
    return x / y


def spin(seconds):
    """Keep a CPU busy for ``seconds`` (a stand-in for real work); return this process's id.

    A plain function, so process pools and dask can run it too; :func:`busy`
    is the same work as a Celery task.
    """
    seconds = check_nonnegative_number("seconds", seconds)
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
    return os.getpid()


@app.task
def busy(seconds):
    """:func:`spin` as a task: return the id of the pool process that ran it."""
    return spin(seconds)


def fails_this_time(key, attempt, failure_rate, seed):
    """Whether attempt ``attempt`` of task ``key`` fails: random, but the same in every run of the build."""
    return random.Random(f"{seed}:{key}:{attempt}").random() < failure_rate


@app.task(bind=True, max_retries=6)
def flaky(self, key, failure_rate=0.5, seed=0, backoff=0.05):
    """Fail at random (seeded) and retry after ``backoff * 2**retries`` seconds.

    Return (key, attempts).
    """
    check_int("key", key)
    attempt = self.request.retries  # 0 on the first try
    if fails_this_time(key, attempt, failure_rate, seed):
        raise self.retry(
            exc=FlakyError(f"attempt {attempt + 1} of task {key} failed"),
            countdown=backoff * 2**attempt,
        )
    return key, attempt + 1


@app.task(bind=True)
def tracked(self, key, seconds):
    """Record each delivery in Redis, work ``seconds``, return who ran it and how often it was delivered.

    The list ``tracked:<key>`` gets the worker's host name at every start, so
    a task whose first worker was killed shows two entries.
    """
    import redis

    client = redis.Redis.from_url(app.conf.broker_url)
    try:
        client.rpush(f"tracked:{key}", self.request.hostname)
        deliveries = [name.decode() for name in client.lrange(f"tracked:{key}", 0, -1)]
    finally:
        client.close()
    spin(seconds)
    return {"worker": self.request.hostname, "deliveries": deliveries,
            "redelivered": bool(self.request.delivery_info.get("redelivered"))}
