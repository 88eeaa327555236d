"""SCIM filters → Django querysets, in their own module (django-scim2 imports it early).

django-scim2's FilterQuery turns a filter into raw SQL and silently drops attributes it
cannot map. These classes keep its parser (scim2-filter-parser) but build ORM queries,
so the same code runs on PostgreSQL and SQLite, unmapped attributes give 400
invalidFilter, `userName eq` and `displayName eq` compare Unicode comparison keys on their
unique index (one account per name in every alphabet), and every result has a stable
ORDER BY. `externalId` lives on the row's SCIM link (a semi-join on the
links' (source, external_id) index). Scoping to the rows Okta owns is the views' job.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Expression, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IContains,
    IEndsWith,
    IStartsWith,
    LessThan,
    LessThanOrEqual,
)
from django.utils.dateparse import parse_datetime
from django_scim.filters import FilterQuery
from scim2_filter_parser import ast
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser

from querypie_admin.lookups import comparison_key
from querypie_admin.models import DirectoryLink, Group, LinkSource, User

from .errors import invalid_filter
from .ids import parse_id
from .schemas import QUERYPIE_USER

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:user"
CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:group"
ORDERING = {"lt": LessThan, "le": LessThanOrEqual, "gt": GreaterThan, "ge": GreaterThanOrEqual}
TEXT_MATCH = {"co": IContains, "sw": IStartsWith, "ew": IEndsWith}


@dataclass(frozen=True)
class Column:
    """Where a SCIM attribute lives: one or more columns (any may match) and its kind."""

    sources: tuple[Any, ...]
    kind: str = "text"  # text (case-insensitive) | exact | bool | datetime | id
    on_scim_link: str = ""  # "user" | "group": the columns are the row's SCIM link's
    key: str = ""  # the comparison-key column that eq / ne use (querypie_admin.lookups)


def _display_name() -> Expression:
    full = Trim(Concat(F("first_name"), Value(" "), F("last_name")))
    return Coalesce(NullIf(full, Value("")), F("login_id"))


def _parse(filter_query: Any) -> ast.AST:
    if not isinstance(filter_query, str):
        raise invalid_filter("The filter must be a string")
    if "\x00" in filter_query:
        raise invalid_filter("The filter contains a NUL character")
    try:
        return SCIMParser().parse(SCIMLexer().tokenize(filter_query))
    except Exception as exc:  # the parser raises several kinds on bad input
        raise invalid_filter(f"The filter cannot be parsed: {filter_query!r}") from exc


class QueryBuilder:
    """Walk a parsed filter and build a Q object from a (attr, sub, uri) → Column map."""

    def __init__(self, columns: dict[tuple, Column], core_uri: str) -> None:
        self.columns = columns
        self.core_uri = core_uri

    def query(self, node: ast.AST) -> Q:
        """The Q object for a whole filter; absurdly deep nesting is a bad filter, not a crash."""
        try:
            return self.build(node)
        except RecursionError as exc:
            raise invalid_filter("The filter is nested too deeply") from exc

    def build(self, node: ast.AST, namespace: str | None = None) -> Q:
        if isinstance(node, ast.Filter):
            inner = node.namespace.attr_name if node.namespace is not None else namespace
            q = self.build(node.expr, inner)
            return ~q if node.negated else q
        if isinstance(node, ast.LogExpr):
            left, right = self.build(node.expr1, namespace), self.build(node.expr2, namespace)
            return left & right if node.op.lower() == "and" else left | right
        if isinstance(node, ast.AttrExpr):
            return self._comparison(node, namespace)
        raise invalid_filter("Unsupported filter expression")

    def _column(self, path: ast.AttrPath, namespace: str | None) -> Column:
        if not isinstance(path.attr_name, str):
            raise invalid_filter("Filters inside attribute paths are not supported")
        uri = (path.uri or "").lower() or None
        uri = None if uri == self.core_uri else uri
        sub = path.sub_attr.value if path.sub_attr is not None else None
        names = (namespace, path.attr_name) if namespace else (path.attr_name, sub)
        key = (names[0].lower(), names[1].lower() if names[1] else None, uri)
        column = self.columns.get(key) or self.columns.get((key[0], "value", uri))
        if column is None:
            label = ".".join(n for n in names if n)
            raise invalid_filter(f"Filtering on {label!r} is not supported")
        return column

    def _comparison(self, node: ast.AttrExpr, namespace: str | None) -> Q:
        column = self._column(node.attr_path, namespace)
        op = node.value.lower()
        if op == "pr":
            return self._present(column)
        raw = node.comp_value.value if node.comp_value is not None else None
        value = self._value(column, op, raw)
        any_match = Q()
        for source in column.sources:
            any_match |= Q(self._lookup(column, op, source, value))
        any_match = _through_link(column, any_match)
        return ~any_match if op == "ne" else any_match

    def _present(self, column: Column) -> Q:
        if column.kind != "text" and column.kind != "exact":
            return Q(pk__isnull=False)
        present = Q()
        for source in column.sources:
            present |= ~Q(Exact(_expr(source), Value("")))
        return _through_link(column, present)

    @staticmethod
    def _value(column: Column, op: str, raw: str | None) -> Any:
        if raw is None:
            raise invalid_filter("A comparison needs a value")
        if column.kind == "bool":
            if op not in ("eq", "ne") or raw.lower() not in ("true", "false"):
                raise invalid_filter("A boolean compares with eq or ne to true or false")
            return raw.lower() == "true"
        if column.kind == "datetime":
            try:
                parsed = parse_datetime(raw)
            except ValueError:  # well-formed but impossible, e.g. month 13
                parsed = None
            if parsed is None or op in TEXT_MATCH:
                raise invalid_filter(f"{raw!r} is not a dateTime this filter can compare")
            return parsed
        if column.kind == "id":
            return parse_id(raw)
        return raw

    @staticmethod
    def _lookup(column: Column, op: str, source: Any, value: Any) -> Expression:
        expr = _expr(source)
        if column.kind == "id" and value is None:
            return Exact(Value(1), Value(0))  # a non-numeric id matches nothing
        if op in TEXT_MATCH:
            return TEXT_MATCH[op](expr, value)
        if column.key and op in ("eq", "ne"):
            return Exact(F(column.key), Value(comparison_key(value)))
        if column.kind == "text":
            expr, value = Lower(expr), Value(value.lower())
        if op in ("eq", "ne"):
            return Exact(expr, value)
        if op in ORDERING:
            return ORDERING[op](expr, value)
        raise invalid_filter(f"Unknown filter operator {op!r}")


def _expr(source: Any) -> Expression:
    return F(source) if isinstance(source, str) else source


def _through_link(column: Column, match: Q) -> Q:
    """Rows whose SCIM link matches; a row without one has no externalId (like "")."""
    if not column.on_scim_link:
        return match
    target = column.on_scim_link
    links = DirectoryLink.objects.filter(
        match, source=LinkSource.SCIM, **{f"{target}__isnull": False}
    )
    return Q(pk__in=links.values(f"{target}_id"))


class ScimFilterQuery(FilterQuery):
    """django-scim2's filter parser hook, answering a queryset instead of raw SQL."""

    columns: dict[tuple, Column] = {}
    core_uri = ""

    @classmethod
    def search(cls, filter_query: str, request: Any = None) -> QuerySet:
        tree = _parse(filter_query)
        q = QueryBuilder(cls.columns, cls.core_uri).query(tree)
        return cls.model_getter().objects.filter(q).order_by("pk")


