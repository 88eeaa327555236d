"""Administrator > Audit Log: one row per action, the events of an action to expand."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..audit_actions import by_action, one_by_one, rows
from ..forms import AuditFilterForm
from ..models import AuditEvent
from ..queries import filter_audit
from ..roles import admin_required
from .paging import paginate, valid_filters


@admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    filters = valid_filters(form, request)
    events = filter_audit(AuditEvent.objects.all(), **filters)
    if filters.get("action_id"):  # one action's events, each its own row
        context = paginate(request, events)
        context["rows"] = one_by_one(list(context["page"]))
    else:
        context = paginate(request, by_action(events))
        context["rows"] = rows(list(context["page"]), events)
    context.update(form=form, action_id=filters.get("action_id", ""))
    return render(request, "console/audit_log.html", context)
