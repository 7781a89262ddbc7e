from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracker.retention import retention_policies, retention_prune


class Command(BaseCommand):
    help = (
        "Delete log and outbox rows past their retention (what the beat task tracker.retention_prune does), in "
        "batches, and print what was removed from each table. --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would go, delete nothing")
        parser.add_argument("--batch-size", type=int, default=None, help="rows per transaction (RETENTION_BATCH_SIZE)")
        parser.add_argument("--only", action="append", metavar="POLICY", help="one policy (repeatable); see --list")
        parser.add_argument("--list", action="store_true", help="list the policies and stop")

    def handle(self, *args, dry_run=False, batch_size=None, only=None, list=False, **options):
        policies = retention_policies()
        if list:
            for policy in policies:
                self.stdout.write(f"{policy.name}: {policy.description}")
            return
        unknown = set(only or []) - {p.name for p in policies}
        if unknown:
            raise CommandError(f"unknown policy: {', '.join(sorted(unknown))} (see --list)")
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        report = retention_prune(batch_size=batch_size, dry_run=dry_run, only=only)
        if dry_run:
            for name, count in report.eligible.items():
                self.stdout.write(f"{name}: would remove {count}")
            return
        for table, count in sorted(report.removed.items()):
            self.stdout.write(f"{table}: removed {count}")
        size = batch_size or settings.RETENTION_BATCH_SIZE
        self.stdout.write(f"Removed {report.total} row{'s' if report.total != 1 else ''} in batches of {size}.")
