from django.apps import AppConfig


class CirculationConfig(AppConfig):
    name = "mutualaid.circulation"
    label = "circulation"
    verbose_name = "Resource circulation"

    def ready(self) -> None:
        from mutualaid.core.periodic import periodic

        from . import notices, receivers  # noqa: F401  (the kinds this app sends; its part in networks' hooks)

        periodic("circulation.needs_expire_overdue", "mutualaid.circulation.services.needs_expire_overdue",
                 minutes=5, says="expired {} need(s)")
        # The suggestions sub-domain's job, named by its dotted path (circulation imports nothing of it).
        periodic("circulation.suggestions_work_out",
                 "mutualaid.circulation.suggestions.services.suggestions_work_out_all", minutes=10,
                 says="worked out the suggestions of {} scope(s)")
