from django.urls import path

from . import views

urlpatterns = [
    path("provisioning/", views.provisioning_page, name="provisioning"),
]
