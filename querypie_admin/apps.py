from django.apps import AppConfig


class QueryPieAdminConfig(AppConfig):
    name = "querypie_admin"
    verbose_name = "QueryPie admin console"
