"""Expected SCIM bodies, built from the database row so whole responses can be compared."""

from querypie_admin.models import Group, LinkSource, User

from .conftest import GROUP_SCHEMA, QUERYPIE, USER_SCHEMA

BASE_URL = "http://testserver/api/scim/v2"


def meta(obj, kind: str) -> dict:
    return {
        "resourceType": kind,
        "created": obj.created_at.isoformat(),
        "lastModified": obj.updated_at.isoformat(),
        "location": f"{BASE_URL}/{kind}s/{obj.pk}",
    }


def scim_external_id(obj: User | Group) -> str:
    """The externalId SCIM shows: its own link's, never another source's."""
    link = obj.links.filter(source=LinkSource.SCIM).first()
    return link.external_id if link is not None else ""


def expected_user(user_id, emails=None, groups=(), extension=None, **fields) -> dict:
    """The whole SCIM body of a user; `fields` override the defaults below."""
    user = User.objects.get(pk=user_id)
    body = {
        "schemas": [USER_SCHEMA] + ([QUERYPIE] if extension else []),
        "id": str(user.pk),
        "externalId": scim_external_id(user),
        "userName": user.login_id,
        "name": {"givenName": user.first_name, "familyName": user.last_name},
        "displayName": user.full_name or user.login_id,
        "emails": emails
        if emails is not None
        else [{"value": user.email, "type": "work", "primary": True}],
        "active": user.is_active,
        "meta": meta(user, "User"),
    }
    if groups:
        body["groups"] = [
            {"value": str(g.pk), "$ref": f"{BASE_URL}/Groups/{g.pk}", "display": g.name}
            for g in groups
        ]
    if extension:
        body[QUERYPIE] = extension
    body.update(fields)
    return {k: v for k, v in body.items() if v not in ("", [], {}, None)}


def member(user: User) -> dict:
    return {
        "value": str(user.pk),
        "$ref": f"{BASE_URL}/Users/{user.pk}",
        "type": "User",
        "display": user.login_id,
    }


def expected_group(group_id, members=()) -> dict:
    group = Group.objects.get(pk=group_id)
    body = {
        "schemas": [GROUP_SCHEMA],
        "id": str(group.pk),
        "externalId": scim_external_id(group),
        "displayName": group.name,
        "members": [member(u) for u in members],
        "meta": meta(group, "Group"),
    }
    return {k: v for k, v in body.items() if v not in ("", [])}
