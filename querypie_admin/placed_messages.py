"""Messages shown beside the form they answer, not at the top of the page.

A page with several forms redirects back to itself after a POST; the message saying what
happened belongs next to the form that posted, where the user is looking (issue 23: a
role-mapping change jumped to its anchor while its message sat off-screen at the top).
The view tags the messages its POST added with the form's place; base.html leaves tagged
messages out, and the page renders them with console/_messages_at.html at that place.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


def place(request: HttpRequest, where: str) -> None:
    """Tag the messages this request added so that the form `where` shows them."""
    storage = messages.get_messages(request)
    # Django's storage keeps what this request added in _queued_messages until the response;
    # a message's extra_tags is its own public attribute.
    for message in getattr(storage, "_queued_messages", []):
        if not message.extra_tags:
            message.extra_tags = where


def back_to(request: HttpRequest, url_name: str, where: str) -> HttpResponse:
    """Redirect to the page `url_name` at the form `where`, its messages placed beside it."""
    place(request, where)
    return redirect(f"{reverse(url_name)}#{where}")
