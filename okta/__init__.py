"""The connection to one Okta org: its address, tokens and Application ID (models), the
client (client.py, pacing, paging, errors, the outbound-call rules) and one module per
family of Okta endpoints (endpoints/). Every feature that talks to Okta gets its client from
okta.connection.client(); no feature imports another feature for it."""
