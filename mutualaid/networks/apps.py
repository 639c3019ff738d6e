from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "mutualaid.networks"
    label = "networks"
    verbose_name = "Networks and groups"

    def ready(self) -> None:
        from . import notices, receivers  # noqa: F401  (the kinds this app sends; who is signed in where)
