"""The embedded default (SQLite under var/, as scripts/start runs it) holds real traffic:
Okta's parallel pushes queue instead of failing, and var/ is private to the account."""

import os
import stat
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.workers import ROOT

from .test_runtime import _get_when_up, free_port

SCIM = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
THREADS = 8
PER_THREAD = 25  # 200 member adds, as in the issue (103 of them answered 500 before)


def embedded_env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    return env | {"QUERYPIE_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "querypie_admin.settings"}


def manage(env: dict[str, str], *args: str, umask: int | None = None) -> str:
    def preexec() -> None:
        if umask is not None:
            os.umask(umask)

    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True,
        text=True, preexec_fn=preexec,
    ).stdout  # fmt: skip


class Console:
    """gunicorn on the SQLite default with scripts/start's workers and threads."""

    def __init__(self, url: str, env: dict[str, str], token: str, password: str) -> None:
        self.url, self.env, self.token, self.password = url, env, token, password

    def signed_in(self) -> requests.Session:
        """The first Owner's browser: signed in, with the CSRF cookie its pages set."""
        browser = requests.Session()
        browser.get(f"{self.url}/login/", timeout=30)
        form = {"login_id": "admin", "password": self.password}
        form["csrfmiddlewaretoken"] = browser.cookies["csrftoken"]
        assert browser.post(f"{self.url}/login/", form, timeout=30).url.endswith("/")
        return browser

    def scim(self, method: str, path: str, body: dict) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": SCIM}
        return requests.request(
            method, f"{self.url}/api/scim/v2{path}", json=body, headers=headers, timeout=60
        )


@pytest.fixture(scope="module")
def sqlite_console(tmp_path_factory) -> Iterator[Console]:
    env = embedded_env(tmp_path_factory.mktemp("embedded") / "var")
    manage(env, "migrate", "--noinput")
    manage(env, "provisioning", "enable")
    token = manage(env, "provisioning", "token", "create").strip().splitlines()[-1]
    password = manage(env, "ensure_owner").split("Password: ", 1)[1].split()[0]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "querypie_admin.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "gthread", "--threads", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _get_when_up(f"http://127.0.0.1:{port}/healthz")
        yield Console(f"http://127.0.0.1:{port}", env, token, password)
    finally:
        server.terminate()
        server.wait(timeout=30)


def in_parallel(work: list[list], send) -> Counter:
    """Run each list of items in its own thread, all starting together; count the statuses."""
    barrier = threading.Barrier(len(work))
    statuses: Counter = Counter()

    def run(items: list) -> None:
        barrier.wait()
        for item in items:
            statuses[send(item)] += 1

    threads = [threading.Thread(target=run, args=(items,)) for items in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_parallel_scim_member_adds_on_sqlite_all_succeed_and_lose_nobody(sqlite_console):
    console = sqlite_console
    logins = [[f"p{t}-{i}@corp.example" for i in range(PER_THREAD)] for t in range(THREADS)]
    ids: list[str] = []

    def create(login: str) -> int:
        body = {"schemas": [USER], "userName": login, "active": True}
        response = console.scim("post", "/Users", body)
        if response.status_code == 201:
            ids.append(response.json()["id"])
        return response.status_code

    assert in_parallel(logins, create) == Counter({201: THREADS * PER_THREAD})
    group = console.scim("post", "/Groups", {"schemas": [GROUP], "displayName": "parallel"})
    assert group.status_code == 201
    group_id = group.json()["id"]

    def add(user_id: str) -> int:
        operation = {"op": "add", "path": "members", "value": [{"value": user_id}]}
        body = {"schemas": [PATCH], "Operations": [operation]}
        return console.scim("patch", f"/Groups/{group_id}", body).status_code

    batches = [ids[t::THREADS] for t in range(THREADS)]
    assert in_parallel(batches, add) == Counter({204: len(ids)})
    members = console.scim("get", f"/Groups/{group_id}", None).json()["members"]
    assert sorted(m["value"] for m in members) == sorted(ids)


def test_parallel_generate_token_clicks_on_sqlite_never_fail(sqlite_console):
    """8 parallel "Generate Token" clicks gave two 500s; now each is answered (one more token
    fits beside the fixture's, the others are refused with the reason)."""
    console = sqlite_console
    browsers = [[console.signed_in()] for _ in range(THREADS)]

    def click(browser: requests.Session) -> int:
        # A new connection: gunicorn closes idle keep-alive ones after 2 s, and a POST sent on
        # one it just closed fails in the client (RemoteDisconnected), not in the console.
        browser.close()
        form = {"csrfmiddlewaretoken": browser.cookies["csrftoken"]}
        url = f"{console.url}/administrator/provisioning/tokens/"
        return browser.post(url, form, allow_redirects=False, timeout=60).status_code

    assert in_parallel(browsers, click) == Counter({302: THREADS})
    assert len(manage(console.env, "provisioning", "token", "list").splitlines()) == 2


def test_sqlite_agrees_on_one_account_per_unicode_name(sqlite_console):
    """SQLite's LOWER() folds ASCII only: `ÖZIL` and `özil` were two accounts."""
    console = sqlite_console
    body = {"schemas": [USER], "userName": "özil@corp.example", "active": True}
    created = console.scim("post", "/Users", body)
    assert created.status_code == 201
    again = console.scim("post", "/Users", {**body, "userName": "ÖZIL@corp.example"})
    assert again.status_code == 409 and again.json()["scimType"] == "uniqueness"
    found = console.scim("get", '/Users?filter=userName eq "ÖZIL@corp.example"', None).json()
    assert [r["id"] for r in found["Resources"]] == [created.json()["id"]]


def test_everything_under_var_is_private_whatever_the_umask(tmp_path):
    var = tmp_path / "var"
    env = embedded_env(var)
    manage(env, "migrate", "--noinput", umask=0o022)
    manage(env, "ensure_owner", umask=0o022)
    manage(env, "shell", "-c", "from django.core.cache import cache; cache.set('k', 1)", umask=0)
    found = {p.relative_to(var).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in var.rglob("*")}
    assert {"db.sqlite3", "secret_key", "cache"} <= set(found)
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    exposed = {name: oct(mode) for name, mode in found.items() if mode & 0o077}
    assert exposed == {}
