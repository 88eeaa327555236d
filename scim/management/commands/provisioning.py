"""Headless Provisioning set-up: the same rules as the page, for automation.

    manage.py provisioning enable|disable|status
    manage.py provisioning token create|list|delete ID

`token create` prints the token value alone on its last line.
"""

from django.core.management.base import BaseCommand, CommandError

from scim import provisioning
from scim.models import ScimToken

ACTOR = "manage.py provisioning"


class Command(BaseCommand):
    help = (
        "SCIM provisioning: enable | disable | status | token create | token list | token delete ID"
    )

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ("enable", "disable", "status"):
            sub.add_parser(name)
        token = sub.add_parser("token").add_subparsers(dest="token_action", required=True)
        token.add_parser("create")
        token.add_parser("list")
        token.add_parser("delete").add_argument("token_id", type=int)

    def handle(self, *args, action: str, **options) -> None:
        if action == "token":
            action = f"token_{options['token_action']}"
        try:
            getattr(self, f"_{action}")(**options)
        except provisioning.ProvisioningError as exc:
            raise CommandError(str(exc)) from exc

    def _enable(self, **_) -> None:
        provisioning.enable(ACTOR)
        self.stdout.write(f"Provisioning is enabled. SCIM Endpoint: {provisioning.endpoint_url()}")

    def _disable(self, **_) -> None:
        deleted = provisioning.disable(ACTOR)
        self.stdout.write(f"Provisioning is disabled; {deleted} token(s) deleted.")

    def _status(self, **_) -> None:
        state = "enabled" if provisioning.is_enabled() else "disabled"
        self.stdout.write(f"Provisioning is {state}. SCIM Endpoint: {provisioning.endpoint_url()}")
        self.stdout.write(f"Tokens: {ScimToken.objects.count()}")

    def _token_create(self, **_) -> None:
        token, value = provisioning.create_token(ACTOR)
        self.stdout.write(
            f"Token {token.pk} issued, expires {token.expires_at:%Y-%m-%d}; shown once, store it:"
        )
        self.stdout.write(value)

    def _token_list(self, **_) -> None:
        for token in ScimToken.objects.all():
            last = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.pk}\tscim_{token.key_id}_…\tissued {token.created_at:%Y-%m-%d}\t"
                f"expires {token.expires_at:%Y-%m-%d}\t{token.status_label}\tlast used {last}"
            )

    def _token_delete(self, token_id: int, **_) -> None:
        provisioning.delete_token(ACTOR, token_id)
        self.stdout.write(f"Deleted token {token_id}.")
