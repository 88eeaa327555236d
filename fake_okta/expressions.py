"""Okta's ``filter`` / ``search`` expressions: ``attr op "value"`` joined by and/or/parens.

Only the attributes and operators Okta documents for each endpoint are accepted (the caller
passes a resolver); anything else is rejected, as Okta does, with E0000031.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fake_okta.model import iso

Predicate = Callable[[Any], bool]
# getter, allowed operators, whether values are timestamps
Field = tuple[Callable[[Any], Any], frozenset[str], bool]
Resolver = Callable[[str], Field | None]

EQ = frozenset({"eq"})
COMPARE = frozenset({"eq", "gt", "ge", "lt", "le"})
SEARCH_OPS = frozenset({"eq", "ne", "gt", "ge", "lt", "le", "sw", "co", "pr"})
_TOKEN_RE = re.compile(r'\s*(?:(\()|(\))|"((?:[^"\\]|\\.)*)"|([A-Za-z_][\w.]*))')
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
    "sw": lambda actual, wanted: str(actual).lower().startswith(wanted.lower()),
    "co": lambda actual, wanted: wanted.lower() in str(actual).lower(),
}


class InvalidExpression(ValueError):
    """Maps to Okta's 400 E0000031 "Invalid search criteria"."""


def compile_expression(text: str, resolve: Resolver) -> tuple[Predicate, set[str]]:
    """A predicate for ``text`` and the set of attributes it mentions."""
    tokens = _tokenize(text)
    parser = _Parser(tokens, resolve)
    predicate = parser.expression()
    if parser.position != len(tokens):
        raise InvalidExpression(text)
    return predicate, parser.attributes


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if not match:
            raise InvalidExpression(text)
        kind = ("(", ")", "string", "word")[(match.lastindex or 1) - 1]
        value = match.group(match.lastindex or 0)
        tokens.append((kind, re.sub(r"\\(.)", r"\1", value) if kind == "string" else value))
        position = match.end()
    if not tokens:
        raise InvalidExpression(text)
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], resolve: Resolver) -> None:
        self.tokens = tokens
        self.resolve = resolve
        self.position = 0
        self.attributes: set[str] = set()

    def _next(self, kind: str) -> str:
        if self.position >= len(self.tokens) or self.tokens[self.position][0] != kind:
            raise InvalidExpression(kind)
        self.position += 1
        return self.tokens[self.position - 1][1]

    def _at_word(self, word: str) -> bool:
        if self.position < len(self.tokens) and self.tokens[self.position] == ("word", word):
            self.position += 1
            return True
        return False

    def expression(self) -> Predicate:
        terms = [self._conjunction()]
        while self._at_word("or"):
            terms.append(self._conjunction())
        return terms[0] if len(terms) == 1 else lambda item: any(t(item) for t in terms)

    def _conjunction(self) -> Predicate:
        terms = [self._term()]
        while self._at_word("and"):
            terms.append(self._term())
        return terms[0] if len(terms) == 1 else lambda item: all(t(item) for t in terms)

    def _term(self) -> Predicate:
        if self.position < len(self.tokens) and self.tokens[self.position][0] == "(":
            self.position += 1
            inner = self.expression()
            self._next(")")
            return inner
        attribute = self._next("word")
        op = self._next("word").lower()
        field = self.resolve(attribute)
        if field is None or op not in field[1]:
            raise InvalidExpression(attribute)
        self.attributes.add(attribute)
        getter, _, is_date = field
        if op == "pr":
            return lambda item: getter(item) is not None
        wanted = self._next("string")
        return _comparison(getter, _OPS[op], _timestamp(wanted) if is_date else wanted, op)


def _comparison(
    getter: Callable[[Any], Any], compare: Callable[[Any, Any], bool], wanted: str, op: str
) -> Predicate:
    def predicate(item: Any) -> bool:
        actual = getter(item)
        return op == "ne" if actual is None else compare(actual, wanted)

    return predicate


def _timestamp(value: str) -> str:
    """Okta's canonical form, so stored timestamps compare correctly as strings."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidExpression(value) from None
    if moment.tzinfo is None:
        raise InvalidExpression(value)
    return iso(moment)
