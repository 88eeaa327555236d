"""A closed campaign's evidence for an auditor: the definition, every item, every decision
with who, when and why (the full history, from the append-only chain), each remediation and
its verification; as a streamed CSV or a printable HTML page. Each export first verifies the
decision chain and says so ("Decision chain verified: N rows", or each tampered row), and is
audited.

The CSV is one row per decision (an undecided item has one row with empty decision columns),
the item's and its remediation's columns repeated, so a spreadsheet filter answers "who
revoked what, and is it gone". Rows are read in chunks in item order and merged with the
decisions in item order: memory stays flat at 50,000 items."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from okta_insights.reports.base import spreadsheet_safe
from querypie_admin import audit
from querypie_admin.models import User

from ..models import (
    Campaign,
    Decision,
    DecisionRecord,
    RemediationAction,
    RemediationStatus,
    ReviewItem,
)
from . import chain

CHUNK = 5000
ITEM_FIELDS = (
    "id",
    "person_login",
    "person_name",
    "access_kind",
    "access_label",
    "access_id",
    "granted_via",
    "via_group_name",
    "last_sign_in",
    "flags",
    "reviewer__login_id",
    "remediation__action",
    "remediation__status",
    "remediation__attempts",
    "remediation__executed_at",
    "remediation__verified_at",
    "remediation__okta_error",
)
DECISION_FIELDS = (
    "item_id",
    "id",
    "decision",
    "comment",
    "decided_by_label",
    "decided_at",
    "reassigned_to__login_id",
    "row_hash",
)
HEADER = (
    "Item",
    "Person",
    "Name",
    "Access kind",
    "Access",
    "Access ID",
    "How granted",
    "Group",
    "Last sign-in",
    "Risk flags",
    "Reviewer",
    "Decision row",
    "Decision",
    "Comment",
    "Decided by",
    "Decided at",
    "Reassigned to",
    "Row hash",
    "Remediation",
    "Remediation status",
    "Attempts",
    "Executed at",
    "Verified at",
    "Okta error",
)


@dataclass(frozen=True)
class ChainSummary:
    rows: int
    tampered: list[int]

    @property
    def text(self) -> str:
        if not self.tampered:
            return f"Decision chain verified: {self.rows} rows"
        ids = ", ".join(str(pk) for pk in self.tampered)
        broken = len(self.tampered)
        return f"Decision chain broken: {broken} of {self.rows} rows do not match (rows {ids})"


def check_chain(campaign: Campaign) -> ChainSummary:
    result = chain.verify(campaign.pk)
    return ChainSummary(result.rows, result.broken_at)


def start_export(campaign: Campaign, actor: User, kind: str) -> ChainSummary:
    """Every export begins here: the chain is verified and the export audited."""
    summary = check_chain(campaign)
    exported(campaign, actor, kind, summary)
    return summary


def exported(campaign: Campaign, actor: User, kind: str, summary: ChainSummary) -> None:
    audit.record(
        "access_review.evidence_exported",
        actor=actor,
        target=campaign,
        outcome="success" if not summary.tampered else "failure",
        detail={"format": kind, "chain_rows": summary.rows, "tampered": summary.tampered[:100]},
    )


def definition(campaign: Campaign) -> list[tuple[str, str]]:
    """The campaign as it was defined and run, in the words of its form."""
    reviewer = campaign.reviewer.login_id if campaign.reviewer else ""
    return [
        ("Campaign", campaign.name),
        ("What is reviewed", campaign.get_subject_display()),
        ("Applications or groups", " ".join(campaign.scope_okta_ids) or "All"),
        ("Start date", campaign.starts_on.isoformat()),
        ("Due date", campaign.due_on.isoformat()),
        ("Reviewers", f"{campaign.get_reviewer_source_display()} {reviewer}".strip()),
        ("Fallback reviewer", campaign.fallback_reviewer.login_id),
        ("Remove access", campaign.get_remediation_timing_display()),
        ("Launched", _when(campaign.launched_at)),
        ("Closed", _when(campaign.closed_at)),
    ]


def csv_lines(campaign: Campaign, summary: ChainSummary) -> Iterator[str]:
    """The CSV, line by line: the definition and the chain's result, a blank line, then the
    table (HEADER) of every item and decision."""
    out = _Line()
    writer = csv.writer(out)
    for row in [*definition(campaign), ("Chain", summary.text), ()]:
        writer.writerow(row)
        yield out.take()
    writer.writerow(HEADER)
    yield out.take()
    for row in table(campaign):
        # Comments and profile values are typed by people: never a formula in a spreadsheet.
        writer.writerow([spreadsheet_safe(str(cell)) for cell in row])
        yield out.take()


def table(campaign: Campaign) -> Iterator[list]:
    """Rows of HEADER's columns: one per decision, or one for an undecided item."""
    decisions = _decisions(campaign)
    pending = next(decisions, None)
    for item in _items(campaign):
        item_cells = _item_cells(item)
        remediation_cells = _remediation_cells(item)
        wrote = False
        while pending is not None and pending[0] == item["id"]:
            for record in pending[1]:
                yield [*item_cells, *_decision_cells(record), *remediation_cells]
                wrote = True
            pending = next(decisions, None)
        if not wrote:
            yield [*item_cells, "", "", "", "", "", "", "", *remediation_cells]


def _items(campaign: Campaign) -> Iterator[dict]:
    rows = ReviewItem.objects.filter(campaign=campaign).order_by("id").values(*ITEM_FIELDS)
    return rows.iterator(chunk_size=CHUNK)


def _decisions(campaign: Campaign) -> Iterator[tuple[int, list[dict]]]:
    rows = (
        DecisionRecord.objects.filter(campaign=campaign)
        .order_by("item_id", "id")
        .values(*DECISION_FIELDS)
        .iterator(chunk_size=CHUNK)
    )
    return ((item_id, list(group)) for item_id, group in groupby(rows, key=lambda r: r["item_id"]))


def _item_cells(item: dict) -> list:
    return [
        item["id"],
        item["person_login"],
        item["person_name"],
        item["access_kind"],
        item["access_label"],
        item["access_id"],
        item["granted_via"],
        item["via_group_name"],
        _when(item["last_sign_in"]),
        " ".join(item["flags"] or []),
        item["reviewer__login_id"],
    ]


def _decision_cells(record: dict) -> list:
    return [
        record["id"],
        Decision(record["decision"]).label,
        record["comment"],
        record["decided_by_label"],
        _when(record["decided_at"]),
        record["reassigned_to__login_id"] or "",
        record["row_hash"],
    ]


def _remediation_cells(item: dict) -> list:
    if not item["remediation__action"]:
        return ["", "", "", "", "", ""]
    return [
        RemediationAction(item["remediation__action"]).label,
        RemediationStatus(item["remediation__status"]).label,
        item["remediation__attempts"],
        _when(item["remediation__executed_at"]),
        _when(item["remediation__verified_at"]),
        item["remediation__okta_error"],
    ]


def _when(moment) -> str:
    return moment.isoformat() if moment else ""


class _Line:
    """A file the csv writer writes one line into; `take` returns and clears it."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def take(self) -> str:
        text, self.text = self.text, ""
        return text
