"""Okta Event Hooks, by concern: authentication (the header secret), verification (Okta's
one-time challenge), intake (a delivery stored and queued), processing (events applied
from Okta's re-read state, with the guard), held (confirm or discard what the guard held),
configure and registration (the settings panel's buttons), status (what the panel shows)."""
