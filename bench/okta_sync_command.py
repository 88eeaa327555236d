"""The Okta sync as an operator meets it: `manage.py okta_sync run --full` timed as a whole
command, from process start to exit, against a plain sequential fetch of the same pages.

Part of bench/okta_sync.py (`--whole-command`); run alone, `python okta_sync_command.py URL
TOKEN` is the plain fetch: every users page, the DEPROVISIONED search, every OKTA_GROUP groups
page and every group's members pages, following Link headers, one request after the other
with `requests.get` and no session, so one connection per request, JSON-parsed and kept
nowhere. It prints its figures as JSON. The command's start-up, bookkeeping and end count
are what the in-process figures leave out; the stderr progress line the command redraws
gives the moments each phase began, so the bench can say where the extra seconds go.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
USERS_SEARCH = 'status eq "DEPROVISIONED"'  # the sync's DEPROVISIONED_SEARCH, as Okta reads it
GROUPS_FILTER = 'type eq "OKTA_GROUP"'
PAGE = {"limit": "200"}
PLAIN = "plain fetch"
COMMAND_FULL, COMMAND_RESYNC = "command full sync", "command re-sync"


def plain_fetch(okta_url: str, token: str) -> dict:
    """The pages a full directory sync reads, one request at a time, one connection each."""
    import requests

    headers = {"Authorization": f"SSWS {token}", "Accept": "application/json"}
    pages = 0

    def listing(path: str, params: dict[str, str]) -> Iterator[dict]:
        nonlocal pages
        url, query = f"{okta_url}{path}", {**PAGE, **params}
        while url:
            response = requests.get(url, params=query, headers=headers, timeout=60)
            response.raise_for_status()
            yield from response.json()
            pages += 1
            url, query = response.links.get("next", {}).get("url"), None

    users = sum(1 for _ in listing("/api/v1/users", {}))
    users += sum(1 for _ in listing("/api/v1/users", {"search": USERS_SEARCH}))
    groups = [group["id"] for group in listing("/api/v1/groups", {"filter": GROUPS_FILTER})]
    memberships = sum(sum(1 for _ in listing(f"/api/v1/groups/{g}/users", {})) for g in groups)
    return {"users": users, "groups": len(groups), "memberships": memberships, "pages": pages}


class Tree:
    """Peak memory of a command and of the member-reading child it starts: each one's VmHWM,
    read from /proc a few times a second (the child's once it runs member_process, as
    Watcher in okta_sync.py counts it), added up: an upper bound of the two together."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return round(sum(self.peak_kb.values()) / 1024, 1)

    def _watch(self) -> None:
        while not self._stop.wait(0.05):
            self._note(self.pid)
            for task in _listdir(f"/proc/{self.pid}/task"):
                for child in _read(f"/proc/{self.pid}/task/{task}/children").split():
                    if "member_process" in _read(f"/proc/{child}/cmdline"):
                        self._note(int(child))

    def _note(self, pid: int) -> None:
        status = _read(f"/proc/{pid}/status")
        if "VmHWM:" in status:
            kb = int(status.split("VmHWM:")[1].split()[0])
            self.peak_kb[pid] = max(kb, self.peak_kb.get(pid, 0))


