import argparse

from django.core.management.base import BaseCommand, CommandError

from mutualaid.audit.selectors import current_checkpoint
from mutualaid.audit.services import Checkpoint, verify_chain


def _checkpoint(text: str) -> Checkpoint:
    try:
        return Checkpoint.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class Command(BaseCommand):
    help = ("Recompute the audit hash chain; exit non-zero naming the first entry altered or removed. With --since "
            "SEQ:HASH, also check the chain against a checkpoint kept elsewhere. Prints the current checkpoint last.")

    def add_arguments(self, parser):
        parser.add_argument("--since", metavar="SEQ:HASH", type=_checkpoint,
                            help="a checkpoint printed by an earlier run (or mailed to coordinators): entry SEQ must "
                                 "still have hash HASH, and the chain from there on must verify")

    def handle(self, *args, since=None, **options):
        if isinstance(since, str):  # call_command(since="...") skips the parser's type conversion
            try:
                since = Checkpoint.parse(since)
            except ValueError as exc:
                raise CommandError(f"--since: {exc}") from None
        checkpoint = current_checkpoint()  # read before the walk: entries appended meanwhile come after it
        report = verify_chain(since=since)
        if not report.ok:
            raise CommandError(f"audit chain broken: {report.message} ({report.checked} entries verified before it)")
        self.stdout.write(report.message)
        self.stdout.write(f"checkpoint: {checkpoint}")
