"""One mixin of OktaClient per family of Okta endpoints; each uses the client's paging,
pacing, retries and address checks (`_paginate`, `_fetch`, `_json`, `_url`, `_get`…)."""
