"""The Celery app of the worker subprocesses of the fault tests (tests/support/celery.py `Worker`).

It is config.celery's app, except for the queue that tasks published by the worker itself go to
(the alerts a scan queues, the messages `outbox.send_unsent` queues again):
ACCORD_FAULTS_DEFAULT_QUEUE names it, so that a test's worker never publishes to the shared
default queue. Accord's settings do not read such a variable, hence this module."""

import os

from config.celery import app

app.conf.task_default_queue = os.environ["ACCORD_FAULTS_DEFAULT_QUEUE"]

__all__ = ["app"]
