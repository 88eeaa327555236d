"""`attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5) applied to a rendered resource."""

import functools
from typing import Any

from .errors import bad_request

ALWAYS = {"id", "schemas"}
CORE_PREFIX = "urn:ietf:params:scim:schemas:core:2.0:"


def parse_list(raw: Any) -> list[str]:
    """A comma-separated query parameter, or the list of names a .search body carries."""
    names = (raw or "").split(",") if raw is None or isinstance(raw, str) else raw
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise bad_request("attributes and excludedAttributes must list attribute names")
    return [n.strip() for n in names if n.strip()]


@functools.lru_cache(maxsize=256)  # the same few names for every resource of a page
def _split(name: str, extensions: tuple[str, ...]) -> tuple[str, ...]:
    """`urn:…:User:staticIp` → (urn, staticIp); `name.givenName` → (name, givenName)."""
    for uri in extensions:
        if name.lower().startswith(uri.lower() + ":"):
            return (uri, *name[len(uri) + 1 :].split(".", 1))
        if name.lower() == uri.lower():
            return (uri,)
    if name.lower().startswith(CORE_PREFIX):
        name = name.split(":")[-1]
    return tuple(name.split(".", 1))


def _key(doc: dict, name: str) -> str | None:
    return next((k for k in doc if k.lower() == name.lower()), None)


def _keep(doc: dict, parts: tuple[str, ...], out: dict) -> None:
    key = _key(doc, parts[0])
    if key is None:
        return
    if len(parts) == 1:
        out[key] = doc[key]
    elif isinstance(doc[key], dict):
        _keep(doc[key], parts[1:], out.setdefault(key, {}))
    elif isinstance(doc[key], list):
        out[key] = [{k: v for k, v in i.items() if k.lower() == parts[1].lower()} for i in doc[key]]


def _drop(doc: dict, parts: tuple[str, ...]) -> None:
    key = _key(doc, parts[0])
    if key is None or key in ALWAYS:
        return
    if len(parts) == 1:
        doc.pop(key)
    elif isinstance(doc[key], dict):
        _drop(doc[key], parts[1:])
    elif isinstance(doc[key], list):
        for item in doc[key]:
            sub = _key(item, parts[1]) if isinstance(item, dict) else None
            if sub:
                item.pop(sub)


def project(doc: dict, attributes: list[str], excluded: list[str], extensions: tuple) -> dict:
    """Return only what was asked for; `id` and `schemas` are always returned."""
    if attributes:
        out = {k: doc[k] for k in ALWAYS if k in doc}
        for name in attributes:
            _keep(doc, _split(name, extensions), out)
        return out
    for name in excluded:
        _drop(doc, _split(name, extensions))
    return doc


def wants(name: str, attributes: list[str], excluded: list[str]) -> bool:
    """Whether an attribute will be returned, so costly ones (members) can be skipped."""
    lowered = name.lower()
    if attributes:
        return any(a.lower().split(".")[0].split(":")[-1] == lowered for a in attributes)
    return not any(e.lower().split(":")[-1] == lowered for e in excluded)
