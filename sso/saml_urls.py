"""The service provider endpoints under /saml/sp/."""

from django.urls import path

from . import views

urlpatterns = [
    path("sp/metadata", views.sp_metadata, name="saml_sp_metadata"),
    path("sp/login", views.sp_login, name="saml_sp_login"),
    path("sp/acs", views.sp_acs, name="saml_sp_acs"),
    path("sp/slo", views.sp_slo, name="saml_sp_slo"),
    path("sp/certificate", views.sp_certificate, name="saml_sp_certificate"),
]
