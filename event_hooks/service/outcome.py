"""What processing one target (a user or a group) came to, for its events' rows."""

from dataclasses import dataclass

from ..models import Effect, EventStatus


@dataclass(frozen=True)
class Outcome:
    status: str
    detail: str
    effect: str = Effect.NONE  # what the guard counts, for the applied or held change
    stops: bool = False  # a failure every further call to Okta would meet too

    @classmethod
    def applied(cls, detail: str, effect: str = Effect.NONE) -> "Outcome":
        return cls(EventStatus.APPLIED, detail, effect)

    @classmethod
    def ignored(cls, detail: str) -> "Outcome":
        return cls(EventStatus.IGNORED, detail)

    @classmethod
    def held(cls, detail: str, effect: str) -> "Outcome":
        return cls(EventStatus.HELD, detail, effect)

    @classmethod
    def failed(cls, detail: str, *, stops: bool = False) -> "Outcome":
        return cls(EventStatus.FAILED, detail, stops=stops)
