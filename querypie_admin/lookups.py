"""One account per name, in every alphabet: the Unicode comparison key of login IDs and
group names, the column that keeps it, and the `__ci_exact` / `__ci_in` look-ups on it.

The key is computed in Python (NFKC normalisation, case folding, NFKC again), so PostgreSQL
and SQLite agree: SQLite's LOWER() folds ASCII only, and neither database maps the fullwidth
`ａｄｍｉｎ`, the `ﬀ` ligature or the Kelvin sign onto their plain letters. Each keyed name
has a unique, indexed key column beside it; `login_id__ci_exact=value` compares keys, so
every case-insensitive look-up uses that index and finds the one row a name can have.
"""

import unicodedata
from typing import Any

from django.db import models
from django.db.models import CharField, Lookup


def comparison_key(value: str) -> str:
    """What two names must share to be the same name (Unicode's NFKC_Casefold, near enough)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold())


class ComparisonKeyField(models.CharField):
    """The comparison key of the field `source` of the same row, kept in step on each save.

    Whoever saves `source` with `update_fields` or `bulk_update` saves this field too
    (KeyedQuerySet and KeyedModel do it); the directory's raw batch insert asks `key_of`.
    """

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 1024)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs.pop("editable", None)
        if kwargs.get("max_length") == 1024:
            kwargs.pop("max_length")
        return name, path, args, kwargs

    def key_of(self, row: dict[str, Any]) -> str:
        return comparison_key(row[self.source])

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = comparison_key(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def key_fields(model: type[models.Model]) -> list[ComparisonKeyField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, ComparisonKeyField)]


def with_keys(model: type[models.Model], fields: Any) -> list[str] | None:
    """`fields` (update_fields, bulk_update's fields) plus the keys of the names among them."""
    if fields is None:
        return None
    fields = list(fields)
    return fields + [k.name for k in key_fields(model) if k.source in fields]


class KeyedQuerySet(models.QuerySet):
    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        objs, fields = list(objs), with_keys(self.model, fields)
        for key in key_fields(self.model):
            if key.name in fields:
                for obj in objs:
                    key.pre_save(obj, add=False)
        return super().bulk_update(objs, fields, batch_size=batch_size)


class KeyedModel(models.Model):
    """A model with keyed names: a save of a name with `update_fields` saves its key too."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        kwargs["update_fields"] = with_keys(type(self), kwargs.get("update_fields"))
        super().save(*args, **kwargs)


class _KeyLookup(Lookup):
    """Compare the key column of the named field with the key of the value(s)."""

    prepare_rhs = False

    def key_column(self, compiler: Any, connection: Any) -> tuple[str, list]:
        target = getattr(self.lhs, "target", None)
        keys = [k for k in key_fields(target.model) if k.source == target.name] if target else []
        if not keys:
            raise TypeError(f"__{self.lookup_name} needs a name that has a comparison key")
        return compiler.compile(keys[0].get_col(self.lhs.alias))


@CharField.register_lookup
class ComparisonKeyExact(_KeyLookup):
    lookup_name = "ci_exact"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list]:
        sql, params = self.key_column(compiler, connection)
        return f"{sql} = %s", [*params, comparison_key(self.rhs)]


@CharField.register_lookup
class ComparisonKeyIn(_KeyLookup):
    lookup_name = "ci_in"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list]:
        keys = sorted({comparison_key(value) for value in self.rhs})
        if not keys:
            return "1 = 0", []
        sql, params = self.key_column(compiler, connection)
        return f"{sql} IN ({', '.join(['%s'] * len(keys))})", [*params, *keys]
