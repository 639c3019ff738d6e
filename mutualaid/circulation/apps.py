from django.apps import AppConfig


class CirculationConfig(AppConfig):
    name = "mutualaid.circulation"
    label = "circulation"
    verbose_name = "Resource circulation"

    def ready(self) -> None:
        from . import notices, receivers  # noqa: F401  (the kinds this app sends; its part in networks' hooks)
