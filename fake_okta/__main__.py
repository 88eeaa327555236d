"""``python -m fake_okta``: serve a generated org until Ctrl-C, for demos and benches."""

from __future__ import annotations

import argparse
import time

import requests

from fake_okta.demo_org import demo_examples, demo_org
from fake_okta.directory import FakeOktaDirectory
from fake_okta.scim_push import PushError, ScimPusher
from fake_okta.server import FakeOkta


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m fake_okta", description=__doc__)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--memberships", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="furnish the org for the demo: other apps, admins, MFA factors, sign-ins",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("--token", default="demo-token")
    parser.add_argument("--rate-limit", type=int, default=600, help="requests per bucket")
    parser.add_argument("--rate-window", type=float, default=60.0, help="seconds")
    parser.add_argument(
        "--console-url", default="http://127.0.0.1:8000", help="where SAML sign-in lands"
    )
    parser.add_argument(
        "--push-scim",
        nargs=2,
        metavar=("URL", "TOKEN"),
        help="push the app's users and groups to this SCIM endpoint like Okta, then exit",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    make = demo_org if args.demo else FakeOktaDirectory.generate
    directory = make(
        users=args.users, groups=args.groups, memberships=args.memberships, seed=args.seed
    )
    generated = time.perf_counter() - started
    if args.push_scim:
        push_and_exit(directory, *args.push_scim)
    fake = FakeOkta(
        directory,
        token=args.token,
        host=args.host,
        port=args.port,
        rate_limit=args.rate_limit,
        rate_window=args.rate_window,
        console_url=args.console_url,
    )
    print(f"Generated {args.users} users, {args.groups} groups in {generated:.1f}s")
    print(f"Okta URL:        {fake.base_url}")
    print(f"API token:       {fake.token}")
    print(f"Application ID:  {fake.app_id}")
    print(f"Metadata URL:    {fake.saml.metadata_url}")
    print(f"Okta sign-in:    {fake.base_url}/")
    if args.demo:
        for label, value in demo_examples(directory).items():
            print(f"{label}: {value}")
    print("Serving until Ctrl-C", flush=True)
    try:
        fake.serve_forever()
    except KeyboardInterrupt:
        print("Stopped.")


def push_and_exit(directory: FakeOktaDirectory, url: str, token: str) -> None:
    """The ``--push-scim`` mode: one push, like Okta's, then exit (non-zero on a refusal)."""
    try:
        result = ScimPusher(url, token).push(directory)
    except (PushError, requests.RequestException) as exc:
        raise SystemExit(f"SCIM push failed: {exc}") from exc
    print(f"Pushed to {url}: {result.summary()}")
    raise SystemExit(0)


if __name__ == "__main__":
    main()
