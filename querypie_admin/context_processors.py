"""Values every console page needs."""

from django.conf import settings
from django.http import HttpRequest


def console(request: HttpRequest) -> dict:
    return {"CONSOLE_BASE_URL": settings.CONSOLE_BASE_URL}
