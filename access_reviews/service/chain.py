"""The decisions' append-only chain: each row carries a SHA-256 over the previous row's hash
and its own fields, so an edited, inserted or deleted row breaks every hash after it.

One chain per campaign. Appending locks the campaign row so two parallel decisions cannot
both hash the same predecessor.
"""

import hashlib
import json
from dataclasses import dataclass

from querypie_admin.directory import bulk_insert

from ..models import DecisionRecord

GENESIS = "0" * 64


def row_hash(previous_hash: str, record: DecisionRecord) -> str:
    """The hash of one row given its predecessor's; the fields an auditor relies on."""
    body = {
        "previous": previous_hash,
        "campaign": record.campaign_id,
        "item": record.item_id,
        "decision": record.decision,
        "comment": record.comment,
        "reassigned_to": record.reassigned_to_id,
        "decided_by": record.decided_by_id,
        "decided_by_label": record.decided_by_label,
        "decided_at": record.decided_at.isoformat(),
    }
    encoded = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


def append(records: list[DecisionRecord]) -> list[DecisionRecord]:
    """Save `records`, in order, as the campaign's newest rows (one read, one COPY). Call
    inside a transaction that holds the campaign row locked (select_for_update), so two
    parallel decisions never hash the same predecessor."""
    if not records:
        return records
    previous = (
        DecisionRecord.objects.filter(campaign_id=records[0].campaign_id)
        .order_by("-id")
        .values_list("row_hash", flat=True)
        .first()
    ) or GENESIS
    for record in records:
        record.previous_hash = previous
        record.row_hash = previous = row_hash(previous, record)
    fields = [f.attname for f in DecisionRecord._meta.concrete_fields if not f.primary_key]
    rows = [{name: getattr(record, name) for name in fields} for record in records]
    saved = bulk_insert.insert(DecisionRecord, rows, returning=("id", "row_hash"))
    ids = {digest: pk for pk, digest in saved}
    for record in records:
        record.pk = ids[record.row_hash]
        record._state.adding = False
    return records


@dataclass(frozen=True)
class ChainCheck:
    rows: int
    broken_at: list[int]  # ids of rows whose hash or link does not match

    @property
    def intact(self) -> bool:
        return not self.broken_at


def verify(campaign_id: int) -> ChainCheck:
    """Recompute every row's hash in order; report each row that does not match."""
    previous = GENESIS
    broken: list[int] = []
    count = 0
    rows = DecisionRecord.objects.filter(campaign_id=campaign_id).order_by("id")
    for record in rows.iterator(chunk_size=2000):
        count += 1
        if record.previous_hash != previous or record.row_hash != row_hash(previous, record):
            broken.append(record.id)
        previous = record.row_hash
    return ChainCheck(rows=count, broken_at=broken)
