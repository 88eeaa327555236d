"""The SCIM 2.0 service under /api/scim/v2/."""

urlpatterns: list = []
