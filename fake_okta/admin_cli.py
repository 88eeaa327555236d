"""``scripts/demo okta …``: change the running fake Okta org as an Okta admin, over HTTP.

    python -m fake_okta.admin_cli --url http://127.0.0.1:8900 --token demo-token deactivate LOGIN

User actions post to the fake's Admin Console endpoint (admin_pages.py) and print what
changed, the System Log event written and the event hook deliveries it caused. The signing
key commands call the app's key credentials API, as an Okta admin's curl would, and print the
key's id, subject and dates with the next command to run, instead of the JWK's JSON.
"""

from __future__ import annotations

import argparse
import base64
import sys
from typing import Any

import requests
from cryptography import x509

from fake_okta.admin_actions import ACTIONS

TIMEOUT = 20.0  # an action waits for its event hook deliveries (3 s each, one retry)


class Failed(Exception):
    """The fake refused or could not be reached; the message says why."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    cli = Cli(args.url.rstrip("/"), args.token, args.app_id)
    try:
        if args.command in ACTIONS:
            cli.act(
                args.command, {need: getattr(args, need) for need in ACTIONS[args.command].needs}
            )
        elif args.command == "generate-key":
            cli.generate_key()
        elif args.command == "activate-key":
            cli.activate_key(args.kid)
        else:
            cli.list_keys()
    except Failed as failed:
        print(f"scripts/demo okta {args.command}: {failed}", file=sys.stderr)
        return 1
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scripts/demo okta", description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8900", help="the fake Okta")
    parser.add_argument("--token", default="demo-token", help="its API token")
    parser.add_argument("--app-id", default="", help="the QueryPie app's Application ID")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, action in ACTIONS.items():
        sub = commands.add_parser(name, help=action.help)
        sub.add_argument("user", help="login or Okta user id")
        if "group" in action.needs:
            sub.add_argument("group", help="group name or Okta group id")
        if "first_name" in action.needs:
            sub.add_argument("first_name")
            sub.add_argument("last_name")
    commands.add_parser("keys", help="the app's signing keys: id, subject, dates, active")
    commands.add_parser("generate-key", help="Okta's 'Generate new certificate'")
    commands.add_parser("activate-key", help="sign with this key from now on").add_argument("kid")
    return parser


class Cli:
    def __init__(self, url: str, token: str, app_id: str) -> None:
        self.url, self.token, self.app_id = url, token, app_id

    def _call(self, method: str, path: str, body: dict | None = None) -> Any:
        headers = {"Authorization": f"SSWS {self.token}", "Accept": "application/json"}
        try:
            response = requests.request(
                method, self.url + path, json=body, headers=headers, timeout=TIMEOUT
            )
        except requests.ConnectionError:
            raise Failed(f"no fake Okta answers at {self.url}: is scripts/demo running?") from None
        try:
            answer = response.json()
        except ValueError:
            raise Failed(f"HTTP {response.status_code} from {self.url}{path}") from None
        if response.status_code >= 400:
            raise Failed(answer.get("errorSummary") or f"HTTP {response.status_code}")
        return answer

    # Admin actions -------------------------------------------------------------------------

    def act(self, name: str, fields: dict[str, str]) -> None:
        done = self._call("POST", f"/admin/actions/{name}", fields)
        print(done["summary"])
        for event in done["events"]:
            print(
                f"  System Log:  {event['eventType']}  uuid {event['uuid']}  {event['published']}"
            )
        for line in _delivery_lines(done):
            print(f"  Event Hook:  {line}")

    # Signing keys --------------------------------------------------------------------------

    def _keys_path(self) -> str:
        if not self.app_id:
            raise Failed("--app-id is required (the Application ID scripts/demo printed)")
        return f"/api/v1/apps/{self.app_id}/credentials/keys"

    def curl(self, path: str) -> str:
        auth = f'-H "Authorization: SSWS {self.token}"'
        return f"curl -X POST {auth} {self.url}{self._keys_path()}{path}"

    def generate_key(self) -> None:
        key = self._call("POST", f"{self._keys_path()}/generate")
        print(f"Generated signing key {key['kid']}: {describe(key)}")
        print("  Listed by the key credentials API (the console trusts it after Refresh now),")
        print("  not in the metadata and not signing until activated. To activate it:")
        activate = self.curl("/" + key["kid"] + "/activate")
        print(f"    scripts/demo okta activate-key {key['kid']}")
        print(f"    (or: {activate})")

    def activate_key(self, kid: str) -> None:
        key = self._call("POST", f"{self._keys_path()}/{kid}/activate")
        print(f"Activated signing key {key['kid']}: {describe(key)}")
        print("  The fake Okta signs with it from now on; its metadata lists only it.")

    def list_keys(self) -> None:
        for key in self._call("GET", self._keys_path()):
            print(f"{key['kid']}  {describe(key)}")


def describe(jwk: dict[str, Any]) -> str:
    """A key as a person reads it: its certificate's subject, serial and validity."""
    cert = x509.load_der_x509_certificate(base64.b64decode(jwk["x5c"][0]))
    return (
        f"{cert.subject.rfc4514_string()}, serial {cert.serial_number:x}, valid "
        f"{cert.not_valid_before_utc:%Y-%m-%d} to {cert.not_valid_after_utc:%Y-%m-%d}"
    )


def _delivery_lines(done: dict[str, Any]) -> list[str]:
    if not done["hooks"]:
        return ["none registered in the fake Okta (Register with Okta on the console)"]
    lines = []
    for hook in done["hooks"]:
        sent = [d for d in done["deliveries"] if d["hook"] == hook["id"]]
        if sent:
            lines += [f"delivered to {d['uri']}: HTTP {d['status'] or 'no answer'}" for d in sent]
        elif hook["status"] != "ACTIVE" or hook["verificationStatus"] != "VERIFIED":
            lines.append(
                f"{hook['uri']} is {hook['status']}/{hook['verificationStatus']}: not sent"
            )
        elif not hook["subscribed"]:
            lines.append(f"{hook['uri']} does not subscribe to this event type: not sent")
        else:
            lines.append(f"{hook['uri']}: not delivered yet")
    return lines


if __name__ == "__main__":
    sys.exit(main())
