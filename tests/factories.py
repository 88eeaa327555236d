"""Factories for the directory; every test builds the rows it needs, nothing more.

`okta_user(LinkSource.SCIM, "00u1")` and `okta_group(...)` build rows Okta owns with one
link each; plain UserFactory/GroupFactory rows are local.
"""

import factory

from querypie_admin.models import AuthProvider, DirectoryLink, Group, LinkSource, Role, User

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    login_id = factory.Sequence(lambda n: f"user{n}@corp.example")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    email = factory.LazyAttribute(lambda u: u.login_id)
    role = Role.USER
    auth_provider = AuthProvider.QUERYPIE
    password = factory.django.Password(PASSWORD)


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"group-{n}")


def okta_user(
    *sources: LinkSource, external_id: str = "", attributes: dict | None = None, **fields
) -> User:
    """A user Okta owns, linked to each of `sources` (none: handed over, not linked yet)."""
    user = UserFactory(auth_provider=AuthProvider.OKTA, password=None, **fields)
    for source in sources:
        DirectoryLink.objects.create(
            source=source, user=user, external_id=external_id, attributes=attributes or {}
        )
    return user


def okta_group(*sources: LinkSource, external_id: str = "", **fields) -> Group:
    group = GroupFactory(auth_provider=AuthProvider.OKTA, **fields)
    for source in sources:
        DirectoryLink.objects.create(source=source, group=group, external_id=external_id)
    return group
