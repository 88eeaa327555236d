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


# Operator recovery: set-password and unlock (docs/RECOVERY.md) --------------------------
def lock_out(login_id: str, ip: str = "203.0.113.66") -> None:
    from django.conf import settings

    for _ in range(settings.SIGNIN_LOCKOUT_FAILURES):
        Client().post(
            reverse("login"), {"login_id": login_id, "password": "Wr0ng-guess"}, REMOTE_ADDR=ip
        )


def sign_in(login_id: str, password: str, ip: str = "203.0.113.66") -> int:
    data = {"login_id": login_id, "password": password}
    return Client().post(reverse("login"), data, REMOTE_ADDR=ip).status_code


def test_set_password_gives_a_lost_owner_a_new_password_and_lifts_the_lock_out(
    owner, password, password_file
):
    lock_out(owner.login_id)
    assert sign_in(owner.login_id, password) == 429

    out = users(
        "set-password", "--login-id", "OWNER@corp.example", "--password-file", password_file
    )

    assert out == "Set the password of Owner owner@corp.example.\n"
    assert sign_in(owner.login_id, password) == 200, "the old password still works"
    assert sign_in(owner.login_id, SECRET) == 302
    events = AuditEvent.objects.filter(action__in=["user.password_set", "auth.lockout_cleared"])
    assert [(e.action, e.actor_label, e.detail, e.target_id) for e in events.order_by("id")] == [
        ("user.password_set", "manage.py users", {"source": "command"}, str(owner.pk)),
        ("auth.lockout_cleared", "manage.py users", {"source": "command"}, str(owner.pk)),
    ]


def test_set_password_signs_out_the_accounts_sessions(owner, password, password_file):
    session = Client()
    session.force_login(owner)
    assert session.get(reverse("profile")).status_code == 200

    users("set-password", "--login-id", owner.login_id, "--password-file", password_file)

    assert session.get(reverse("profile"))["Location"].startswith(reverse("login"))


def test_set_password_reads_stdin_and_refuses_a_weak_password(owner, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("password123\n"))
    with pytest.raises(CommandError, match="The password is too weak") as raised:
        users("set-password", "--login-id", owner.login_id, "--password-file", "-")
    assert raised.value.returncode == 1
    assert "password123" not in str(raised.value)
    assert not AuditEvent.objects.filter(action="user.password_set").exists()

    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    users("set-password", "--login-id", owner.login_id, "--password-file", "-")
    owner.refresh_from_db()
    assert owner.check_password(SECRET)


def test_set_password_refuses_an_okta_managed_account(password_file):
    pushed = okta_user(LinkSource.SCIM, login_id="pushed@corp.example")
    before = User.objects.get(pk=pushed.pk).password

    with pytest.raises(CommandError, match="pushed@corp.example is managed by Okta") as raised:
        users("set-password", "--login-id", pushed.login_id, "--password-file", password_file)

    assert raised.value.returncode == 4
    assert User.objects.get(pk=pushed.pk).password == before
    assert not AuditEvent.objects.filter(action="user.password_set").exists()


@pytest.mark.parametrize("action", ["set-password", "unlock"])
def test_an_unknown_login_id_is_a_clear_error_with_its_own_exit_status(
    action, owner, password_file
):
    extra = ["--password-file", password_file] if action == "set-password" else []
    with pytest.raises(CommandError, match="No account has the login ID 'nobody'") as raised:
        users(action, "--login-id", "nobody", *extra)
    assert raised.value.returncode == 3
    assert not AuditEvent.objects.filter(
        action__in=["user.password_set", "auth.lockout_cleared"]
    ).exists()


@pytest.mark.parametrize("content", [None, b"\xff\xfe not utf-8", b""])
def test_an_unreadable_or_empty_password_file_changes_nothing(owner, tmp_path, content):
    path = tmp_path / "password"
    if content is not None:
        path.write_bytes(content)
    before = owner.password

    with pytest.raises(CommandError, match="Cannot read the password file|is empty") as raised:
        users("set-password", "--login-id", owner.login_id, "--password-file", str(path))

    assert raised.value.returncode == 1
    owner.refresh_from_db()
    assert owner.password == before


def test_unlock_lifts_a_lock_out_from_every_address_and_is_audited(owner, password, settings):
    settings.SIGNIN_LOCKOUT_ACCOUNT_FAILURES = 2 * settings.SIGNIN_LOCKOUT_FAILURES
    lock_out(owner.login_id, "203.0.113.1")
    lock_out(owner.login_id, "203.0.113.2")
    assert sign_in(owner.login_id, password, "192.0.2.10") == 429

    out = users("unlock", "--login-id", "ｏｗｎｅｒ@corp.example")

    assert out == "Cleared every failed sign-in of owner@corp.example.\n"
    assert sign_in(owner.login_id, password, "203.0.113.1") == 302
    assert sign_in(owner.login_id, password, "192.0.2.10") == 302
    event = AuditEvent.objects.get(action="auth.lockout_cleared")
    assert (event.actor_label, event.detail, event.target_id) == (
        "manage.py users",
        {"source": "command"},
        str(owner.pk),
    )


def test_the_command_line_reports_errors_without_a_traceback(capsys):
    """From the shell, Django prints the CommandError and exits with its status."""
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "users", "unlock", "--login-id", "nobody"]).execute()

    assert exited.value.code == 3
    err = capsys.readouterr().err
    assert err == "CommandError: No account has the login ID 'nobody'.\n"
