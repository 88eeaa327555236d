"""The fake's Admin Console: a page to change the org as an Okta admin, and the action
endpoint that both the page and ``scripts/demo okta …`` (fake_okta.admin_cli) post to.

GET  /admin                    users, groups, the action buttons, the System Log's latest events
                               and the event hooks with their last deliveries
POST /admin/actions/{action}   a form from the page (its form key), or JSON with the SSWS
                               token: runs admin_actions.perform, then waits for the event
                               hook deliveries it caused and answers what happened

An action changes the directory as the admin (admin_actions.py), so the System Log event is
written and the event hooks deliver it exactly as for any change in Okta.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import html
import json
from typing import Any
from urllib.parse import parse_qs, quote

from fake_okta import admin_actions, shapes
from fake_okta.management_api import json_response, record
from fake_okta.routes import Org, Request, Response, RouteTable

ROUTES = RouteTable()
DELIVERY_WAIT = 8.0  # a delivery and its retry take 3 s each at most
RECENT_EVENTS = 15
LISTED = 300
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}}td,th{{padding:.2em .6em;
text-align:left}}fieldset{{margin:1em 0}}</style></head>
<body><h1>{title}</h1>{body}</body></html>"""


def form_key(org: Org) -> str:
    """The hidden field the page's forms carry: another site cannot forge it."""
    return hmac.new(org.token.encode(), b"fake-okta admin page", hashlib.sha256).hexdigest()[:32]


@ROUTES.add("GET", r"^/admin/?$", "admin_page")
def admin_page(request: Request) -> Response:
    org, params = request.org, request.params
    notice = ""
    if params.get("done"):
        notice = f'<p role="status"><strong>{html.escape(params["done"])}</strong></p>'
    if params.get("refused"):
        notice = f'<p role="alert"><strong>{html.escape(params["refused"])}</strong></p>'
    with org.directory.lock:
        body = notice + _actions_form(org) + _events(org) + _hooks(org)
    page = PAGE.format(title="Fake Okta Admin Console", body=body)
    return Response(200, page.encode(), "text/html; charset=utf-8")


@ROUTES.add("POST", r"^/admin/actions/([a-z-]+)$", "admin_actions")
def admin_action(request: Request) -> Response:
    """The page's form (form key, answered by a redirect) or JSON (SSWS token, answered in
    JSON with the events written and the deliveries made)."""
    if request.headers.get_content_type() == "application/json":
        return _json_action(request)
    fields = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
    if not hmac.compare_digest(fields.get("form_key", ""), form_key(request.org)):
        page = PAGE.format(title="Refused", body="<p>This form did not come from the page.</p>")
        return Response(403, page.encode(), "text/html; charset=utf-8")
    try:
        done = admin_actions.perform(request.org.directory, request.ids[0], fields)
        query = "done=" + quote(done.summary)
    except admin_actions.Refused as refused:
        query = "refused=" + quote(str(refused))
    return Response(303, b"", "text/plain", [("Location", f"/admin?{query}")])


def _json_action(request: Request) -> Response:
    org = request.org
    if request.headers.get("Authorization", "") != f"SSWS {org.token}":
        status, body = 401, shapes.error_body("E0000011")
    else:
        try:
            fields = json.loads(request.body or b"{}")
            if not isinstance(fields, dict):
                raise ValueError
        except ValueError:
            fields = None
        if fields is None:
            status, body = 400, shapes.error_body("E0000001", "the body is not a JSON object")
        else:
            status, body = _performed(org, request.ids[0], fields)
    record(request, 1, status, params={})
    return json_response(org, status, body)


