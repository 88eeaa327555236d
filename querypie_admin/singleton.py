"""A settings model with exactly one row, which every integration's settings page edits."""

from typing import Self

from django.db import models


class SingletonSettings(models.Model):
    class Meta:
        abstract = True

    @classmethod
    def load(cls) -> Self:
        """The one row, created with its defaults the first time it is read."""
        return cls.objects.get_or_create(pk=1)[0]
