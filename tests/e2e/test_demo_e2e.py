"""README's "Try it without an Okta org", end to end in a browser, in README's order and with
its words (the pages reached through the sidebar and the Authentication sections, the buttons
it names): the fake Okta that scripts/demo starts, then SCIM provisioning, Login with Okta,
Single Logout both ways, the sync, the reports after Collect now, a deactivation in Okta
arriving by Event Hook, a role mapping chosen with the group picker promoting a member added
in Okta, and a certificate rotation with the commands the demo prints; and Ctrl-C on
scripts/demo itself."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from playwright.sync_api import Page, expect

from fake_okta import FakeOkta
from fake_okta.demo_org import demo_examples, demo_org
from querypie_admin.models import AuthProvider, User
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
# scripts/demo's org: the same seed in the server and in the SCIM push.
ORG = {"users": 100, "groups": 20, "memberships": 300, "seed": 7}
ORG_ARGS = [*(f"--{name}={value}" for name, value in ORG.items()), "--demo"]


@pytest.fixture
def demo_okta(console_url, settings):
    settings.SSO_METADATA_FETCH_ALLOW_LOOPBACK = True  # scripts/demo sets it too
    directory = demo_org(**ORG)
    with FakeOkta(directory, token="demo-token", console_url=console_url) as fake:
        yield fake


def open_section(page: Page, section: str) -> None:
    """**Authentication** > **`section`**: the sidebar, then the sections' navigation."""
    sidebar = page.get_by_role("navigation", name="Administrator")
    sidebar.get_by_role("link", name="Authentication", exact=True).click()
    sections = page.get_by_role("navigation", name="Authentication sections")
    sections.get_by_role("link", name=section, exact=True).click()


def push_scim(page: Page, console_url: str) -> None:
    """Step 1: Provisioning > Enable > Generate Token, then `scripts/demo push-scim TOKEN`."""
    page.get_by_role("link", name="Provisioning").click()
    page.get_by_role("button", name="Enable").click()
    page.get_by_role("button", name="Generate Token").click()
    token = page.get_by_role("dialog").locator("#new-token-value").inner_text().strip()
    page.get_by_role("button", name="Confirm").click()
    command = [sys.executable, "-m", "fake_okta", *ORG_ARGS]
    command += ["--push-scim", f"{console_url}/api/scim/v2", token]
    pushed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    assert "users created" in pushed.stdout


def connect_saml(page: Page, console_url: str, fake: FakeOkta) -> None:
    """Step 2: Metadata URL, Fetch, Authentication Type Okta, Save identity provider settings."""
    open_section(page, "Identity provider")
    page.get_by_label("Metadata URL", exact=True).fill(fake.saml.metadata_url)
    page.get_by_role("button", name="Fetch").click()
    expect(page.get_by_text(fake.saml.entity_id, exact=True)).to_be_visible()
    page.get_by_label("Authentication Type", exact=True).select_option(label="Okta")
    page.get_by_role("button", name="Save identity provider settings").click()
    expect(page.get_by_role("heading", name="Authentication Type: Okta")).to_be_visible()
    open_section(page, "Single Logout and certificates")
    expect(page.locator("#sso-slo-url")).to_have_text(f"{console_url}/saml/sp/slo")


def first_listed_user(fake: FakeOkta) -> str:
    """The login the fake's sign-in form lists first (assigned, active, by id)."""
    directory = fake.directory
    assigned = directory.app_users[directory.app_id]
    return next(
        u.profile["login"]
        for uid, u in sorted(directory.users.items())
        if uid in assigned and u.status == "ACTIVE"
    )


