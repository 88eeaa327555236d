"""Whether a page's datasets were read: a 403 reads "not readable with this token", never
as an empty list."""

from collections.abc import Iterable

from ..models import Dataset, DatasetState, Readability

NOT_COLLECTED = "not collected yet."


def dataset_notes(*datasets: str) -> list[str]:
    """One sentence per dataset that was never collected or is not readable now."""
    states = {s.dataset: s for s in DatasetState.objects.filter(dataset__in=datasets)}
    notes = []
    for name in datasets:
        state, label = states.get(name), Dataset(name).label
        if state and state.readability == Readability.NOT_READABLE:
            notes.append(f"{label}: not readable with this token.")
        elif state is None or state.collected_at is None:
            notes.append(f"{label}: {NOT_COLLECTED}")
    return notes


def unreadable(*datasets: str) -> bool:
    """Is any of these datasets not readable with the saved token (Okta answered 403)?"""
    return DatasetState.objects.filter(
        dataset__in=datasets, readability=Readability.NOT_READABLE
    ).exists()


def needs_collection(notes: Iterable[str] | None) -> bool:
    """Does one of these notes say a dataset was never collected (so Collect now helps)?"""
    return any(note.endswith(NOT_COLLECTED) for note in notes or ())
