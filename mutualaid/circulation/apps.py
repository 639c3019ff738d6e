from django.apps import AppConfig


class CirculationConfig(AppConfig):
    """Its notification kinds (`notices.py`), its part in networks' hooks (`receivers.py`), its periodic jobs
    (`jobs.py`) and its load check (`loadcheck.py`) are found by name, as every app's are: nothing to wire here."""

    name = "mutualaid.circulation"
    label = "circulation"
    verbose_name = "Resource circulation"