def synchronize(page: Page, console_url: str, fake: FakeOkta) -> None:
    """Step 4: Synchronization with the fake's API URL, token and Application ID; Dry Run, then
    Save Changes on the values the Dry Run kept, without typing them again."""
    open_section(page, "Synchronization")
    page.get_by_role("checkbox", name="Use Synchronization with the Authentication System").check()
    page.get_by_label("API URL", exact=True).fill(fake.base_url)
    page.get_by_label("API Token", exact=True).fill(fake.token)
    page.get_by_label("Application ID", exact=True).fill(fake.app_id)
    page.get_by_role("button", name="Dry Run").click()
    expect(page.locator("[data-run-status]")).to_have_text("Succeeded", timeout=60_000)
    page.get_by_role("link", name="Back to Synchronization").click()
    expect(page.get_by_label("Application ID", exact=True)).to_have_value(fake.app_id)
    page.locator("#okta-sync").get_by_role("button", name="Save Changes").click()
    page.locator("#okta-sync").get_by_role("button", name="Synchronize").click()
    expect(page.locator("[data-run-status]")).to_have_text("Succeeded", timeout=60_000)


def test_try_it_without_an_okta_org(
    page, console_url, owner, password, demo_okta, celery_worker_on_redis, shot
):
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, console_url, owner.login_id, password)
    push_scim(page, console_url)
    login = first_listed_user(demo_okta)
    assert User.objects.get(login_id=login).auth_provider == AuthProvider.OKTA

    connect_saml(page, console_url, demo_okta)
    shot(page, "07-demo-authentication-connected")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Login with Okta").click()
    expect(page.get_by_label("User")).to_be_visible()  # the fake Okta lists its users
    shot(page, "07-demo-fake-okta-sign-in")
    page.get_by_label("User").select_option(label=login)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()
    expect(page.get_by_text(login).first).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out of QueryPie and Okta.")).to_be_visible()
    assert len(demo_okta.saml.logout_requests) == 1
    sign_out_from_the_fake_dashboard(page, console_url, demo_okta, login)

    sign_in(page, console_url, owner.login_id, password)
    synchronize(page, console_url, demo_okta)
    shot(page, "07-demo-synchronized")
    collect_then_read_a_report(page, console_url)
    shot(page, "07-demo-admins-without-mfa")
    deactivate_in_okta_by_event_hook(page, console_url, demo_okta)
    page.reload()  # the panel, with the delivery's event applied
    expect(page.locator("#hook-status")).to_contain_text("user.lifecycle.deactivate")
    shot(page, "07-event-hooks-delivery-applied")
    promote_a_member_by_role_mapping(page, console_url, demo_okta)
    shot(page, "07-demo-role-mapping")
    rotate_with_the_printed_commands(page, console_url, demo_okta)
    shot(page, "07-demo-rotated")


def sign_out_from_the_fake_dashboard(page: Page, console_url: str, fake: FakeOkta, login: str):
    """Step 3's other way: signed in again with Okta, the fake's dashboard (My Apps) > Sign out
    signs out of Okta, then of the console in a hidden iframe."""
    page.goto(f"{console_url}/login/")
    page.get_by_role("link", name="Login with Okta").click()
    page.get_by_label("User").select_option(label=login)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()
    page.goto(f"{fake.base_url}/")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out of Okta.")).to_be_visible()

    def signed_out_of_the_console() -> bool:
        page.goto(f"{console_url}/me/")
        return "/login/" in page.url

    wait_for(signed_out_of_the_console, 15, "the hidden iframe signs out of the console")


