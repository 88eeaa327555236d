"""Okta's answers are parsed with orjson, and what orjson refuses but JSON allows still
reads as the standard library reads it (sync/okta_wire.parse_json)."""

from __future__ import annotations

import json

import pytest

from sync.okta_wire import parse_json


@pytest.mark.parametrize(
    "body",
    [
        '[{"id": "00u1", "profile": {"firstName": "Zoë", "login": "z@corp.example"}}]',
        '[{"name": "a lone surrogate \\ud800 in a name"}]',  # orjson refuses it
        "[123456789012345678901234567890, 1e999]",  # past 64 bits; infinity
        '{"errorCode": "E0000011", "errorSummary": "Invalid token provided"}',
    ],
)
def test_every_answer_reads_as_the_standard_library_reads_it(body):
    assert parse_json(body.encode()) == json.loads(body)


@pytest.mark.parametrize("body", [b"<html>502 Bad Gateway</html>", b"", b"[1, 2", b"\xff\xfe"])
def test_what_is_not_json_is_none(body):
    assert parse_json(body) is None
