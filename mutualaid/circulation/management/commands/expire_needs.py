from django.core.management.base import BaseCommand

from mutualaid.circulation.services import needs_expire_overdue


class Command(BaseCommand):
    help = "Mark open needs past their needed-by time, with nothing matched, as expired."

    def handle(self, *args, **options):
        count = needs_expire_overdue()
        self.stdout.write(f"{count} need(s) expired")
