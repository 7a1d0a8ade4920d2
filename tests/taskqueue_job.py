"""A page-like process for test_taskqueue: start Redis and a worker, print their pids, then wait to be killed."""

import os
import sys
import time

from parallel_patterns.helpers.taskqueue import celery_worker, redis_server

with redis_server() as url, celery_worker(url, name="orphan") as worker:
    print(url, worker.pid, os.getpid(), flush=True)
    time.sleep(600)
sys.exit(1)
