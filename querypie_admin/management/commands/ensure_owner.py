"""First run: create the Owner `admin` when no active local Owner exists and print its
password once. It goes through the directory like every other write."""

import os
import secrets

from django.core.management.base import BaseCommand, CommandError

from querypie_admin import directory
from querypie_admin.directory import Caller
from querypie_admin.models import AuthProvider, Role, User


class Command(BaseCommand):
    help = "Create the first Owner (login ID admin) if no Owner exists, printing its password."

    def handle(self, *args, **options) -> None:
        local_owners = User.objects.filter(
            role=Role.OWNER, is_active=True, auth_provider=AuthProvider.QUERYPIE
        )
        if local_owners.exists():
            self.stdout.write("An Owner already exists; its password is not shown again.")
            return
        login_id = os.environ.get("QUERYPIE_ADMIN_LOGIN_ID", "admin")
        password = os.environ.get("QUERYPIE_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        fields = {"login_id": login_id, "role": Role.OWNER, "first_name": "Admin"}
        try:
            with directory.refusals_audited():
                directory.create_user(
                    Caller.command("manage.py ensure_owner"), fields, password=password
                )
        except (directory.Refused, directory.DirectoryConflict, directory.DirectoryInvalid) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Created Owner. Login ID: {login_id}  Password: {password}")
