"""How Okta's API speaks on the wire: Link headers, timestamps in filters, page sizes."""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import orjson

APPS_LIMIT = 200
GONE_STATUS = "DEPROVISIONED"  # a user Okta deactivated; the plain users listing leaves it out
_LINK_RE = re.compile(r"<([^>]*)>\s*((?:;[^;,<]*)*)")
_REL_RE = re.compile(r'rel\s*=\s*"?([^";]+)"?', re.IGNORECASE)


def path_id(value: str) -> str:
    """An Okta id as one path segment: a value with `/` or `..` names nothing else."""
    return quote(value, safe="")


def parse_link_header(*values: str) -> dict[str, str]:
    """Map each ``rel`` to its URL; takes one or many ``Link`` values, each with many links."""
    links: dict[str, str] = {}
    for value in values:
        for url, params in _LINK_RE.findall(value or ""):
            rel = _REL_RE.search(params)
            for name in rel.group(1).split() if rel else ():
                links.setdefault(name.lower(), url.strip())
    return links


def okta_timestamp(moment: datetime) -> str:
    """Format a datetime the way Okta's search and filter expressions expect."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_json(body: bytes, fallback: Callable[[], Any]) -> Any:
    """An answer's JSON, or None when it is not JSON. orjson parses Okta's pages several
    times faster than the standard library (most of what a sync's readers spend). What it
    refuses goes to `fallback`, the parser used before (requests' Response.json: a lone
    surrogate escape, a number past 64 bits, a body not in UTF-8), so it reads as it did."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        pass
    try:
        return fallback()
    except ValueError:
        return None
