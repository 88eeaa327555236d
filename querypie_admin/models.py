"""The directory (users, groups, memberships), the audit log and personal API tokens.

Writes to users and groups go through querypie_admin.directory, never straight to these
models, so that every integration leaves the same audit trail.
"""

import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import models
from django.utils.crypto import salted_hmac

from .lookups import ComparisonKeyField, KeyedModel, KeyedQuerySet
from .singleton import SingletonSettings


class AuthProvider(models.TextChoices):
    """Who owns a row: the console (a local account or group) or Okta.

    An Okta row is reached by the integrations; which of them manage it are its links
    (DirectoryLink). An Okta row without links was handed over and waits for its first link,
    or every source has released it.
    """

    QUERYPIE = "querypie", "QueryPie"
    OKTA = "okta", "Okta"


class LinkSource(models.TextChoices):
    """The Okta integrations that can manage a row."""

    SCIM = "scim", "SCIM provisioning"
    OKTA_SYNC = "okta_sync", "Okta API sync"
    SAML = "saml", "SAML sign-in"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    SYSTEM_ADMIN = "system_admin", "System Admin"
    USER = "user", "User"


ADMIN_ROLES = (Role.OWNER, Role.SYSTEM_ADMIN)
# Highest first: a user in several mapped groups gets the highest of their roles.
ROLE_RANK = {Role.OWNER: 3, Role.SYSTEM_ADMIN: 2, Role.USER: 1}


class RoleSource(models.TextChoices):
    """Where a user's console role comes from: set by hand, or granted by an Okta group
    mapping (then only the mapping changes it; see directory.roles)."""

    MANUAL = "manual", "Set by hand"
    MAPPING = "mapping", "Okta group mapping"


def unusable_passwords(count: int) -> list[str]:
    """What make_password(None) stores (Django's marker and 40 random characters), for
    `count` accounts from one read of the system's random source: Django reads it once per
    character, 40 system calls for every user Okta pushes."""
    text = secrets.token_urlsafe(30 * count)
    return [UNUSABLE_PASSWORD_PREFIX + text[n * 40 : n * 40 + 40] for n in range(count)]


