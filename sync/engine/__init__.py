"""The Okta sync engine: plain functions, one small module per step and object kind.

read (okta -> Snapshot), plan (Snapshot + database -> Plan, no writes), apply (Plan ->
querypie_admin.directory_bulk); runs.py ties them to a SyncRun with progress and history.
"""
