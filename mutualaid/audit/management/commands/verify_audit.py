from django.core.management.base import BaseCommand, CommandError

from mutualaid.audit.services import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit hash chain; exit non-zero naming the first entry altered or removed."

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(f"audit chain broken: {report.message} ({report.checked} entries verified before it)")
        self.stdout.write(report.message)
