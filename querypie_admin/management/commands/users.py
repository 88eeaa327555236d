"""Local accounts from the shell, through the directory as the command line:

    manage.py users create --login-id X --role system_admin|user|owner --password-file F
    manage.py users list
    manage.py users set-password --login-id X --password-file F
    manage.py users unlock --login-id X

The password is read from a file (or `-` for standard input) so that it never appears in
the process list or shell history, and it is never printed. `set-password` and `unlock` are
the operator's recovery of a lost or locked-out Owner (docs/RECOVERY.md): whoever runs
commands on the server is trusted as an Owner, and both are audited as the command line.

Exit status: 0 done; 1 a bad password file or password; 2 a bad command line; 3 no account
has that login ID; 4 the account is managed by Okta.
"""

import sys
from pathlib import Path

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from querypie_admin import directory, lockout
from querypie_admin.directory import Caller
from querypie_admin.models import Role, User
from querypie_admin.queries import with_links
from querypie_admin.views.managed import badges

CALLER = "manage.py users"
UNKNOWN_LOGIN_ID = 3
MANAGED_BY_OKTA = 4


def read_password(path: str, user: User | None = None) -> str:
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
        validate_password(password, user)
    except ValidationError as exc:
        raise CommandError("The password is too weak: " + " ".join(exc.messages)) from exc
    return password


def local_account(login_id: str) -> User:
    """The account of this login ID (in any case or width), or a clear error."""
    user = User.objects.filter(login_id__ci_exact=login_id).first()
    if user is None:
        raise CommandError(
            f"No account has the login ID {login_id!r}.", returncode=UNKNOWN_LOGIN_ID
        )
    return user


class Command(BaseCommand):
    help = (
        "Manage local accounts: create --login-id X --role system_admin|user|owner "
        "--password-file F [--first-name --last-name --email] | list | "
        "set-password --login-id X --password-file F | unlock --login-id X"
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
        set_password = sub.add_parser(
            "set-password", help="Set a local account's password and lift its lock-out."
        )
        set_password.add_argument("--login-id", required=True)
        set_password.add_argument(
            "--password-file", required=True, help="A file holding the password, or - for stdin."
        )
        unlock = sub.add_parser(
            "unlock", help="Forget every failed sign-in of a login ID, from every address."
        )
        unlock.add_argument("--login-id", required=True)

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"_{action.replace('-', '_')}")(**options)

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

    def _set_password(self, login_id: str, password_file: str, **_) -> None:
        user = local_account(login_id)
        if user.is_managed_externally:
            raise CommandError(
                f"{user.login_id} is managed by Okta and signs in with Okta: change its "
                "password in Okta, or take the account back in the console first.",
                returncode=MANAGED_BY_OKTA,
            )
        password = read_password(password_file, user)
        with transaction.atomic():
            user = User.objects.select_for_update().get(pk=user.pk)
            user.set_password(password)  # also ends the account's signed-in sessions
            user.save(update_fields=["password"])
            Caller.command(CALLER).record("user.password_set", target=user)
        self._lift_lock_out(user)
        self.stdout.write(f"Set the password of {user.get_role_display()} {user.login_id}.")
        if not user.is_active:
            self.stdout.write("The account is inactive: it cannot sign in until activated.")

    def _unlock(self, login_id: str, **_) -> None:
        user = local_account(login_id)
        self._lift_lock_out(user)
        self.stdout.write(f"Cleared every failed sign-in of {user.login_id}.")

    def _lift_lock_out(self, user: User) -> None:
        lockout.unlock(user.login_id)
        Caller.command(CALLER).record("auth.lockout_cleared", target=user)
