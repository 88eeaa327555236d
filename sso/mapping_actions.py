"""The Authentication page's role mapping forms: add, change and remove a mapping, the
"Allow mapping to Owner" switch and the promotion threshold.

Each runs querypie_admin.directory.role_mappings as the console. A refusal (a System Admin's
forged POST, Owner while the switch is off) is a message and is audited; a bad value is an
error beside its field; a change the promotion guard holds comes back with the list of users
and a confirmation bound to it. Nothing is saved unless the whole change is.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from querypie_admin import directory
from querypie_admin.directory import Caller, role_mappings
from querypie_admin.directory.role_mappings import PromotionsHeld
from querypie_admin.directory.roles import Applied
from querypie_admin.models import Role, RoleMappingSettings

from .forms import OwnerMappableForm, PromotionThresholdForm, RemoveMappingForm, RoleMappingForm

CONFIRM = "confirm_promotions"


@dataclass
class MappingPost:
    """One role mapping POST: its form, and whether it was done or held by the guard."""

    op: str
    form: forms.Form
    done: bool = False
    held: PromotionsHeld | None = None

    def resend_fields(self) -> list[tuple[str, str]]:
        """The posted values, for the confirmation form to send again with the checkbox."""
        fields = []
        for name, value in self.form.cleaned_data.items():
            if name != CONFIRM:
                fields.append((name, ("1" if value else "0") if isinstance(value, bool) else value))
        return fields


def _add(caller: Caller, data: dict[str, Any]) -> Applied:
    return role_mappings.add_mapping(
        caller,
        data["okta_group_id"],
        data["role"],
        group_name=data["group_name"],
        confirm=data[CONFIRM],
    )


def _change(caller: Caller, data: dict[str, Any]) -> Applied:
    return role_mappings.change_mapping(
        caller, data["okta_group_id"], data["role"], confirm=data[CONFIRM]
    )


def _remove(caller: Caller, data: dict[str, Any]) -> Applied:
    return role_mappings.remove_mapping(caller, data["okta_group_id"], confirm=data[CONFIRM])


def _switch(caller: Caller, data: dict[str, Any]) -> Applied:
    return role_mappings.set_owner_mappable(caller, data["owner_mappable"], confirm=data[CONFIRM])


def _threshold(caller: Caller, data: dict[str, Any]) -> None:
    role_mappings.set_promotion_threshold(caller, data["promotion_threshold"])


def _said(op: str, data: dict[str, Any]) -> str:
    if op == "mapping_add":
        return f"The Okta group {data['okta_group_id']} is mapped."
    if op == "mapping_change":
        return f"The mapping of {data['okta_group_id']} was changed."
    if op == "mapping_remove":
        return f"The mapping of {data['okta_group_id']} was removed."
    if op == "mapping_owner_switch":
        return f"Mapping to Owner is {'on' if data['owner_mappable'] else 'off'}."
    return f"The promotion threshold is {data['promotion_threshold']}."


# op -> (form class, service call)
OPS: dict[str, tuple[type[forms.Form], Callable[[Caller, dict[str, Any]], Applied | None]]] = {
    "mapping_add": (RoleMappingForm, _add),
    "mapping_change": (RoleMappingForm, _change),
    "mapping_remove": (RemoveMappingForm, _remove),
    "mapping_owner_switch": (OwnerMappableForm, _switch),
    "mapping_threshold": (PromotionThresholdForm, _threshold),
}


def bound_form(op: str, data: Any = None) -> forms.Form:
    form_class = OPS[op][0]
    if form_class is RoleMappingForm:
        return RoleMappingForm(data, owner_mappable=RoleMappingSettings.load().owner_mappable)
    return form_class(data)


def handle(request: HttpRequest, op: str) -> MappingPost:
    """Validate and run one role mapping POST; what happened is in the messages."""
    post = MappingPost(op, bound_form(op, request.POST))
    if not post.form.is_valid():
        messages.error(request, "Nothing was saved: correct the errors below.")
        return post
    data = post.form.cleaned_data
    try:
        with directory.refusals_audited():
            applied = OPS[op][1](Caller.console(request), data)
    except directory.Refused as exc:
        messages.error(request, str(exc))
        post.done = True
    except (directory.DirectoryInvalid, directory.DirectoryConflict) as exc:
        field = getattr(exc, "field", "okta_group_id")
        post.form.add_error(field if field in post.form.fields else None, str(exc))
        messages.error(request, f"Nothing was saved: {exc}")
    except PromotionsHeld as held:
        post.held = held
        if data.get(CONFIRM):
            messages.warning(request, "Who this change promotes changed: confirm the new list.")
    else:
        post.done = True
        messages.success(request, _said(op, data))
        _tell_roles(request, applied)
    return post


def _tell_roles(request: HttpRequest, applied: Applied | None) -> None:
    if applied is None:
        return
    if applied.changed:
        messages.info(request, f"{len(applied.changed)} user(s) had their role recomputed.")
    for change, reason in applied.refused:
        kept = Role(change.before).label
        messages.warning(request, f"{change.login_id} stays {kept}: {reason}")
