"""PATCH (RFC 7644 §3.5.2) applied to a resource's SCIM representation.

Okta and other IdPs send many shapes: path-less `{"active": false}`, op names in any
case, `members[value eq "…"]` value filters, URN-prefixed extension paths. Paths are
parsed here once (no regex hacks on whole requests), and the adapters decide what the
patched document means for the directory.
"""

import re
from dataclasses import dataclass
from typing import Any

from scim2_filter_parser import ast
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser

from ..errors import bad_request

OPS = ("add", "remove", "replace")
MAX_OPERATIONS = 100  # as Sentry caps them; Okta sends one to a few per request
_PATH = re.compile(
    r"^(?:(?P<uri>urn:[^\[\]]+):)?(?P<attr>[A-Za-z$][\w$-]*)"
    r"(?:\[(?P<filter>.+)\])?(?:\.(?P<sub>[A-Za-z$][\w$-]*))?$"
)


@dataclass(frozen=True)
class Path:
    """A parsed PATCH path: `uri:attr[filter].sub`; uri is None for core attributes."""

    attr: str
    uri: str | None = None
    filter: ast.AST | None = None
    filter_text: str = ""
    sub: str | None = None


def operations(body: dict) -> list[tuple[str, str | None, Any]]:
    """Validate the PatchOp body; returns (op in lower case, path, value) triples."""
    ops = body.get("Operations")
    if not isinstance(ops, list) or not ops:
        raise bad_request("A PATCH needs a non-empty Operations list", "invalidSyntax")
    if len(ops) > MAX_OPERATIONS:
        raise bad_request(
            f"A PATCH may carry at most {MAX_OPERATIONS} operations; this one has {len(ops)}",
            "invalidValue",
        )
    result = []
    for op in ops:
        if not isinstance(op, dict) or str(op.get("op", "")).lower() not in OPS:
            raise bad_request("Each operation needs op add, remove or replace", "invalidSyntax")
        path = op.get("path")
        if path is not None and not isinstance(path, str):
            raise bad_request("path must be a string", "invalidPath")
        if op["op"].lower() == "remove" and not path:
            raise bad_request("A remove operation needs a path", "noTarget")
        if op["op"].lower() != "remove" and "value" not in op:
            raise bad_request(f"The {op['op']} operation needs a value", "invalidValue")
        result.append((op["op"].lower(), path or None, op.get("value")))
    return result


def parse_filter(text: str) -> ast.AST:
    try:
        return SCIMParser().parse(SCIMLexer().tokenize(text))
    except Exception as exc:  # the parser raises several kinds on bad input
        raise bad_request(f"Invalid filter in path: {text!r}", "invalidPath") from exc


def parse_path(path: str, extensions: tuple[str, ...], core_uri: str) -> Path:
    """Split a path; a bare extension URN addresses that extension as a whole."""
    for uri in extensions:
        if path.lower() == uri.lower():
            return Path(attr=uri)
    match = _PATH.match(path.strip())
    if not match:
        raise bad_request(f"Invalid path {path!r}", "invalidPath")
    uri = match["uri"]
    if uri and uri.lower() == core_uri.lower():
        uri = None
    elif uri and uri.lower() not in {e.lower() for e in extensions}:
        raise bad_request(f"Unknown schema in path {path!r}", "invalidPath")
    text = match["filter"] or ""
    return Path(match["attr"], uri, parse_filter(text) if text else None, text, match["sub"])


def _value_of(item: Any) -> Any:
    """A multi-valued item's value; a bare value (an email sent as a string) is its own."""
    return item.get(key_of(item, "value")) if isinstance(item, dict) else item


def key_of(container: dict, name: str) -> str:
    """The key under which `name` is stored, matched case-insensitively."""
    for key in container:
        if key.lower() == name.lower():
            return key
    return name


def matches(node: ast.AST, item: Any) -> bool:
    """Evaluate a value filter such as `value eq "42"` against one multi-valued item."""
    if isinstance(node, ast.Filter):
        result = matches(node.expr, item)
        return not result if node.negated else result
    if isinstance(node, ast.LogExpr):
        left, right = matches(node.expr1, item), matches(node.expr2, item)
        return left and right if node.op.lower() == "and" else left or right
    if isinstance(node, ast.AttrExpr) and isinstance(node.attr_path.attr_name, str):
        return _compare(node, item)
    raise bad_request("Unsupported filter in path", "invalidPath")


