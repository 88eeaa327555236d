"""Role mappings by hook: joining a mapped Okta group in Okta grants the console role within
seconds; leaving it demotes and ends the user's session; a burst of promotions past the
role mappings' limit is held like a mass deactivation."""

from __future__ import annotations

from event_hooks.models import Effect, EventStatus, HookEvent
from querypie_admin.models import (
    AuditEvent,
    RoleMapping,
    RoleMappingSettings,
    RoleSource,
    User,
)

from .conftest import wait_until

WITHIN = 5.0


def test_membership_in_a_mapped_group_promotes_within_seconds_and_removal_demotes(hooked):
    org = hooked.org
    RoleMapping.objects.create(okta_group_id=org.finance.id, role="system_admin")
    alan = hooked.user(org.alan)
    browser = hooked.session(alan)
    assert hooked.signed_in(browser) and alan.role == "user"

    org.directory.add_member(org.finance.id, org.alan.id)
    took = wait_until(
        lambda: User.objects.get(pk=alan.pk).role == "system_admin", WITHIN, "promoted"
    )

    alan.refresh_from_db()
    assert took < WITHIN
    assert (alan.role_source, alan.role_groups) == (RoleSource.MAPPING, [org.finance.id])
    changed = AuditEvent.objects.get(action="user.role_changed", target_id=str(alan.pk))
    assert changed.actor_label == "Okta Event Hook"
    assert changed.detail["okta_groups"] == [org.finance.id]
    assert changed.detail["event_type"] == "group.user_membership.add"
    assert HookEvent.objects.filter(uuid=changed.detail["hook_event"]).exists()
    browser = hooked.session(alan)  # the role change ended the first one; sign in again

    org.directory.remove_member(org.finance.id, org.alan.id)
    wait_until(lambda: User.objects.get(pk=alan.pk).role == "user", WITHIN, "demoted")

    assert not hooked.signed_in(browser)
    hooked.settle()
    promoted = HookEvent.objects.get(
        event_type="group.user_membership.add", okta_user_id=org.alan.id
    )
    assert promoted.effect == Effect.PROMOTE


def test_promotions_past_the_limit_are_held_until_confirmed(hooked):
    org = hooked.org
    RoleMappingSettings.objects.update_or_create(pk=1, defaults={"promotion_threshold": 1})
    RoleMapping.objects.create(okta_group_id=org.finance.id, role="system_admin")
    hooked.okta.deliveries.hold()
    for person in (org.ada, org.alan, org.grace):
        org.directory.add_member(org.finance.id, person.id)

    hooked.okta.deliveries.release()
    hooked.settle()

    roles = {p.id: hooked.user(p).role for p in (org.ada, org.alan, org.grace)}
    assert sorted(roles.values()) == ["system_admin", "user", "user"]
    held = HookEvent.objects.filter(status=EventStatus.HELD)
    assert held.count() == 2
    assert any("more than the 1 allowed at once" in event.detail for event in held)
