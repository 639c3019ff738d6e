from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "mutualaid.front"
    label = "front"
    verbose_name = "Front"
