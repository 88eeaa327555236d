"""Values every console page needs."""

from functools import cache

from django.conf import settings
from django.http import HttpRequest

from .roles import can_change_trust


def console(request: HttpRequest) -> dict:
    """`can_change_trust` is called only by a template that asks (it reads the user's row)."""
    return {
        "CONSOLE_BASE_URL": settings.CONSOLE_BASE_URL,
        "can_change_trust": cache(lambda: can_change_trust(request)),
    }
