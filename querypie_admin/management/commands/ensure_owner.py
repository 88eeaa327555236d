"""First run: create the Owner `admin` when none exists and print its password once."""

import os
import secrets

from django.core.management.base import BaseCommand

from querypie_admin import directory
from querypie_admin.models import Role, User


class Command(BaseCommand):
    help = "Create the first Owner (login ID admin) if no Owner exists, printing its password."

    def handle(self, *args, **options) -> None:
        if User.objects.filter(role=Role.OWNER).exists():
            self.stdout.write("An Owner already exists; its password is not shown again.")
            return
        login_id = os.environ.get("QUERYPIE_ADMIN_LOGIN_ID", "admin")
        password = os.environ.get("QUERYPIE_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        directory.create_user(
            "first run", login_id=login_id, role=Role.OWNER, first_name="Admin", password=password
        )
        self.stdout.write(f"Created Owner. Login ID: {login_id}  Password: {password}")
