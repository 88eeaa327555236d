"""The service provider endpoints under /saml/sp/."""

urlpatterns: list = []
