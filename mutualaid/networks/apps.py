from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "mutualaid.networks"
    label = "networks"
    verbose_name = "Networks and groups"

    def ready(self) -> None:
        from . import notices  # noqa: F401  (declares the notification kinds this app sends)
