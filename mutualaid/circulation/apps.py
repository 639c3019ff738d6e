from django.apps import AppConfig


class CirculationConfig(AppConfig):
    name = "mutualaid.circulation"
    label = "circulation"
    verbose_name = "Resource circulation"
