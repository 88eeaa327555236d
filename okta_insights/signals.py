"""Signals other apps listen to, so that okta_insights never imports them: an app that acts
on collected data (access reviews' verification) connects a receiver in its AppConfig.ready."""

from django.dispatch import Signal

# Sent after a collection run succeeded, with `run` (the CollectionRun) and `datasets` (the
# names of the datasets it collected).
collection_finished = Signal()
