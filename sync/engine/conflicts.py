"""Case-insensitive lookups of names already taken, done in batches for large plans."""

from collections.abc import Iterable

from django.db.models import Model
from django.db.models.functions import Lower

LOOKUP_BATCH = 2000


def holders(model: type[Model], field: str, names: Iterable[str]) -> dict[str, tuple]:
    """lower(name) -> (pk, name, auth_provider) for rows of `model` already holding a name."""
    wanted = sorted({name.lower() for name in names})
    found: dict[str, tuple] = {}
    for start in range(0, len(wanted), LOOKUP_BATCH):
        chunk = wanted[start : start + LOOKUP_BATCH]
        rows = (
            model.objects.annotate(key=Lower(field))
            .filter(key__in=chunk)
            .values_list("key", "pk", field, "auth_provider")
        )
        for key, pk, name, provider in rows:
            found[key] = (pk, name, provider)
    return found


def conflict(kind: str, okta_id: str, name: str, reason: str) -> dict[str, str]:
    return {"kind": kind, "okta_id": okta_id, "name": name, "reason": reason}