def _attr_map(columns: dict[tuple, Column]) -> dict[tuple, str]:
    """django-scim2's attr_map shape, for code that reads it; names of the first column."""
    return {k: c.sources[0] if isinstance(c.sources[0], str) else k[0] for k, c in columns.items()}


USER_COLUMNS = {
    ("username", None, None): Column(("login_id",), key="login_key"),
    ("externalid", None, None): Column(("external_id",), "exact", on_scim_link="user"),
    ("emails", "value", None): Column(("email", "second_email")),
    ("displayname", None, None): Column((_display_name(),)),
    ("name", "givenname", None): Column(("first_name",)),
    ("name", "familyname", None): Column(("last_name",)),
    ("active", None, None): Column(("is_active",), "bool"),
    ("meta", "lastmodified", None): Column(("updated_at",), "datetime"),
    ("meta", "created", None): Column(("created_at",), "datetime"),
    ("id", None, None): Column(("pk",), "id"),
    ("staticip", None, QUERYPIE_USER.lower()): Column(("static_ip",)),
    ("macaddress", None, QUERYPIE_USER.lower()): Column(("mac_address",)),
}

GROUP_COLUMNS = {
    ("displayname", None, None): Column(("name",), key="name_key"),
    ("externalid", None, None): Column(("external_id",), "exact", on_scim_link="group"),
    ("meta", "lastmodified", None): Column(("updated_at",), "datetime"),
    ("meta", "created", None): Column(("created_at",), "datetime"),
    ("id", None, None): Column(("pk",), "id"),
}


class UserFilterQuery(ScimFilterQuery):
    model_getter = staticmethod(lambda: User)
    columns = USER_COLUMNS
    core_uri = CORE_USER
    attr_map = _attr_map(USER_COLUMNS)


class GroupFilterQuery(ScimFilterQuery):
    model_getter = staticmethod(lambda: Group)
    columns = GROUP_COLUMNS
    core_uri = CORE_GROUP
    attr_map = _attr_map(GROUP_COLUMNS)
