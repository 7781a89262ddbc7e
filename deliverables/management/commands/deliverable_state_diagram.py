from django.core.management.base import BaseCommand

from deliverables.machine import mermaid


class Command(BaseCommand):
    help = "Print the deliverable state machine as a Mermaid state diagram, drawn from its transition table."

    def handle(self, *args, **options):
        self.stdout.write(mermaid(), ending="")
