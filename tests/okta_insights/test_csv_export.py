"""CSV injection: a value Okta sent that a spreadsheet could read as a formula is exported
as text, with a leading single quote. The list: `=`, `+`, `-`, `@`, TAB and CR (OWASP), a
space (spreadsheets skip it and read the formula after it) and `|` (a DDE command)."""

import csv
import io

import pytest
from django.urls import reverse

from okta_insights.reports.base import spreadsheet_safe
from tests.okta_insights.fixtures import LONG_AGO

pytestmark = pytest.mark.django_db
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", " ", "|"]
PAYLOAD = "cmd|' /C calc'!A0"


@pytest.mark.parametrize("start", FORMULA_STARTS, ids=repr)
def test_a_cell_starting_like_a_formula_is_kept_as_text(start):
    assert spreadsheet_safe(start + PAYLOAD) == "'" + start + PAYLOAD


@pytest.mark.parametrize(
    "value", ["", "ada@corp.example", "Ada Lovelace", "2026", "'quoted", "a=b"]
)
def test_other_cells_are_exported_as_they_are(value):
    assert spreadsheet_safe(value) == value


def test_okta_logins_that_start_like_a_formula_export_as_text(admin_client, org, collect):
    """Okta profiles are edited by people the console does not control: a login starting
    with TAB, CR, a space or `|` reached the CSV as it was."""
    logins = [f"{start}{PAYLOAD}{n}@corp.example" for n, start in enumerate(FORMULA_STARTS)]
    for login in logins:
        org.directory.add_user(login).created = LONG_AGO
    collect()

    response = admin_client.get(reverse("okta_report_stale_accounts"), {"export": "csv"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode(), newline="")))
    exported = {row[0] for row in rows[1:]}
    assert {"'" + login for login in logins} <= exported
    assert not exported & set(logins)
