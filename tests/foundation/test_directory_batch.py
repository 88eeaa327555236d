"""directory.batch: the same rules and vocabulary as per-row writes, one audit event per batch."""

import pytest
from django.db import connection

from querypie_admin import directory
from querypie_admin.directory import Caller, Sent, batch, fields
from querypie_admin.models import AuditEvent, DirectoryLink, GroupMembership, LinkSource, User
from tests.factories import okta_user

pytestmark = pytest.mark.django_db
SYNC = Caller.okta_sync("Okta sync (test)")


def five_users_in_a_group() -> tuple[list[int], int]:
    rows = [({"login_id": f"u{n}@corp.example"}, Sent(f"00u{n}", {"n": n})) for n in range(5)]
    created = batch.create_users(SYNC, rows)
    [group] = batch.create_groups(SYNC, [({"name": "G"}, Sent("00gG"))])
    added, _ = batch.change_memberships(SYNC, [(group, pk) for pk in created], [])
    return created, added


@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])  # sqlite: the bulk_create path
def test_batch_create_links_each_row_and_audits_once_per_batch(monkeypatch, vendor):
    monkeypatch.setattr(batch, "BATCH", 3)
    with monkeypatch.context() as patch:
        patch.setattr(connection, "vendor", vendor)
        created, added = five_users_in_a_group()

    users = User.objects.in_bulk(created)
    assert [users[pk].login_id for pk in created] == [f"u{n}@corp.example" for n in range(5)]
    links = DirectoryLink.objects.filter(user_id__in=created).order_by("user_id")
    assert [(link.source, link.external_id, link.attributes) for link in links] == [
        (LinkSource.OKTA_SYNC, f"00u{n}", {"n": n}) for n in range(5)
    ]
    user = users[created[0]]
    assert not user.has_usable_password() and user.is_managed_externally and user.is_active
    assert added == 5 and GroupMembership.objects.filter(group__name="G").count() == 5
    events = AuditEvent.objects.filter(actor_label="Okta sync (test)").order_by("id")
    assert [(e.action, e.detail["count"], e.detail["source"]) for e in events] == [
        ("user.created", 3, "okta_sync"), ("user.created", 2, "okta_sync"),
        ("group.created", 1, "okta_sync"),
        ("group.members_added", 3, "okta_sync"), ("group.members_added", 2, "okta_sync"),
    ]  # fmt: skip
    assert events[0].detail["sample"] == ["u0@corp.example", "u1@corp.example", "u2@corp.example"]


def test_one_vocabulary_for_a_row_and_a_batch(user_factory):
    one, many = okta_user(LinkSource.SCIM), okta_user(LinkSource.OKTA_SYNC)
    directory.set_user_active(Caller.scim("SCIM (token ab12…)"), one, False)
    batch.deactivate_users(SYNC, [many.pk])
    events = AuditEvent.objects.filter(action="user.deactivated").order_by("id")
    assert [(e.detail["source"], e.detail.get("count", 1)) for e in events] == [
        ("scim", 1),
        ("okta_sync", 1),
    ]


def test_a_batch_that_names_one_local_row_writes_nothing(owner, user_factory):
    okta = okta_user(LinkSource.OKTA_SYNC)
    with pytest.raises(directory.Refused):
        batch.deactivate_users(SYNC, [okta.pk, owner.pk])
    okta.refresh_from_db()
    owner.refresh_from_db()
    assert okta.is_active and owner.is_active


def test_a_batch_with_one_invalid_value_writes_nothing():
    rows = [
        ({"login_id": "fine@corp.example"}, Sent("00u1")),
        ({"login_id": "bad@corp.example", "email": "not an email"}, Sent("00u2")),
    ]
    with pytest.raises(directory.DirectoryInvalid):
        batch.create_users(SYNC, rows)
    assert not User.objects.exists()


@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])  # postgresql: COPY, then INSERT
def test_a_batch_clashing_with_an_existing_login_writes_nothing_and_the_next_one_does(
    monkeypatch, vendor
):
    okta_user(LinkSource.OKTA_SYNC, login_id="taken@corp.example")
    clash = [({"login_id": "new@corp.example"}, Sent("00u2")),
             ({"login_id": "TAKEN@corp.example"}, Sent("00u3"))]  # fmt: skip
    with monkeypatch.context() as patch:
        patch.setattr(connection, "vendor", vendor)
        with pytest.raises(directory.DirectoryConflict):
            batch.create_users(SYNC, clash)
        assert not User.objects.filter(login_id="new@corp.example").exists()
        # Twice in one transaction: the staging table of the first is gone before the second.
        created = batch.create_users(SYNC, clash[:1]) + batch.create_users(
            SYNC, [({"login_id": "third@corp.example"}, Sent("00u4"))]
        )
    assert [User.objects.get(pk=pk).links.get().external_id for pk in created] == ["00u2", "00u4"]


def test_release_deactivates_only_users_no_provisioning_source_keeps(user_factory):
    shared = okta_user(LinkSource.OKTA_SYNC, LinkSource.SCIM)
    signed_in = okta_user(LinkSource.OKTA_SYNC, LinkSource.SAML)
    alone = okta_user(LinkSource.OKTA_SYNC)

    released, deactivated = batch.release_users(SYNC, [shared.pk, signed_in.pk, alone.pk])

    assert (released, deactivated) == (3, 2)
    active = dict(User.objects.values_list("pk", "is_active"))
    assert active == {shared.pk: True, signed_in.pk: False, alone.pk: False}
    assert directory.sources_of(shared) == ["scim"]


