from django.urls import path

from . import views

urlpatterns = [
    path("provisioning/", views.provisioning_page, name="provisioning"),
    path("provisioning/switch/", views.provisioning_switch, name="provisioning_switch"),
    path("provisioning/tokens/", views.token_create, name="provisioning_token_create"),
    path(
        "provisioning/tokens/<int:pk>/delete/",
        views.token_delete,
        name="provisioning_token_delete",
    ),
]