def okta_cli(fake: FakeOkta, *args: str) -> str:
    """`scripts/demo okta ARGS`: the command it runs, pointed at this fake."""
    command = [sys.executable, "-m", "fake_okta.admin_cli", "--url", fake.base_url]
    command += ["--token", fake.token, "--app-id", fake.app_id, *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


def collect_then_read_a_report(page: Page, console_url: str) -> None:
    """Step 5: Okta visibility > Collect now, then Applications, Activity and Access review."""
    page.get_by_role("navigation", name="Administrator").get_by_role(
        "link", name="Okta visibility"
    ).click()
    page.get_by_role("button", name="Collect now").click()
    expect(page.locator("[data-run-status]").first).to_have_text("Succeeded", timeout=60_000)
    okta_pages = page.get_by_role("navigation", name="Okta")
    okta_pages.get_by_role("link", name="Applications").click()
    expect(page.get_by_role("link", name="QueryPie", exact=True)).to_be_visible()
    okta_pages.get_by_role("link", name="Activity").click()
    expect(page.get_by_text("user.authentication.sso").first).to_be_visible()
    okta_pages.get_by_role("link", name="Access review").click()
    page.get_by_role("link", name="Admins without MFA").click()
    expect(page.locator(".okta-report")).to_contain_text("@example.com")


def deactivate_in_okta_by_event_hook(page: Page, console_url: str, fake: FakeOkta) -> None:
    """Step 6: Register with Okta, then `scripts/demo okta deactivate <example user>`."""
    open_section(page, "Event Hooks")
    page.get_by_role("button", name="Register with Okta").click()
    expect(page.get_by_text("Registered with Okta as event hook")).to_be_visible()
    login = demo_examples(fake.directory)["Example user"]
    assert User.objects.get(login_id=login).is_active

    printed = okta_cli(fake, "deactivate", login)

    assert f"delivered to {console_url}/api/okta/event-hook: HTTP 204" in printed
    wait_for(lambda: not User.objects.get(login_id=login).is_active, 90, "the hook deactivates")


def promote_a_member_by_role_mapping(page: Page, console_url: str, fake: FakeOkta) -> None:
    """Step 7: Role mapping: the example group chosen with the picker (part of its name typed),
    mapped to a role; then `scripts/demo okta add-to-group <example member> <example group>`:
    the hook's delivery gives the member the mapped role."""
    examples = demo_examples(fake.directory)
    group_id, member = examples["Example group ID"], examples["Example member"]
    assert User.objects.get(login_id=member).role == "user"
    open_section(page, "Role mapping")
    page.get_by_label("Okta group ID", exact=True).press_sequentially(
        examples["Example group"][:5].lower()
    )
    page.get_by_role("option").filter(has_text=group_id).click()
    expect(page.get_by_label("Okta group ID", exact=True)).to_have_value(group_id)
    page.get_by_label("Console role", exact=True).select_option(label="System Admin")
    page.get_by_role("button", name="Add mapping").click()
    expect(page.locator("#mapping-add .msg-placed").first).to_contain_text(group_id)

    printed = okta_cli(fake, "add-to-group", member, examples["Example group"])

    assert f"delivered to {console_url}/api/okta/event-hook: HTTP 204" in printed
    wait_for(
        lambda: User.objects.get(login_id=member).role == "system_admin",
        90,
        "the hook gives the member the mapped role",
    )


def rotate_with_the_printed_commands(page: Page, console_url: str, fake: FakeOkta) -> None:
    """Step 8: generate-key, Refresh now, the printed activate command, Login with Okta."""
    printed = okta_cli(fake, "generate-key")
    activate = next(
        line.split()[2:] for line in printed.splitlines() if "okta activate-key" in line
    )
    open_section(page, "Single Logout and certificates")
    page.get_by_role("button", name="Refresh now").click()
    row = page.locator(".sso-certificates tr", has_text="CN=fake-okta signing")
    expect(row.filter(has_text="key 2")).to_contain_text("Trusted (Okta's next certificate)")

    okta_cli(fake, *activate)

    assert fake.saml.active_key.kid == activate[-1]
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Login with Okta").click()
    page.get_by_label("User").select_option(label=first_listed_user(fake))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()  # the new key signed


# Ctrl-C on scripts/demo itself ----------------------------------------------------------------

REGISTER_HOOK = """
from event_hooks.service import registration
from okta.models import OktaOrg
from okta.token_crypto import encrypt_token
from querypie_admin.directory import Caller
org = OktaOrg.load()
org.enabled, org.api_url = True, "{okta_url}"
org.api_token_encrypted, org.api_token_last4 = encrypt_token("demo-token"), "oken"
org.save()
print("registered", registration.register(Caller.command("test")).okta_verification)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"after {seconds} s: {what}"
        time.sleep(0.2)


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def descendants(pid: int) -> set[int]:
    """Every process started from `pid`, whatever session it moved to (scripts/start gives
    each server its own)."""
    table = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True).stdout
    children: dict[int, set[int]] = {}
    for line in table.splitlines():
        child, parent = map(int, line.split())
        children.setdefault(parent, set()).add(child)
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.add(child)
            todo.append(child)
    return found


def running(leader: subprocess.Popen, pids: set[int]) -> set[int]:
    """Which of the demo and `pids` still run (the leader reaped first: no zombie counts)."""
    alive = set()
    for pid in pids | {leader.pid}:
        if pid == leader.pid and leader.poll() is not None:
            continue
        try:
            os.kill(pid, 0)
            alive.add(pid)
        except ProcessLookupError:
            pass
    return alive


def ps(pids: set[int]) -> str:
    """Those processes, for a failure message."""
    listing = subprocess.run(["ps", "-o", "pid,stat,etime,args", "-p", ",".join(map(str, pids))],
                             text=True, capture_output=True)  # fmt: skip
    return listing.stdout


def as_from_a_terminal() -> None:
    """Ctrl-C and Ctrl-\\ as a terminal's shell leaves them. A suite started in the background
    by a non-interactive shell ignores SIGINT and SIGQUIT, every child inherits that, and a
    shell cannot trap a signal ignored on entry: the demo would never see the Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


@pytest.fixture
def demo(tmp_path):
    """scripts/demo as a user starts it, in its own process group (a terminal's foreground
    job), on free ports, with its database, broker and logs under tmp_path. Only
    CONSOLE_BASE_URL names the console's port: the console must listen there."""
    console, okta = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_"))}
    env.pop("BIND", None)
    env |= {"CONSOLE_BASE_URL": f"http://localhost:{console}", "FAKE_OKTA_PORT": str(okta)}
    env |= {"QUERYPIE_VAR_DIR": str(tmp_path / "var"), "QUERYPIE_ADMIN_PASSWORD": "Demo-pass-2026!"}
    env["DJANGO_SETTINGS_MODULE"] = "querypie_admin.settings"
    output = (tmp_path / "demo.out").open("w+")
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "demo")], cwd=ROOT, env=env, stdout=output,
        stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=as_from_a_terminal,
    )  # fmt: skip
    demo = SimpleNamespace(process=process, env=env, output=output, var=tmp_path / "var")
    demo.console_url, demo.okta_url = f"http://localhost:{console}", f"http://127.0.0.1:{okta}"
    try:
        wait_for(lambda: answers(f"{demo.console_url}/healthz"), 180, "the console answers")
        demo.processes = descendants(process.pid)
        yield demo
    finally:
        for pid in running(process, descendants(process.pid) | getattr(demo, "processes", set())):
            os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)
        output.close()


