"""Collection from Okta (read-only): one collector per dataset, runs, schedules, retention."""
