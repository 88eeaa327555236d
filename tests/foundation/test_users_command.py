"""`manage.py users` and `manage.py ensure_owner`: local accounts from the shell, through
the directory as the command line, never printing the password."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from querypie_admin.models import AuditEvent, AuthProvider, LinkSource, Role, User
from tests.factories import okta_user

pytestmark = pytest.mark.django_db
SECRET = "Tall-Giraffe-Sings-42"


@pytest.fixture
def password_file(tmp_path):
    path = tmp_path / "password"
    path.write_text(SECRET + "\n")
    return str(path)


def users(*args: str) -> str:
    out = io.StringIO()
    call_command("users", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_users_create_makes_a_local_account_that_signs_in(password_file):
    out = users(
        "create", "--login-id", "ops@corp.example", "--role", "system_admin",
        "--password-file", password_file, "--first-name", "Ops", "--email", "ops@corp.example",
    )  # fmt: skip

    assert out == "Created System Admin ops@corp.example.\n"
    user = User.objects.get(login_id="ops@corp.example")
    assert (user.role, user.auth_provider, user.first_name, user.email) == (
        Role.SYSTEM_ADMIN,
        AuthProvider.QUERYPIE,
        "Ops",
        "ops@corp.example",
    )
    signed_in = Client().post(reverse("login"), {"login_id": user.login_id, "password": SECRET})
    assert signed_in.status_code == 302
    event = AuditEvent.objects.get(action="user.created")
    assert event.actor_label == "manage.py users"
    assert event.detail["source"] == "command" and SECRET not in str(event.detail)


def test_users_create_can_make_an_owner(password_file):
    users("create", "--login-id", "boss", "--role", "owner", "--password-file", password_file)
    assert User.objects.get(login_id="boss").is_local_owner


def test_users_create_reads_the_password_from_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    users("create", "--login-id", "piped", "--role", "user", "--password-file", "-")
    assert User.objects.get(login_id="piped").check_password(SECRET)


def test_a_login_id_taken_in_any_case_is_a_clear_error(user_factory, password_file):
    user_factory(login_id="ops@corp.example")
    with pytest.raises(CommandError, match="Login ID 'OPS@corp.example' is already in use"):
        users("create", "--login-id", "OPS@corp.example", "--role", "user",
              "--password-file", password_file)  # fmt: skip
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "content,error",
    [
        (None, "Cannot read the password file"),
        ("", "is empty"),
        ("\n", "is empty"),
        ("Zq7\n", "The password is too weak"),
        ("password123\n", "The password is too weak"),
    ],
)
def test_a_missing_empty_or_weak_password_is_refused(tmp_path, content, error):
    path = tmp_path / "password"
    if content is not None:
        path.write_text(content)
    with pytest.raises(CommandError, match=error) as raised:
        users("create", "--login-id", "x", "--role", "user", "--password-file", str(path))
    assert not User.objects.exists()
    if content and content.strip():
        assert content.strip() not in str(raised.value)


@pytest.mark.parametrize(
    "args,error",
    [
        (["--role", "root"], "invalid choice: 'root'"),
        (["--role", "user", "--email", "not an email"], "is not a valid email address"),
        (["--role", "user", "--first-name", "x" * 151], "longer than 150 characters"),
    ],
)
def test_bad_input_is_a_clear_error_and_creates_nobody(password_file, args, error):
    with pytest.raises(CommandError, match=error):
        users("create", "--login-id", "x", "--password-file", password_file, *args)
    assert not User.objects.exists()


def test_the_password_is_never_printed(password_file, capsys):
    out = users("create", "--login-id", "quiet", "--role", "user", "--password-file", password_file)
    captured = capsys.readouterr()
    assert SECRET not in out + captured.out + captured.err


def test_users_list_shows_role_status_and_who_manages_each_account(owner):
    okta_user(LinkSource.SCIM, login_id="pushed@corp.example")
    assert users("list").splitlines() == [
        "owner@corp.example\tOwner\tActive\tLocal",
        "pushed@corp.example\tUser\tActive\tOkta: SCIM",
    ]


def test_ensure_owner_creates_the_first_owner_through_the_directory(monkeypatch):
    monkeypatch.setenv("QUERYPIE_ADMIN_PASSWORD", SECRET)
    out = io.StringIO()
    call_command("ensure_owner", stdout=out)

    assert out.getvalue() == f"Created Owner. Login ID: admin  Password: {SECRET}\n"
    assert User.objects.get(login_id="admin").is_local_owner
    event = AuditEvent.objects.get(action="user.created")
    assert (event.actor_label, event.detail["source"]) == ("manage.py ensure_owner", "command")

    again = io.StringIO()
    call_command("ensure_owner", stdout=again)
    assert again.getvalue().startswith("An Owner already exists")
    assert User.objects.count() == 1