def test_ctrl_c_stops_the_demo_within_10_seconds_with_a_hook_registered_and_delivering(demo):
    demo.output.seek(0)
    banner = demo.output.read()
    assert f"Console:     {demo.console_url}   " in banner
    assert f"Metadata URL: {demo.okta_url}/app/" in banner
    env = demo.env | {"OKTA_API_ALLOW_LOOPBACK": "true"}
    code = REGISTER_HOOK.format(okta_url=demo.okta_url)
    shell = [sys.executable, "manage.py", "shell", "-c", code]
    registered = subprocess.run(shell, cwd=ROOT, env=env, capture_output=True, text=True)
    assert "registered VERIFIED" in registered.stdout, registered.stderr
    log = (demo.var / "log" / "fake-okta.log").read_text()
    user = next(line.split(": ", 1)[1] for line in log.splitlines() if "Example user:" in line)
    okta = [str(ROOT / "scripts" / "demo"), "okta", "deactivate", user]
    deactivated = subprocess.run(okta, cwd=ROOT, env=env, capture_output=True, text=True)
    assert f"Event Hook:  delivered to {demo.console_url}/api/okta/event-hook: HTTP 204" in (
        deactivated.stdout
    ), deactivated.stderr

    started = time.monotonic()
    os.killpg(demo.process.pid, signal.SIGINT)  # Ctrl-C: the terminal's foreground group
    while running(demo.process, demo.processes) and time.monotonic() - started < 10:
        time.sleep(0.1)

    left = running(demo.process, demo.processes)
    assert not left, f"still running after 10 s:\n{ps(left)}"
    demo.output.seek(0)
    printed = demo.output.read() + (demo.var / "log" / "worker.log").read_text()
    assert "SIGKILL" not in printed and "Perhaps out of memory" not in printed
