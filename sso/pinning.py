"""Which SAML identity may sign in to a privileged account: the one rule, in one place.

An Okta-managed Owner or System Admin signs in by SAML only when the assertion's NameID is an
identity recorded for that account by a source an attacker holding the SCIM token cannot
write. A matching login ID is not enough: the SCIM token can rename an account's login
(issue 19), and an ordinary Okta user whose login is the new name would otherwise land on the
Owner's account.

The identities recorded, per link source:

- SAML: the link's external ID, the NameID of the sign-in that created the link. Only a
  valid signed assertion writes it, and a privileged account's sign-in is accepted only when
  the NameID already is a recorded identity, so an impostor can never move it.
- Okta API sync: the link's external ID, the Okta user id (00u…), for an IdP whose NameID is
  the user id; and the login the sync read from Okta (`attributes["login"]`, the app user's
  login when it has one), which is what Okta sends as NameID by default. The sync reads
  Okta itself with the console's own token.
- SCIM: nothing. Its externalId and userName are whatever the SCIM client sent, so the very
  token holder of issue 19 could write the impostor's NameID there.

A privileged account with no identity recorded (SCIM-linked only, never signed in by SAML)
is refused: an Owner makes it a User, it signs in once (which records its NameID), and the
Owner gives the role back. Ordinary Users are not pinned: their login ID finds them, as ever.
NameIDs are compared exactly, as the IdP sends them.
"""

from querypie_admin.models import LinkSource, Role, User

from .refusals import SamlRefused

PINNED_ROLES = frozenset({Role.OWNER, Role.SYSTEM_ADMIN})


def recorded_identities(user: User) -> set[str]:
    """The NameIDs that may sign in to `user`, from its SAML and Okta sync links."""
    identities = set()
    for link in user.links.filter(source__in=[LinkSource.SAML, LinkSource.OKTA_SYNC]):
        identities.add(link.external_id)
        if link.source == LinkSource.OKTA_SYNC:
            identities.add(str(link.attributes.get("login") or ""))
    identities.discard("")
    return identities


def check_pinned_identity(user: User, name_id: str) -> None:
    """SamlRefused unless `name_id` may sign in to `user` (see the module's rule)."""
    if user.role not in PINNED_ROLES:
        return
    if name_id in recorded_identities(user):
        return
    role = user.get_role_display()
    raise SamlRefused(
        f"the NameID {name_id[:80]!r} is not the identity recorded for this {role} "
        "(its SAML link or the Okta sync); a matching login ID is not enough",
        subject=user.login_id,
    )
