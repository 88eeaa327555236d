"""The QueryPie admin console: project settings, the console shell and the directory."""

from .celery import app as celery_app

__all__ = ["celery_app"]
