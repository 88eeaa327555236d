"""The member readers run in a child process of the run (sync/engine/members.py): the run
gets each group's members from it, its failures with the path and page, and the token
reaches it only through its pipe."""

from __future__ import annotations

import pickle
import subprocess
import sys
import time

import pytest

from okta.client import OktaClientStats
from okta.errors import OktaError
from okta.models import OktaOrg
from querypie_admin.models import AuthProvider, DirectoryLink, GroupMembership, User
from sync.engine import members
from sync.engine.config import RunConfig, member_reader
from sync.engine.members import kept_id
from sync.engine.runs import execute_run, start_saved_run
from sync.models import RunKind, RunStatus
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def members_in_child(settings, fake_org):
    """As in production: a real clock, which the child process can have."""
    settings.OKTA_SYNC_CLIENT = {"jitter_seconds": 0.0, "backoff_seconds": 0.01}
    settings.OKTA_SYNC_MEMBERS_IN_CHILD = True


@pytest.fixture
def children(monkeypatch) -> list[tuple[subprocess.Popen, list, dict]]:
    """Every process the run starts: the process, its command line and its keyword args."""
    started = []
    popen = subprocess.Popen

    def spawn(args, **kwargs):
        process = popen(args, **kwargs)
        started.append((process, args, kwargs))
        return process

    monkeypatch.setattr(members.subprocess, "Popen", spawn)
    return started


def member_logins() -> set[tuple[str, str]]:
    pairs = GroupMembership.objects.values_list("group__name", "user__login_id")
    return set(pairs)


def test_a_sync_reads_the_members_in_a_child_process(run_sync, children):
    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.error
    [(process, args, _)] = children
    assert args[-1] == "sync.engine.member_process" and process.returncode is not None
    assert member_logins() == {
        ("Engineers", "ada@corp.example"), ("Engineers", "alan@corp.example"),
        ("Engineers", "grace@corp.example"), ("Finance", "linus@corp.example"),
        ("Finance", "ada@corp.example"),
    }  # fmt: skip
    # users, the DEPROVISIONED search, groups, and the child's two member pages
    assert run.progress["pages"] == 5


def test_the_token_reaches_the_child_only_through_its_pipe(run_sync, children, fake_org):
    run_sync()

    [(_, args, kwargs)] = children
    assert fake_org.token not in " ".join(args)
    assert kwargs.get("env") is None or fake_org.token not in str(kwargs["env"])
    assert kwargs["stdin"] == subprocess.PIPE


def test_a_member_read_failing_in_the_child_stops_the_run_with_its_page_and_writes_nothing(
    run_sync, fake_org, children
):
    fake_org.faults.fail_page("group_users", 1, status=503, times=100)

    run = run_sync()

    assert run.status == RunStatus.FAILED
    assert "/users, page 1" in run.stopped_at and "Nothing was changed" in run.error
    assert run.error_kind == "server_error"
    assert not User.objects.filter(auth_provider=AuthProvider.OKTA).exists()
    assert not DirectoryLink.objects.exists()
    [(process, _, _)] = children
    assert process.returncode is not None


def test_a_child_that_dies_stops_the_run_and_writes_nothing(run_sync, monkeypatch):
    monkeypatch.setattr(members, "CHILD_COMMAND", ["-c", "import sys; sys.exit(3)"])

    run = run_sync()

    assert run.status == RunStatus.FAILED
    assert "unexpected error" in run.error
    assert not User.objects.filter(auth_provider=AuthProvider.OKTA).exists()


def test_leaving_the_stream_early_ends_the_child(sync_settings, fake_org, org, children):
    for number in range(30):
        group = org.directory.add_group(f"Team {number:02d}")
        org.directory.add_member(group.id, org.ada.id)
    fake_org.faults.delay(0.2, endpoint="group_users", times=None)  # 2 s to read them all
    s = OktaOrg.load()
    readers = member_reader(RunConfig(api_url=fake_org.base_url), s.api_token_encrypted,
                            OktaClientStats())  # fmt: skip
    group_ids = [group.id for group in org.directory.groups.values()]

    started = time.monotonic()
    with readers.stream(group_ids) as stream:
        first_id, _ = next(stream)

    assert first_id == group_ids[0]
    [(process, _, _)] = children
    assert process.returncode is not None  # ended, not left reading
    assert time.monotonic() - started < 1.5


def test_deprovisioned_members_are_not_sent_to_the_run():
    assert kept_id({"id": "00u1", "status": "ACTIVE"}) == "00u1"
    assert kept_id({"id": "00u2", "status": "DEPROVISIONED"}) is None


def test_a_member_the_users_listing_did_not_return_is_left_for_the_next_run(
    sync_settings, org, fake_org
):
    fake_org.faults.delay(0.3, endpoint="group_users", times=None)  # members read after…
    added: list[str] = []

    def watch(phase: str, _values: dict) -> None:
        if phase == "Planning users" and not added:  # …Okta gains a user in Engineers
            newcomer = org.directory.add_user("newcomer@corp.example")
            org.directory.add_member(org.engineers.id, newcomer.id)
            added.append(newcomer.id)

    run = execute_run(start_saved_run(RunKind.MANUAL, label="test").pk, listener=watch)

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert added and ("Engineers", "ada@corp.example") in member_logins()
    assert not User.objects.filter(login_id="newcomer@corp.example").exists()
    assert ("Engineers", "newcomer@corp.example") not in member_logins()


def test_a_failure_sent_by_the_child_keeps_its_kind_path_and_page():
    path = "/api/v1/groups/00g1/users"
    error = OktaError("Okta is down.", path=path, page=2, kind="server_error")

    copy = pickle.loads(pickle.dumps(error))

    assert (copy.kind, copy.path, copy.page, str(copy)) == ("server_error", path, 2, str(error))


def test_the_run_reads_back_no_class_but_okta_errors_from_the_child(
    run_sync, monkeypatch, tmp_path
):
    marker = tmp_path / "ran"
    # A child gone wrong sends a pickle that would call open() on reading it.
    script = (
        "import pickle, sys\n"
        "class Call:\n"
        f"    def __reduce__(self): return (open, ({str(marker)!r}, 'w'))\n"
        "sys.stdin.buffer.read()\n"
        "sys.stdout.buffer.write(pickle.dumps(('00g', Call(), {})))\n"
    )
    monkeypatch.setattr(members, "CHILD_COMMAND", ["-c", script])

    run = run_sync()

    assert run.status == RunStatus.FAILED
    assert not marker.exists()
    assert not User.objects.filter(auth_provider=AuthProvider.OKTA).exists()


def test_the_child_ends_when_the_run_process_dies():
    child_code = (
        "import os, time; from sync.engine.member_process import _end_with; "
        "_end_with(os.getppid()); print(os.getpid(), flush=True); time.sleep(60)"
    )
    run_code = (
        "import subprocess, sys, time\n"
        f"child = subprocess.Popen([sys.executable, '-c', {child_code!r}],\n"
        "                         stdout=subprocess.PIPE)\n"
        "print(child.stdout.readline().decode().strip(), flush=True)\n"
        "time.sleep(60)\n"
    )
    run_process = subprocess.Popen(
        [sys.executable, "-c", run_code], cwd=members.PROJECT_ROOT, stdout=subprocess.PIPE
    )
    child_pid = int(run_process.stdout.readline())

    run_process.kill()  # as a worker's hard time limit or the OOM killer would
    run_process.wait()

    assert wait_until(lambda: not alive(child_pid), seconds=5, every=0.05)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended
    except OSError:
        return False