def _read(path: str) -> str:
    try:
        with open(path) as file:
            return file.read()
    except OSError:
        return ""


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def timed(label: str, argv: list[str], env: dict[str, str]) -> dict:
    """Run argv from ROOT; wall time from before the fork to its exit, its peak memory, its
    CPU (with its waited children), and when each phase first showed on its stderr."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)  # fmt: skip
    tree = Tree(process.pid)
    phases: dict[str, float] = {}
    stderr: list[str] = []

    def read_phases() -> None:  # the progress line: "\r[####----] Phase (n/m)   pages …"
        for chunk in iter(lambda: os.read(process.stderr.fileno(), 65536), b""):
            at = round(time.perf_counter() - started, 2)
            text = chunk.decode(errors="replace")
            stderr.append(text)
            for line in text.split("\r"):
                if line.startswith("[") and "] " in line:
                    phase = line.split("] ", 1)[1].split(" pages ")[0].split(" (")[0].strip()
                    phases.setdefault(phase, at)
            if "\n" in text:  # written once execute_run returned
                phases.setdefault("(run returned)", at)

    reader = threading.Thread(target=read_phases, daemon=True)
    reader.start()
    lines = []
    for line in process.stdout:
        lines.append(line.decode())
        phases["(last line printed)"] = round(time.perf_counter() - started, 2)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    phases["(exited)"] = round(seconds, 2)
    stdout = "".join(lines)
    process.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    last = stdout.strip().splitlines()[-1] if stdout.strip() else "{}"
    result = json.loads(last) if last.startswith("{") else {}
    return {
        "label": label,
        "status": "succeeded" if process.returncode == 0 else "failed",
        "error": "" if process.returncode == 0 else "".join(stderr)[-500:],
        "seconds": round(seconds, 1),
        "peak_rss_mb": tree.stop(),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "load": round(os.getloadavg()[0], 2),
        "phase_started_at_seconds": phases,
        "result": result,
    }


def command_round(
    db_url: str, okta_url: str, token: str, fresh_database: Callable[[], None]
) -> tuple[dict, dict, dict]:
    """Plain fetch, then `okta_sync configure` (not timed) on a fresh migrated database and
    `okta_sync run --full` twice: the first full sync, then the unchanged re-sync."""
    python = sys.executable
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "querypie_admin.settings",
        "OKTA_API_ALLOW_LOOPBACK": "1",  # the fake Okta listens on 127.0.0.1
    }
    plain = timed(PLAIN, [python, __file__, okta_url, token], env)
    plain.update(plain.pop("result"))
    fresh_database()
    with tempfile.NamedTemporaryFile("w", suffix=".token") as token_file:
        token_file.write(token)
        token_file.flush()
        configure = ["configure", "--api-url", okta_url, "--api-token-file", token_file.name,
                     "--scope", "directory", "--enable"]  # fmt: skip
        subprocess.run([python, "manage.py", "okta_sync", *configure], cwd=ROOT, env=env,
                       check=True, capture_output=True)  # fmt: skip
    run = [python, "manage.py", "okta_sync", "run", "--full"]
    full = timed(COMMAND_FULL, run, env)
    resync = timed(COMMAND_RESYNC, run, env)
    return plain, full, resync


def report_whole(users: int, in_process: tuple[dict, ...], whole: tuple[dict, ...]) -> None:
    """The whole commands' figures as JSON, then both ways of timing side by side."""
    for figures in whole:
        print(json.dumps(figures))
    bare, full, resync = in_process
    plain, command_full, command_resync = whole
    print(f"\n{users} users  | in process: s (x bare fetch) | whole command: s (x plain fetch)"
          " | command peak RSS MB | command CPU s | each round")  # fmt: skip
    rows = (("fetch", bare, plain), ("full sync", full, command_full),
            ("re-sync", resync, command_resync))  # fmt: skip
    for name, inside, command in rows:
        inside_x = inside["seconds"] / max(bare["seconds"], 0.1)
        command_x = command["seconds"] / max(plain["seconds"], 0.1)
        print(f"{name:<11}| {inside['seconds']:>6} ({inside_x:.2f}x){'':<14}| "
              f"{command['seconds']:>6} ({command_x:.2f}x){'':<17}| {command['peak_rss_mb']:>19} "
              f"| {command['cpu_seconds']:>13} | {command['seconds_each_round']}")  # fmt: skip
    for command in whole[1:]:
        print(f"{command['label']} phases began at (s): {command['phase_started_at_seconds']}")


def check_whole(whole: tuple[dict, ...], limits: dict[str, float] | None) -> bool:
    """Print each target of the whole command and whether it held; `limits` None (an org
    smaller than the issue's) checks only that every command succeeded."""
    plain, full, resync = whole
    ok = all(run["status"] == "succeeded" for run in whole)
    if limits is None:
        return ok
    for name, value, limit in [
        ("command full sync / plain fetch", full["seconds"] / plain["seconds"], limits["full"]),
        ("command re-sync / plain fetch", resync["seconds"] / plain["seconds"], limits["resync"]),
        ("command full sync peak RSS MB", full["peak_rss_mb"], limits["rss_mb"]),
        ("command re-sync peak RSS MB", resync["peak_rss_mb"], limits["rss_mb"]),
    ]:
        ok &= value <= limit
        print(f"{'PASS' if value <= limit else 'FAIL'}  {name}: {value:.2f} (limit {limit})")
    return ok


if __name__ == "__main__":
    print(json.dumps(plain_fetch(sys.argv[1], sys.argv[2])))
