"""Write a plan's role changes once its memberships are written, through directory.roles.

The changes the plan showed are written as planned (users this run created get their pk
now); the Owner rules refuse some, which directory.roles audits and the run lists as
conflicts. Then the users whose mapped memberships the run changed are decided again from
what is stored here, so a SCIM push between the plan and the write is not undone; a
promotion that decision adds is outside the plan, so the promotion guard may hold it.
"""

from collections.abc import Callable
from dataclasses import replace

from querypie_admin.directory import Caller, roles
from querypie_admin.directory.roles import RoleChange
from querypie_admin.models import DirectoryLink, LinkSource, RoleMapping

from .plan_roles import RolePlan


def write_roles(plan: RolePlan, caller: Caller, run_id: int, phase: Callable[[str], None]) -> None:
    """Write and record in `plan` what was written: its counts and conflicts then say so."""
    if not (plan.changes or plan.refused or plan.renames or plan.touched):
        return
    phase("Writing roles")
    _rename_mappings(plan, caller)
    planned = _with_new_pks(plan) + [change for change, _ in plan.refused]
    done = roles.apply(caller, planned, planned=True, run=run_id)
    refused = {change.user_id for change, _ in done.refused}
    again = (plan.touched | {change.user_id for change in done.changed}) - refused
    later = roles.apply_from_directory(caller, sorted(again), run=run_id) if again else None
    changed = done.changed + (later.changed if later else [])
    plan.changes = [(change.user_id, change) for change in changed]
    plan.refused = done.refused + (later.refused if later else [])


def _with_new_pks(plan: RolePlan) -> list[RoleChange]:
    """Planned changes by pk; a user the run could not create (a conflict) is left out."""
    new = [key for key, _ in plan.changes if isinstance(key, str)]
    links = DirectoryLink.objects.filter(
        source=LinkSource.OKTA_SYNC, user__isnull=False, external_id__in=new
    )
    pks = dict(links.values_list("external_id", "user_id")) if new else {}
    found = []
    for key, change in plan.changes:
        pk = pks.get(key) if isinstance(key, str) else key
        if pk:
            found.append(replace(change, user_id=pk))
    return found


def _rename_mappings(plan: RolePlan, caller: Caller) -> None:
    """A mapped group renamed in Okta: the mapping keeps its Okta id and shows the new name."""
    for okta_id, old, new, role in plan.renames:
        RoleMapping.objects.filter(okta_group_id=okta_id).update(group_name=new)
        caller.record(
            "role_mapping.group_renamed",
            target_label=f"Okta group {okta_id}",
            okta_group=okta_id,
            before=old,
            after=new,
            role=role,
        )
