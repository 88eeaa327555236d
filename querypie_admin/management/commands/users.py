"""Local accounts from the shell, through the directory as the command line:

    manage.py users create --login-id X --role system_admin|user|owner --password-file F
    manage.py users list

The password is read from a file (or `-` for standard input) so that it never appears in
the process list or shell history, and it is never printed.
"""

import sys
from pathlib import Path

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from querypie_admin import directory
from querypie_admin.directory import Caller
from querypie_admin.models import Role, User
from querypie_admin.queries import with_links
from querypie_admin.views.managed import badges

CALLER = "manage.py users"


def read_password(path: str) -> str:
    """The file's first line, without its line ending; clear errors for the rest."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"Cannot read the password file {path!r}: {exc}") from exc
    lines = text.splitlines()
    password = lines[0] if lines else ""
    if not password:
        raise CommandError(f"The password file {path!r} is empty.")
    try:
        validate_password(password)
    except ValidationError as exc:
        raise CommandError("The password is too weak: " + " ".join(exc.messages)) from exc
    return password


class Command(BaseCommand):
    help = (
        "Manage local accounts: create --login-id X --role system_admin|user|owner "
        "--password-file F [--first-name --last-name --email] | list"
    )

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a local account.")
        create.add_argument("--login-id", required=True)
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument(
            "--password-file", required=True, help="A file holding the password, or - for stdin."
        )
        create.add_argument("--first-name", default="")
        create.add_argument("--last-name", default="")
        create.add_argument("--email", default="")
        sub.add_parser("list", help="List every account with its role and who manages it.")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"_{action}")(**options)

    def _create(self, login_id: str, role: str, password_file: str, **options) -> None:
        password = read_password(password_file)
        fields = {
            "login_id": login_id,
            "role": role,
            "first_name": options["first_name"],
            "last_name": options["last_name"],
            "email": options["email"],
        }
        try:
            with directory.refusals_audited():
                user = directory.create_user(Caller.command(CALLER), fields, password=password)
        except (directory.Refused, directory.DirectoryConflict, directory.DirectoryInvalid) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Created {user.get_role_display()} {user.login_id}.")

    def _list(self, **_) -> None:
        users = with_links(User.objects.order_by("login_id", "id"))
        for user in users.iterator(chunk_size=2000):
            managed_by = ", ".join(b.label for b in badges(user))
            self.stdout.write(
                f"{user.login_id}\t{user.get_role_display()}\t{user.status_label}\t{managed_by}"
            )
