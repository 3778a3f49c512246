import json
import logging
import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salescrm.settings")

app = Celery("salescrm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def restore_tasks_of_a_killed_worker(**kwargs) -> int:
    """Under bin/run exactly one worker consumes the queue (SALESCRM_SOLE_WORKER=1, salescrm/supervisord.conf).
    When it starts, a task of its queue that is still unacknowledged was taken by its predecessor, killed
    with it; hand it back now rather than after the broker's visibility timeout (an hour). Before the new
    worker consumes anything, so none of its own tasks is touched; every task is safe to run twice."""
    if os.environ.get("SALESCRM_SOLE_WORKER") != "1":
        return 0
    queue = app.conf.task_default_queue
    restored = 0
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        client = channel.client
        for tag, payload in client.hgetall(channel.unacked_key).items():
            _message, _exchange, routing_key = json.loads(payload)
            if routing_key == queue:
                channel.qos.restore_by_tag(tag, client)
                restored += 1
    if restored:
        logging.getLogger(__name__).warning("handed back %s tasks of a killed worker", restored)
    return restored
