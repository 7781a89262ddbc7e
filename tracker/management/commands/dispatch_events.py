from django.core.management.base import BaseCommand

from tracker.events import events_dispatch_pending


class Command(BaseCommand):
    help = "Dispatch domain events that are still undispatched past their due time (what the beat sweep does)."

    def handle(self, *args, **options):
        dispatched = events_dispatch_pending()
        self.stdout.write(f"Dispatched {dispatched} event{'s' if dispatched != 1 else ''}.")
