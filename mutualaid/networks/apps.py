from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class NetworksConfig(AppConfig):
    name = "mutualaid.networks"
    label = "networks"
    verbose_name = "Networks and groups"

    def ready(self) -> None:
        # Every app's notification kinds (`notices.py`) and its answers to networks' hooks (`receivers.py`), found
        # by name as the load check's modules are: an app adds the module, nothing else is edited.
        autodiscover_modules("notices", "receivers")