def _performed(org: Org, name: str, fields: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    try:
        done = admin_actions.perform(org.directory, name, fields)
    except admin_actions.Refused as refused:
        return 400, shapes.error_body("E0000001", str(refused))
    uuids = {event["uuid"] for event in done.events}
    with contextlib.suppress(TimeoutError):  # what is still pending is not listed below
        org.deliveries.wait_idle(DELIVERY_WAIT)
    delivered = [d for d in list(org.deliveries.sent) if uuids & set(d.event_uuids)]
    hooks = org.event_hooks.hooks
    return 200, {
        "action": name,
        "summary": done.summary,
        "events": [
            {"uuid": e["uuid"], "eventType": e["eventType"], "published": e["published"]}
            for e in done.events
        ],
        "hooks": [
            {
                "id": hook.id,
                "uri": hook.uri,
                "status": hook.status,
                "verificationStatus": hook.verification_status,
                "subscribed": [
                    e["eventType"] for e in done.events if e["eventType"] in hook.events
                ],
            }
            for hook in hooks.values()
        ],
        "deliveries": [
            {
                "hook": d.hook_id,
                "uri": hooks[d.hook_id].uri,
                "status": d.status,
                "attempts": d.attempts,
            }
            for d in delivered
            if d.hook_id in hooks
        ],
    }


# The page's parts ---------------------------------------------------------------------------


def _options(pairs: list[tuple[str, str]]) -> str:
    return "".join(
        f'<option value="{html.escape(value)}">{html.escape(label)}</option>'
        for value, label in pairs
    )


def _actions_form(org: Org) -> str:
    directory = org.directory
    users = sorted(directory.users.values(), key=lambda u: u.profile.get("login") or "")
    user_options = _options(
        [(u.id, f"{u.profile.get('login')} ({u.status})") for u in users[:LISTED]]
    )
    groups = sorted(
        (g for g in directory.groups.values() if g.type == "OKTA_GROUP"), key=lambda g: g.name
    )
    group_options = _options([(g.id, f"{g.name} ({len(g.members)} members)") for g in groups])
    buttons = "".join(
        f'<button type="submit" formaction="/admin/actions/{name}" title="{html.escape(a.help)}">'
        f"{html.escape(name.replace('-', ' ').capitalize())}</button> "
        for name, a in admin_actions.ACTIONS.items()
    )
    return (
        '<form method="post" action="/admin/actions/deactivate">'
        f'<input type="hidden" name="form_key" value="{form_key(org)}">'
        f'<fieldset><legend>People</legend><label>User <select name="user">{user_options}'
        "</select></label></fieldset>"
        f'<fieldset><legend>Group (add / remove)</legend><label>Group <select name="group">'
        f"{group_options}</select></label></fieldset>"
        '<fieldset><legend>New name (rename)</legend><label>First name <input name="first_name">'
        '</label> <label>Last name <input name="last_name"></label></fieldset>'
        f"<p>{buttons}</p></form>"
        '<p><a href="/">My Apps</a> · the System Log is read at <code>/api/v1/logs</code></p>'
    )


def _events(org: Org) -> str:
    log = org.directory.system_log
    newest = [
        log.entry(i)[1] for i in range(len(log) - 1, max(-1, len(log) - 1 - RECENT_EVENTS), -1)
    ]
    rows = "".join(
        "<tr>"
        f"<td>{html.escape(e['published'])}</td><td>{html.escape(e['eventType'])}</td>"
        f"<td>{html.escape(str(e['actor'].get('alternateId')))}</td>"
        f"<td>{html.escape(', '.join(str(t.get('displayName')) for t in e['target']))}</td>"
        f"<td>{html.escape(e['outcome']['result'])}</td></tr>"
        for e in newest
    )
    return (
        "<h2>System Log (latest)</h2><table><tr><th>Published</th><th>Event type</th>"
        f"<th>Actor</th><th>Targets</th><th>Outcome</th></tr>{rows}</table>"
    )


def _hooks(org: Org) -> str:
    hooks = list(org.event_hooks.hooks.values())
    if not hooks:
        return "<h2>Event Hooks</h2><p>None registered: Register with Okta in the console.</p>"
    sent = list(org.deliveries.sent)
    rows = "".join(
        f"<tr><td>{html.escape(h.name)}</td><td>{html.escape(h.uri)}</td>"
        f"<td>{h.status} / {h.verification_status}</td>"
        f"<td>{sum(1 for d in sent if d.hook_id == h.id)}</td>"
        f"<td>{next((d.status for d in reversed(sent) if d.hook_id == h.id), '')}</td></tr>"
        for h in hooks
    )
    return (
        "<h2>Event Hooks</h2><table><tr><th>Name</th><th>URL</th><th>Status</th>"
        f"<th>Deliveries</th><th>Last answer</th></tr>{rows}</table>"
    )
