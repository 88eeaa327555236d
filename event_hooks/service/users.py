"""A user an event names: re-read them from Okta, plan, pass the guard, write through the
directory (one transaction), then decide their mapped role again, so a membership change
moves the role within seconds (a demotion ends their sessions: see User)."""

from django.db import transaction

from querypie_admin import directory
from querypie_admin.directory import Caller
from querypie_admin.models import User

from .groups import ensure_group
from .guard import Guard, effect_of
from .okta import Reader
from .outcome import Outcome
from .user_plan import UserPlan, plan_user


def apply_user(
    reader: Reader,
    caller: Caller,
    okta_id: str,
    guard: Guard,
    *,
    waived: bool,
    owner_confirmed: bool,
    cause: dict,
) -> Outcome:
    """`waived`: an administrator confirmed held events of this user, so the hooks' guard
    lets them through; `owner_confirmed`: an Owner did, so the directory's promotion guard
    does too."""
    plan = plan_user(reader.user(okta_id))
    if plan.ignored:
        return Outcome.ignored(plan.ignored)
    effect = effect_of(plan.deactivates, plan.promotes)
    reason = "" if waived else guard.hold_reason(plan.deactivates, plan.promotes)
    if reason:
        guard.count(plan.deactivates, plan.promotes)
        return Outcome.held(reason, effect)
    with transaction.atomic():
        user, done = write(caller, plan)
    roles = directory.roles.apply_from_directory(
        caller, [user.pk], planned=owner_confirmed, **cause
    )
    guard.count(plan.deactivates, plan.promotes)
    done += [f"role {c.before} → {c.after}" for c in roles.changed]
    done += [f"role change refused: {reason}" for _, reason in roles.refused]
    done += [f"role {c.before} → {c.after} held: {reason}" for c, reason in roles.held]
    summary = "; ".join(done + plan.notes) or "Already as in Okta: nothing to change."
    return Outcome.applied(f"{user.login_id}: {summary}", effect)


def write(caller: Caller, plan: UserPlan) -> tuple[User, list[str]]:
    """Every change of the plan, in the order the sync writes them; returns what was done."""
    done: list[str] = []
    user = plan.user
    if plan.create is not None:
        user = directory.create_user(caller, plan.create, sent=plan.sent)
        done.append("created" if user.is_active else "created (inactive, as in Okta)")
    elif not plan.release:
        if directory.update_user(caller, user, plan.fields, sent=plan.sent):
            done.append(f"updated {', '.join(sorted(plan.fields))}")
        status = {"is_active": plan.active}  # its own write: audited as user.(de)activated
        if plan.active is not None and directory.update_user(caller, user, status, sent=plan.sent):
            done.append("activated" if plan.active else "deactivated")
    for body, match in plan.join_new:
        group = ensure_group(caller, body, match)
        if group is not None:
            plan.join.append(group)
    for group in plan.join:
        if directory.add_members(caller, group, [user]):
            done.append(f"joined {group.name}")
    for group in plan.leave:
        if directory.remove_members(caller, group, [user]):
            done.append(f"left {group.name}")
    if plan.release:
        deactivated = directory.release_user(caller, user)
        done.append(f"released ({plan.release})" + ("; deactivated" if deactivated else ""))
    return user, done
