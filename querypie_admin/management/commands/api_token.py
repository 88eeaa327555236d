"""Issue or revoke personal API tokens for /api/v1/ from the shell."""

from django.core.management.base import BaseCommand, CommandError

from querypie_admin import audit
from querypie_admin.api.authentication import API_TOKEN_PREFIX
from querypie_admin.models import ApiToken, User
from querypie_admin.tokens import issue_token


class Command(BaseCommand):
    help = "Manage personal API tokens: create --login-id L [--name N] | list | delete KEY_ID"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--login-id", required=True)
        create.add_argument("--name", default="")
        sub.add_parser("list")
        delete = sub.add_parser("delete")
        delete.add_argument("key_id")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"_{action}")(**options)

    def _create(self, login_id: str, name: str, **_) -> None:
        user = User.objects.filter(login_id__ci_exact=login_id).first()
        if user is None or not user.is_console_admin:
            raise CommandError(f"No active Owner or System Admin with login ID {login_id!r}.")
        issued = issue_token(API_TOKEN_PREFIX)
        token = ApiToken.objects.create(
            user=user, name=name, key_id=issued.key_id, secret_hash=issued.secret_hash
        )
        audit.record("api_token.issued", actor="manage.py", target=token, detail={"user": login_id})
        self.stdout.write("API token (shown once; store it now):")
        self.stdout.write(issued.value)

    def _list(self, **_) -> None:
        for token in ApiToken.objects.select_related("user").order_by("created_at"):
            last = token.last_used_at.isoformat() if token.last_used_at else "never"
            self.stdout.write(
                f"{token.key_id}\t{token.user.login_id}\t{token.name}\tlast used {last}"
            )

    def _delete(self, key_id: str, **_) -> None:
        token = ApiToken.objects.filter(key_id=key_id).first()
        if token is None:
            raise CommandError(f"No API token {key_id!r}.")
        audit.record("api_token.deleted", actor="manage.py", target=token)
        token.delete()
        self.stdout.write(f"Deleted API token {key_id}.")
