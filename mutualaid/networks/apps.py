from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "mutualaid.networks"
    label = "networks"
    verbose_name = "Networks and groups"

    def ready(self) -> None:
        from mutualaid.core.periodic import periodic

        from . import notices, receivers  # noqa: F401  (the kinds this app sends; who is signed in where)

        periodic("networks.suspensions_lapse", "mutualaid.networks.services.suspensions_lapse", minutes=10,
                 says="{} unconfirmed suspension(s) lapsed")
        periodic("networks.tokens_purge_expired", "mutualaid.networks.services.tokens_purge_expired", minutes=60,
                 says="{} expired API token(s) deleted")