def test_release_groups_deletes_only_groups_no_other_source_has():
    [alone, shared] = batch.create_groups(
        SYNC, [({"name": "A"}, Sent("00gA")), ({"name": "S"}, Sent("00gS"))]
    )
    DirectoryLink.objects.create(source=LinkSource.SCIM, group_id=shared)
    member = okta_user(LinkSource.OKTA_SYNC)
    batch.change_memberships(SYNC, [(alone, member.pk), (shared, member.pk)], [])

    assert batch.release_groups(SYNC, [alone, shared]) == (2, 1, 1)
    assert list(GroupMembership.objects.values_list("group_id", flat=True)) == [shared]


@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])  # postgresql: COPY, UPDATE … FROM
def test_a_batch_update_writes_only_the_named_fields_and_keeps_the_login_key(monkeypatch, vendor):
    ada, alan = okta_user(LinkSource.OKTA_SYNC), okta_user(LinkSource.OKTA_SYNC)
    before = User.objects.get(pk=alan.pk)
    changes = [(ada.pk, ada.login_id, {"login_id": "ADA.New@corp.example", "first_name": "A"}),
               (alan.pk, alan.login_id, {"first_name": "Alan"})]  # fmt: skip
    with monkeypatch.context() as patch:
        patch.setattr(connection, "vendor", vendor)
        assert batch.update_users(SYNC, changes) == 2
        assert batch.link_users(SYNC, [(ada.pk, Sent("00uNEW", {"login": "new"}))]) == 0

    assert User.objects.get(login_id__ci_exact="ada.new@CORP.example").first_name == "A"
    alan.refresh_from_db()
    assert (alan.first_name, alan.login_id, alan.email) == ("Alan", before.login_id, before.email)
    assert alan.updated_at > before.updated_at
    link = ada.links.get(source=LinkSource.OKTA_SYNC)
    assert (link.external_id, link.attributes) == ("00uNEW", {"login": "new"})
    events = AuditEvent.objects.filter(action="user.updated").order_by("id")
    assert sorted(tuple(e.detail["fields"]) for e in events) == [
        ("first_name",),
        ("first_name", "login_id"),
    ]


def test_rows_the_validator_checked_are_written_without_a_second_check(monkeypatch):
    values = ("checked@corp.example", "Ada", "", "ada@corp.example", "", "", "", "", "", True)
    row = fields.checked_user_values((*values, "ACTIVE"))  # the caller's own value follows
    checks: list[dict] = []
    monkeypatch.setattr(fields, "_check", lambda model, given: checks.append(given))

    [pk] = batch.create_users(SYNC, [(row, Sent("00u1"))])

    assert checks == []  # checked once, by checked_user_values
    user = User.objects.get(pk=pk)
    assert (user.login_id, user.first_name, user.email) == (values[0], "Ada", "ada@corp.example")


def test_checked_rows_come_only_from_the_validator_and_only_for_their_kind():
    with pytest.raises(directory.DirectoryInvalid):
        fields.checked_user_values(("bad@corp.example", "", "", "not an email", *[""] * 5, True))
    with pytest.raises(TypeError):
        fields.CheckedUser(("forged@corp.example",), object())
    group = fields.checked_group_values(("Engineers", ""))
    with pytest.raises(directory.DirectoryInvalid):
        batch.create_users(SYNC, [(group, Sent("00u1"))])
    assert not User.objects.exists()


def test_values_copy_would_misread_arrive_as_sent():
    """COPY's text format gives tabs, newlines and backslashes a meaning: they are escaped."""
    fields = {"login_id": "zoe@corp.example", "first_name": "Zo\\e\tX", "last_name": "",
              "postal_address": "1 Main St\r\nSpringfield \\N"}  # fmt: skip
    sent = Sent("00u\\1", {"name": 'Zoë \\ "quoted"\n', "status": "ACTIVE"})

    [pk] = batch.create_users(SYNC, [(fields, sent)])

    user = User.objects.get(pk=pk)
    assert {name: getattr(user, name) for name in fields} == fields
    link = user.links.get()
    assert (link.external_id, link.attributes) == (sent.external_id, sent.attributes)


def test_adding_memberships_that_exist_already_changes_nothing():
    """SCIM may have added a pair between the plan and the write: the batch skips it."""
    created, _ = five_users_in_a_group()
    group = GroupMembership.objects.values_list("group_id", flat=True).first()
    before = set(GroupMembership.objects.values_list("group_id", "user_id"))

    batch.change_memberships(SYNC, [(group, pk) for pk in reversed(created)], [])

    assert set(GroupMembership.objects.values_list("group_id", "user_id")) == before


def test_pairs_of_rows_created_here_are_added_without_skipping_and_a_present_one_fails_its_batch():
    created, added = five_users_in_a_group()
    group = GroupMembership.objects.values_list("group_id", flat=True).first()
    [other] = batch.create_groups(SYNC, [({"name": "H"}, Sent("00gH"))])

    added, _ = batch.change_memberships(SYNC, [(other, created[0])], [], created_here=True)
    assert added == 1
    with pytest.raises(directory.DirectoryConflict):  # present: not skipped, the batch fails
        batch.change_memberships(SYNC, [(other, created[1]), (group, created[2])], [],
                                 created_here=True)  # fmt: skip

    pairs = set(GroupMembership.objects.filter(group_id=other).values_list("user_id", flat=True))
    assert pairs == {created[0]}  # the failed batch wrote nothing
    # Without created_here a present pair is skipped, as a parallel SCIM push may add it.
    batch.change_memberships(SYNC, [(other, created[1]), (group, created[2])], [])
    assert GroupMembership.objects.filter(group_id=other).count() == 2
