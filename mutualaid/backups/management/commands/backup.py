from django.core.management.base import BaseCommand, CommandError

from mutualaid.backups.archive import BackupError, backup


class Command(BaseCommand):
    help = ("Write the whole instance (every table, and the uploaded files under MEDIA_ROOT) to one .tar.gz archive "
            "with a manifest of row counts, migration state and SHA-256 checksums.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive to write (a new file, e.g. mutualaid-2025-01-31.tar.gz)")

    def handle(self, *args, **options):
        try:
            manifest = backup(options["file"])
        except BackupError as exc:
            raise CommandError(f"backup refused: {exc}") from None
        rows = sum(table["rows"] for table in manifest["tables"])
        self.stdout.write(f"Backup written to {options['file']}: {len(manifest['tables'])} tables, {rows} rows, "
                          f"{manifest['media']['files']} uploaded file(s), from {manifest['database']['vendor']}.")
        audit = manifest["audit"]
        if audit["verified"]:
            self.stdout.write(audit["message"])
        else:
            self.stderr.write(f"warning: the audit chain does not verify ({audit['message']}); the backup keeps it "
                              "as it is.")
