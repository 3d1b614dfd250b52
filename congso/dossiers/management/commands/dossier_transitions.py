from django.core.management.base import BaseCommand

from congso.dossiers.docs import transition_table


class Command(BaseCommand):
    help = "Print the dossier transition table as Markdown (the table in docs/dossier-transitions.md)."

    def handle(self, *args, **options):
        self.stdout.write(transition_table(), ending="")
