from django.apps import AppConfig


class CirculationConfig(AppConfig):
    name = "mutualaid.circulation"
    label = "circulation"
    verbose_name = "Resource circulation"

    def ready(self) -> None:
        from . import notices  # noqa: F401  (declares the notification kinds this app sends)
