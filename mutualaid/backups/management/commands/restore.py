from django.core.management.base import BaseCommand, CommandError

from mutualaid.backups.archive import BackupError, restore


class Command(BaseCommand):
    help = ("Restore an archive written by `mutualaid backup` into an empty, freshly migrated database (SQLite or "
            "PostgreSQL, whichever it came from). Refuses, changing nothing, a database in use, a damaged archive or "
            "one of another format or migration state.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive to restore")

    def handle(self, *args, **options):
        try:
            result = restore(options["file"])
        except BackupError as exc:
            raise CommandError(f"restore refused: {exc}") from None
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(f"Restored {options['file']} (from {result.source_vendor}): {result.tables} tables, "
                          f"{result.rows} rows, {result.media_files} uploaded file(s).")
        self.stdout.write(result.audit_message)
