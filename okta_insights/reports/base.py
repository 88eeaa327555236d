"""What an access review report is: its parameters, the datasets it reads, its columns and
its rows. The page, the CSV export and the REST API all show the same rows."""

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from django import forms
from django.utils import timezone

from ..models import CollectionSettings
from .states import dataset_notes, unreadable

Row = dict[str, Any]


@dataclass
class Outcome:
    """A report's rows for some parameters, or why it cannot have any."""

    rows: Sequence | Any  # a QuerySet or a list; `row()` turns each into a Row
    notes: list[str] = field(default_factory=list)
    warning: str = ""
    readable: bool = True


class Report:
    """Subclasses set the class attributes and implement `query`."""

    slug: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    datasets: ClassVar[tuple[str, ...]]
    columns: ClassVar[list[tuple[str, str]]]  # (key, header)
    form_class: ClassVar[type[forms.Form]] = forms.Form

    def initial(self) -> dict[str, Any]:
        return {}

    def bound_form(self, data: Any) -> forms.Form:
        """The parameters form bound to what was asked, the defaults filling the rest."""
        given = {key: value for key, value in data.items() if value and key != "page"}
        return self.form_class({**self.initial(), **given})

    def run(self, params: dict[str, Any]) -> Outcome:
        notes = dataset_notes(*self.datasets)
        if unreadable(*self.datasets):
            return Outcome(rows=[], notes=notes, readable=False)
        outcome = self.query(params, CollectionSettings.load())
        outcome.notes = notes + outcome.notes
        return outcome

    def query(self, params: dict[str, Any], settings: CollectionSettings) -> Outcome:
        raise NotImplementedError

    def row(self, item: Any) -> Row:
        """Rows are dicts already unless a report says otherwise."""
        return item

    def csv_lines(self, outcome: Outcome) -> Iterator[str]:
        """The whole report as CSV, streamed a row at a time."""
        buffer = _Line()
        writer = csv.writer(buffer)
        yield writer.writerow([header for _, header in self.columns])
        for item in _iterate(outcome.rows):
            row = self.row(item)
            yield writer.writerow([_cell(row.get(key)) for key, _ in self.columns])


class _Line:
    def write(self, value: str) -> str:
        return value


def _iterate(rows: Any) -> Iterable:
    return rows.iterator(chunk_size=2000) if hasattr(rows, "iterator") else rows


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    return spreadsheet_safe("" if value is None else str(value))


# What a spreadsheet may read as the start of a formula or a DDE command (OWASP, CSV
# Injection): = + - @, and TAB, CR, a space or | that some spreadsheets skip or act on first.
FORMULA_STARTS = frozenset("=+-@\t\r |")


def spreadsheet_safe(text: str) -> str:
    """The cell as text to a spreadsheet: a leading single quote when it could start a
    formula. Report values come from Okta profiles, which people outside the console edit."""
    return f"'{text}" if text[:1] in FORMULA_STARTS else text


REGISTERED: dict[str, Report] = {}


def register(report_class: type[Report]) -> type[Report]:
    REGISTERED[report_class.slug] = report_class()
    return report_class


class DaysForm(forms.Form):
    days = forms.IntegerField(label="Days", min_value=1, max_value=3650)