def _compare(node: ast.AttrExpr, item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    actual = item.get(key_of(item, node.attr_path.attr_name))
    op = node.value.lower()
    if op == "pr":
        return actual not in (None, "", [], {})
    expected = node.comp_value.value if node.comp_value is not None else None
    left, right = str(actual).lower(), str(expected).lower()
    if isinstance(actual, bool):
        left = "true" if actual else "false"
    checks = {
        "eq": left == right,
        "ne": left != right,
        "co": right in left,
        "sw": left.startswith(right),
        "ew": left.endswith(right),
        "gt": left > right,
        "ge": left >= right,
        "lt": left < right,
        "le": left <= right,
    }
    return actual is not None and checks.get(op, False)


class DocumentPatch:
    """Apply operations to a SCIM document (a dict), the way RFC 7644 §3.5.2 describes."""

    def __init__(self, doc: dict, extensions: tuple[str, ...], core_uri: str) -> None:
        self.doc = doc
        self.extensions = extensions
        self.core_uri = core_uri

    def apply(self, op: str, path: str | None, value: Any) -> None:
        if path is None:
            self._apply_pathless(op, value)
            return
        parsed = parse_path(path, self.extensions, self.core_uri)
        if parsed.attr in self.extensions:
            self._apply_pathless(op, {parsed.attr: value} if op != "remove" else None, parsed)
            return
        container = self._container(parsed.uri)
        getattr(self, f"_{op}")(container, parsed, value)

    def _apply_pathless(self, op: str, value: Any, whole: Path | None = None) -> None:
        if whole is not None and op == "remove":
            self.doc.pop(key_of(self.doc, whole.attr), None)
            return
        if not isinstance(value, dict):
            raise bad_request("An operation without a path needs an object value", "invalidValue")
        for name, item in value.items():
            extension = next((e for e in self.extensions if e.lower() == name.lower()), None)
            if extension and not isinstance(item, dict):
                raise bad_request(f"{extension} must be an object", "invalidValue")
            if extension:
                for sub_name, sub_value in item.items():
                    self.apply(op, f"{extension}:{sub_name}", sub_value)
            else:
                self.apply(op, name, item)

    def _container(self, uri: str | None) -> dict:
        if uri is None:
            return self.doc
        key = key_of(self.doc, uri)
        if not isinstance(self.doc.get(key), dict):
            self.doc[key] = {}
        return self.doc[key]

    def _add(self, container: dict, path: Path, value: Any) -> None:
        key = key_of(container, path.attr)
        current = container.get(key)
        if path.filter is not None or path.sub is not None:
            self._replace(container, path, value)
        elif isinstance(current, list):
            additions = value if isinstance(value, list) else [value]
            container[key] = current + [v for v in additions if v not in current]
        elif isinstance(current, dict) and isinstance(value, dict):
            current.update(value)
        else:
            container[key] = value

    def _replace(self, container: dict, path: Path, value: Any) -> None:
        key = key_of(container, path.attr)
        current = container.get(key)
        if path.filter is not None:
            self._replace_matching(container, key, path, value)
        elif path.sub is not None:
            targets = current if isinstance(current, list) else [container.setdefault(key, {})]
            for target in targets:
                if isinstance(target, dict):
                    target[key_of(target, path.sub)] = value
        elif isinstance(current, dict) and isinstance(value, dict):
            current.update(value)
        else:
            container[key] = value

    def _replace_matching(self, container: dict, key: str, path: Path, value: Any) -> None:
        items = container.get(key) if isinstance(container.get(key), list) else []
        hits = [item for item in items if matches(path.filter, item)]
        if not hits:
            hits = [self._item_from_filter(path)]
            items.append(hits[0])
            container[key] = items
        for item in hits:
            if path.sub is not None:
                item[key_of(item, path.sub)] = value
            elif isinstance(value, dict):
                item.update(value)

    @staticmethod
    def _item_from_filter(path: Path) -> dict:
        """`emails[type eq "work"].value` on a user without one adds {"type": "work"}."""
        node = path.filter.expr if isinstance(path.filter, ast.Filter) else path.filter
        if isinstance(node, ast.AttrExpr) and node.value.lower() == "eq" and node.comp_value:
            return {node.attr_path.attr_name: node.comp_value.value}
        raise bad_request(f"No value matches {path.filter_text!r}", "noTarget")

    def _remove(self, container: dict, path: Path, value: Any) -> None:
        key = key_of(container, path.attr)
        current = container.get(key)
        if path.filter is not None and isinstance(current, list):
            kept = [item for item in current if not matches(path.filter, item)]
            if path.sub is not None:
                for item in current:
                    if item not in kept:
                        item.pop(key_of(item, path.sub), None)
                return
            container[key] = kept
        elif path.sub is not None and isinstance(current, dict):
            current.pop(key_of(current, path.sub), None)
        elif isinstance(current, list) and isinstance(value, list):
            values = {str(_value_of(v)) for v in value}
            container[key] = [i for i in current if str(_value_of(i)) not in values]
        else:
            container.pop(key, None)
