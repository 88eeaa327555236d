"""How a console write ends when the directory says no: a clear message, never a 500.

Each entry point runs its directory call inside `directory.refusals_audited()`, outside any
transaction, so a refusal is audited and nothing else is written.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from .. import directory

DIRECTORY_ERRORS = (directory.Refused, directory.DirectoryInvalid, directory.DirectoryConflict)


@contextmanager
def refusal_as_message(request: HttpRequest) -> Iterator[None]:
    """Run the block; a refusal or a bad value becomes an error message and ends the block."""
    try:
        with directory.refusals_audited():
            yield
    except DIRECTORY_ERRORS as exc:
        messages.error(request, str(exc))


@contextmanager
def refusal_beside(form: forms.Form, conflict: str, refused: str | None) -> Iterator[None]:
    """Run the block; put the directory's answer beside the field it is about: a name
    conflict beside `conflict`, a refused rule beside `refused`, a bad value beside its own."""
    try:
        with directory.refusals_audited():
            yield
    except directory.DirectoryConflict as exc:
        form.add_error(conflict, str(exc))
    except directory.DirectoryInvalid as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc))
    except directory.Refused as exc:
        form.add_error(refused, str(exc))