class UserManager(BaseUserManager.from_queryset(KeyedQuerySet)):
    def get_by_natural_key(self, login_id: str) -> "User":
        return self.get(login_id__ci_exact=login_id)

    def create_user(self, login_id: str, password: str | None = None, **fields) -> "User":
        user = self.model(login_id=login_id, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user


class User(KeyedModel, AbstractBaseUser):
    login_id = models.CharField("Login ID", max_length=255)
    # One account per login ID in every alphabet (lookups.comparison_key); `__ci_exact` uses it.
    login_key = ComparisonKeyField(source="login_id", unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(max_length=255, blank=True)
    second_email = models.EmailField(max_length=255, blank=True)
    mobile_phone = models.CharField(max_length=64, blank=True)
    postal_address = models.TextField(blank=True)
    static_ip = models.CharField("Static IP", max_length=64, blank=True)
    mac_address = models.CharField("MAC address", max_length=64, blank=True)
    is_active = models.BooleanField("Active", default=True)
    auth_provider = models.CharField(
        "Managed by", max_length=16, choices=AuthProvider.choices, default=AuthProvider.QUERYPIE
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.USER)
    role_source = models.CharField(
        "Role from", max_length=16, choices=RoleSource.choices, default=RoleSource.MANUAL
    )
    # The Okta group ids (00g…) whose mapping granted a mapped role.
    role_groups = models.JSONField("Granted by Okta groups", default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "login_id"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["login_id"]

    def __str__(self) -> str:
        return self.login_id

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_console_admin(self) -> bool:
        return self.is_active and self.role in ADMIN_ROLES

    @property
    def is_managed_externally(self) -> bool:
        """Users that Okta owns are read-only here: Okta is their source of truth."""
        return self.auth_provider != AuthProvider.QUERYPIE

    @property
    def is_local_owner(self) -> bool:
        return self.is_active and self.role == Role.OWNER and not self.is_managed_externally

    @property
    def status_label(self) -> str:
        return "Active" if self.is_active else "Inactive"

    @property
    def role_is_mapped(self) -> bool:
        return self.role_source == RoleSource.MAPPING

    def set_unusable_password(self) -> None:
        self.password = unusable_passwords(1)[0]

    def get_session_auth_hash(self) -> str:
        """Django checks this on every request: with the role in it, a change of role (a
        demotion above all) ends every open session of the user at their next request."""
        return salted_hmac(
            "querypie_admin.User.session", f"{self.password}|{self.role}", algorithm="sha256"
        ).hexdigest()


class Group(KeyedModel):
    name = models.CharField(max_length=255)
    name_key = ComparisonKeyField(source="name", unique=True)
    description = models.TextField(blank=True)
    auth_provider = models.CharField(
        "Managed by", max_length=16, choices=AuthProvider.choices, default=AuthProvider.QUERYPIE
    )
    members = models.ManyToManyField(User, through="GroupMembership", related_name="member_of")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = KeyedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_managed_externally(self) -> bool:
        return self.auth_provider != AuthProvider.QUERYPIE


class GroupMembership(models.Model):
    """One row per member, so adding one member never rewrites the others."""

    # No index of its own: membership_unique (group, user) leads with it and serves every
    # look-up by group; a second index only cost each insert (7% of a sync's memberships).
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="memberships", db_index=False
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="membership_unique"),
        ]


class DirectoryLink(models.Model):
    """One source that manages a user or a group, as authentik's SCIMSourceUser keeps it.

    `external_id` is the IdP's id for the row (Okta's 00u…/00g…, or SCIM's externalId) and
    `attributes` what the source last sent (secrets removed), shown as "What Okta sent".
    Exactly one of `user` and `group` is set; a source links a row at most once.
    """

    source = models.CharField(max_length=16, choices=LinkSource.choices)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="links"
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="links"
    )
    external_id = models.CharField("External ID", max_length=255, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source", "id"]
        indexes = [models.Index(fields=["source", "external_id"], name="link_source_external_id")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=True) ^ models.Q(group__isnull=True),
                name="link_user_xor_group",
            ),
            models.UniqueConstraint(
                fields=["source", "user"],
                condition=models.Q(user__isnull=False),
                name="link_one_per_source_user",
            ),
            models.UniqueConstraint(
                fields=["source", "group"],
                condition=models.Q(group__isnull=False),
                name="link_one_per_source_group",
            ),
            # The sync matches Okta's ids to rows: one row per Okta id.
            models.UniqueConstraint(
                fields=["external_id"],
                condition=models.Q(source="okta_sync", user__isnull=False)
                & ~models.Q(external_id=""),
                name="link_sync_user_okta_id_unique",
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=models.Q(source="okta_sync", group__isnull=False)
                & ~models.Q(external_id=""),
                name="link_sync_group_okta_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} link of {self.user or self.group}"

    @property
    def target(self) -> "User | Group":
        return self.user if self.user_id else self.group


class PendingLoginId(models.Model):
    """A login ID an integration asked for an Owner or a System Admin, not applied.

    An administrator's login ID is how SAML sign-in finds their account: an integration
    that renamed it could hand the account to whoever Okta knows by the new login. The
    directory keeps the ask here (one per user and source) for an Owner to accept on the
    user's page; the source's next ask replaces it, and sending the current login clears it.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pending_login_ids")
    source = models.CharField(max_length=16, choices=LinkSource.choices)
    login_id = models.CharField("Asked login ID", max_length=255)
    asked_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["asked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "source"], name="pending_login_one_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.login_id} ({self.get_source_display()})"


class HeldPromotion(models.Model):
    """A role an integration's membership news would grant, held for an Owner to confirm.

    A promotion from outside a sync run's plan (a SCIM push, a SAML sign-in's groups, an
    Event Hook) to Owner, or past the promotion threshold within the recent window, is not
    written: it waits here (one per user, the latest decision) until an Owner confirms it
    on the user's page (directory.roles.confirm_held)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="held_promotion")
    before = models.CharField(max_length=16, choices=Role.choices)
    role = models.CharField(max_length=16, choices=Role.choices)
    okta_groups = models.JSONField("Granted by Okta groups", default=list, blank=True)
    source = models.CharField(max_length=16)
    reason = models.CharField(max_length=255)
    held_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} → {self.get_role_display()} (held)"


class RoleMapping(models.Model):
    """An Okta group, by its Okta id, that grants a console role to its members.

    Never by name: a group renamed in Okta, or a new group given an old name, grants nothing.
    `group_name` is the name the group had when last seen, for display only.
    """

    okta_group_id = models.CharField("Okta group ID", max_length=64, unique=True)
    role = models.CharField(max_length=16, choices=Role.choices)
    group_name = models.CharField("Group name", max_length=255, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["okta_group_id"]

    def __str__(self) -> str:
        return f"{self.okta_group_id} → {self.get_role_display()}"


class RoleMappingSettings(SingletonSettings):
    """Whether a mapping may grant Owner (off until an Owner turns it on), and how many
    promotions to an administrator role one run may make before it waits for confirmation."""

    owner_mappable = models.BooleanField("Allow mapping a group to Owner", default=False)
    promotion_threshold = models.PositiveSmallIntegerField(
        "Hold a change that promotes more than this many users to an administrator role",
        default=10,
    )
    updated_at = models.DateTimeField(auto_now=True)


class AuditEvent(models.Model):
    """What happened, who did it and to what; labels are kept so the trail outlives deletions."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(max_length=255)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=255, blank=True)
    target_label = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=16, default="success")
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The events of one action (a role mapping change and the roles it changed, a sync run's
    # writes, a bulk action) share it, so the audit log shows them as one row; "" alone.
    action_id = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        # Plain indexes: `db_index` on a text column adds a second, pattern-matching index on
        # PostgreSQL that no query of the log uses and every audited write paid for.
        indexes = [
            models.Index(fields=["action"], name="audit_action"),
            models.Index(fields=["action_id"], name="audit_action_id"),
        ]


class ApiToken(models.Model):
    """A personal token for the read-only REST API; only a hash of the secret is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    key_id = models.CharField(max_length=32, unique=True)
    secret_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.key_id})"
