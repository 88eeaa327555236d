"""Administrator > Audit Log."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..forms import AuditFilterForm
from ..models import AuditEvent
from ..queries import filter_audit
from ..roles import admin_required
from .paging import paginate, valid_filters


@admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    events = filter_audit(AuditEvent.objects.all(), **valid_filters(form, request))
    return render(request, "console/audit_log.html", {"form": form, **paginate(request, events)})
