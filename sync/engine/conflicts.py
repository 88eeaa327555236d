"""What the user and group planners share: each Okta row with its links, candidates for
adoption, and the conflicts (names already taken, values the directory refuses)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import FilteredRelation, Model, Q, QuerySet

from querypie_admin.directory import DirectoryInvalid
from querypie_admin.directory.bulk_insert import many
from querypie_admin.directory.fields import KEYED
from querypie_admin.lookups import comparison_key
from querypie_admin.models import AuthProvider, LinkSource

LOOKUP_BATCH = 2000
T = TypeVar("T")
LOCAL_HOLDER = "belongs to a local {kind}; an Owner must hand it over before the sync can manage it"


def with_links(model: type[Model]) -> QuerySet:
    """The rows Okta owns, each joined to its sync, SCIM and SAML link (at most one each):
    read `sync__id`, `sync__external_id`, `scim__id`… (None where there is no such link)."""
    joins = {
        alias: FilteredRelation("links", condition=Q(links__source=source))
        for alias, source in (
            ("sync", LinkSource.OKTA_SYNC),
            ("scim", LinkSource.SCIM),
            ("saml", LinkSource.SAML),
        )
    }
    return model.objects.filter(auth_provider=AuthProvider.OKTA).annotate(**joins).order_by("pk")


class Candidates(Generic[T]):
    """Okta-owned rows a listed Okta object may adopt: found by the Okta id one of their
    other links has, else by login ID or group name (by the directory's comparison key, as
    the unique index compares them); each taken once."""

    def __init__(self) -> None:
        self.rows: dict[int, T] = {}
        self._by_id: dict[str, int] = {}
        self._by_name: dict[str, int] = {}

    def add(self, pk: int, row: T, name: str, *okta_ids: str | None) -> None:
        self.rows[pk] = row
        for okta_id in okta_ids:
            if okta_id:
                self._by_id.setdefault(okta_id, pk)
        self._by_name.setdefault(comparison_key(name), pk)

    def take(self, okta_id: str, name: str) -> T | None:
        pk = self._by_id.get(okta_id)
        if pk not in self.rows:
            pk = self._by_name.get(comparison_key(name))
        return self.rows.pop(pk, None) if pk is not None else None


def holders(model: type[Model], field: str, names: Iterable[str]) -> dict[str, tuple]:
    """lower(name) -> (pk, name, auth_provider) for rows of `model` already holding a name
    (the same name by its Unicode comparison key, querypie_admin.lookups)."""
    wanted = sorted(set(names))
    by_key: dict[str, set[str]] = {}
    for name in wanted:
        by_key.setdefault(comparison_key(name), set()).add(name.lower())
    found: dict[str, tuple] = {}
    key_column = KEYED[field]  # what `__ci_in` compares, the keys as one array parameter
    keys = sorted(by_key)
    for start in range(0, len(keys), LOOKUP_BATCH):
        chunk = many(keys[start : start + LOOKUP_BATCH])
        rows = model.objects.filter(**{f"{key_column}__in": chunk}).values_list(
            "pk", field, "auth_provider"
        )
        for pk, name, provider in rows:
            for lowered in by_key.get(comparison_key(name), ()):
                found[lowered] = (pk, name, provider)
    return found


def taken(kind: str, okta_id: str, name: str, holder: tuple, what: str) -> dict[str, str]:
    """The conflict for a login ID or group name another row holds; that row is left alone."""
    if holder[2] == AuthProvider.QUERYPIE:
        local = "account" if kind == "user" else "group"
        return conflict(kind, okta_id, name, f"{what} {LOCAL_HOLDER.format(kind=local)}")
    return conflict(kind, okta_id, name, f"{what} already used by another {kind}; left untouched")


def conflict(kind: str, okta_id: str, name: str, reason: str) -> dict[str, str]:
    return {"kind": kind, "okta_id": okta_id, "name": name, "reason": reason}


@dataclass(frozen=True)
class Kind:
    """What the conflict checks need to know of users or of groups."""

    name: str  # "user" / "group"
    model: type[Model]
    field: str  # the unique, case-insensitive name: "login_id" / "name"
    what: str  # that name in the product's words
    fields: Callable[[Any], dict[str, Any]]  # a new row's fields from its values
    check: Callable[[dict[str, Any]], None]  # the directory's validator, for changed fields
    mark: Callable[[Any], Any]  # the same validator for a new row's values: Checked values


def drop_conflicts(plan: Any, kind: Kind) -> None:
    """Take out of `plan.create` and `plan.update` what the directory would refuse, each a
    conflict in `plan.conflicts`, so the batches write everything else."""
    plan.create = checked_creates(plan.create, plan.conflicts, kind)
    drop_update_conflicts(plan, kind)


def checked_creates(creates: list, conflicts: list, kind: Kind) -> list:
    """The new rows the directory takes, as the validator's Checked values (the batch does
    not check them again); a name another row holds, or a value the directory would refuse
    (say, an email that is not one), is a conflict for that row, not a failed batch."""
    names = [kind.fields(values)[kind.field] for _, values in creates]
    found = holders(kind.model, kind.field, names) if names else {}
    kept = []
    for (okta_id, values), name in zip(creates, names, strict=True):
        holder = found.get(name.lower())
        if holder:
            conflicts.append(taken(kind.name, okta_id, name, holder, kind.what))
            continue
        try:
            kept.append((okta_id, kind.mark(values)))
        except DirectoryInvalid as exc:
            conflicts.append(_refused(kind, okta_id, name, exc, "not created"))
    return kept


def drop_update_conflicts(plan: Any, kind: Kind) -> None:
    """A rename onto a name another row holds, or a value the directory refuses: that
    field is left unchanged, the rest of the row's changes are written."""
    renames = [changes[kind.field] for *_, changes in plan.update if kind.field in changes]
    found = holders(kind.model, kind.field, renames) if renames else {}
    for pk, okta_id, label, changes in plan.update:
        holder = found.get(changes.get(kind.field, "").lower())
        if holder and holder[0] != pk:
            name = changes.pop(kind.field)
            plan.conflicts.append(taken(kind.name, okta_id, name, holder, kind.what))
        while changes:
            try:
                kind.check(changes)
                break
            except DirectoryInvalid as exc:
                changes.pop(exc.field)
                outcome = "that field left unchanged"
                plan.conflicts.append(_refused(kind, okta_id, label, exc, outcome))
    plan.update = [item for item in plan.update if item[3]]


def _refused(kind: Kind, okta_id: str, name: str, exc: Exception, outcome: str) -> dict:
    reason = f"Okta sent a value the directory refuses: {exc}; {outcome}"
    return conflict(kind.name, okta_id, name, reason)
