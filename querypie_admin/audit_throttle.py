"""Anonymous refusals in the audit log: at most one event a minute per client address and kind.

Anyone can post to the ACS, the Single Logout URL and the Okta Event Hook endpoint, and each
refusal used to write an audit event: 300 garbage posts in 2 seconds were 300 events, burying
what an auditor needs. Now the first refusal of a (client address, kind) in a minute (fixed
windows: 09:00:00 to 09:00:59, and so on) is audited, and the refusals that follow in that
minute are only counted: the first event's `detail["repeated"]` says how many there were
(0 until one follows). The count is on the event itself, so it is complete even when the
flood stops; a later minute opens a new event. Successful sign-ins and sign-outs, and
refusals that name an account, never come here: they stay audited one by one.

The window and the count live in the Django cache (CACHES), shared by every process: `add`
opens a window for exactly one request, `incr` counts the rest; both are atomic in Redis,
the in-memory cache and the console's FileCache. The first event's count is raised with one
UPDATE that never lowers it, so two processes finishing out of order cannot undercount.
"""

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from . import audit
from .models import AuditEvent

WINDOW_SECONDS = 60


def _window_key(kind: str, request: HttpRequest) -> str:
    minute = int(timezone.now().timestamp()) // WINDOW_SECONDS
    return f"audit-refusals:{kind}:{audit.client_ip(request) or 'unknown'}:{minute}"


def record_refusal(
    kind: str,
    action: str,
    *,
    request: HttpRequest,
    actor: audit.Actor,
    target_label: str,
    detail: dict[str, Any],
) -> AuditEvent | None:
    """Audit this anonymous refusal as `action` if it is the first of its address and `kind`
    this minute (the event is returned), else count it on that first event (None)."""
    key = _window_key(kind, request)
    if cache.add(key, 1, timeout=2 * WINDOW_SECONDS):
        event = audit.record(
            action,
            actor=actor,
            target_label=target_label,
            outcome="failure",
            detail={**detail, "repeated": 0},
            request=request,
        )
        cache.set(f"{key}:event", (event.pk, event.detail), timeout=2 * WINDOW_SECONDS)
        return event
    try:
        repeated = cache.incr(key) - 1
    except ValueError:  # the cache dropped the window meanwhile (culled): nothing to count on
        return None
    first = cache.get(f"{key}:event")
    if first is not None:  # else the first request is still writing it; a later one counts
        pk, first_detail = first
        AuditEvent.objects.filter(pk=pk).exclude(detail__repeated__gte=repeated).update(
            detail={**first_detail, "repeated": repeated}
        )
    return None
