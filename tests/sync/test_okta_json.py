"""Okta's answers are parsed with orjson, and what orjson refuses still reads as the parser
used before it (requests' Response.json) reads it (okta/wire.parse_json)."""

from __future__ import annotations

import pytest
import requests

from okta.wire import parse_json


def answer(body: bytes, content_type: str = "application/json") -> requests.Response:
    response = requests.Response()
    response._content = body
    response.headers["Content-Type"] = content_type
    response.encoding = requests.utils.get_encoding_from_headers(response.headers)
    return response


@pytest.mark.parametrize(
    "body",
    [
        '[{"id": "00u1", "profile": {"firstName": "Zoë", "login": "z@corp.example"}}]'.encode(),
        b'[{"name": "a lone surrogate \\ud800 in a name"}]',  # orjson refuses it
        b"[123456789012345678901234567890, 1e999]",  # past 64 bits; infinity
        b'[{"name": "not UTF-8: \xff"}]',  # requests reads it as U+FFFD
        b'{"errorCode": "E0000011", "errorSummary": "Invalid token provided"}',
    ],
)
def test_every_answer_reads_as_the_parser_before_it_read_it(body):
    response = answer(body)

    assert parse_json(body, response.json) == response.json()


@pytest.mark.parametrize("body", [b"<html>502 Bad Gateway</html>", b"", b"[1, 2"])
def test_what_is_not_json_is_none(body):
    assert parse_json(body, answer(body, "text/html").json) is None
