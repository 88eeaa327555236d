"""Read side: the access review reports, the activity search, applications and a person's
Okta facts. Every function takes validated values and returns rows; pages, CSV and the REST
API only present them."""
