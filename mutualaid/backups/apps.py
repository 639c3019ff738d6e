from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "mutualaid.backups"
    verbose_name = "Backups"
