"""bin/run's single worker, started again after a kill -9, hands back at once the tasks its predecessor
held unacknowledged (instead of after the broker's one-hour visibility timeout); other queues' are left."""

from __future__ import annotations

import json
import time

import pytest

from pipeline.tasks import horizon_upkeep
from salescrm.celery import app, restore_tasks_of_a_killed_worker


@pytest.fixture
def channel():
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        # Empty at the start too: a task an earlier test enqueued in this process's queue is not ours.
        channel.client.delete(app.conf.task_default_queue, "other-queue")
        yield channel
        channel.client.delete(app.conf.task_default_queue, "other-queue")


def held_by_a_killed_worker(channel, queue: str) -> str:
    """Take the queue's first message as a worker does (kombu's Redis QoS), and never acknowledge it."""
    client = channel.client
    message = json.loads(client.lpop(app.conf.task_default_queue))
    tag = f"killed-{queue}-{time.monotonic_ns()}"
    client.hset(channel.unacked_key, tag, json.dumps([message, "", queue]))
    client.zadd(channel.unacked_index_key, {tag: time.time()})
    return tag


def test_the_sole_worker_restores_its_queues_unacknowledged_tasks(channel, monkeypatch):
    queue = app.conf.task_default_queue
    for _ in range(2):
        horizon_upkeep.apply_async()
    ours = held_by_a_killed_worker(channel, queue)
    theirs = held_by_a_killed_worker(channel, "other-queue")
    client = channel.client
    assert client.llen(queue) == 0

    assert restore_tasks_of_a_killed_worker() == 0  # not the sole worker: nothing is touched
    assert client.hexists(channel.unacked_key, ours)

    monkeypatch.setenv("SALESCRM_SOLE_WORKER", "1")
    assert restore_tasks_of_a_killed_worker() == 1
    assert client.llen(queue) == 1 and not client.hexists(channel.unacked_key, ours)
    assert client.hexists(channel.unacked_key, theirs)
    client.hdel(channel.unacked_key, theirs)
    client.zrem(channel.unacked_index_key, theirs)
