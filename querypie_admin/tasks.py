"""Celery entry points of the console itself."""

from celery import shared_task


@shared_task
def ping() -> str:
    """Answer a worker liveness check; used by the worker test and operators."""
    return "pong"
