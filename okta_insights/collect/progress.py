"""Live progress of a collection run: the sync's Progress, counting the items stored."""

from okta.runs import Progress


class CollectionProgress(Progress):
    counted = "items"
