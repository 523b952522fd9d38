from django.core.management.base import BaseCommand
from django.db import connection

from kollegan.search.indexing import rebuild


class Command(BaseCommand):
    help = "Writes the search index again from scratch, from everything on the site."

    def handle(self, *args, **options) -> None:
        def progress(message: str) -> None:
            self.stdout.write(f"  {message}")

        report = rebuild(progress=progress if options["verbosity"] > 1 else None)
        kinds = ", ".join(f"{kind} {count:,}" for kind, count in report.per_kind.items())
        self.stdout.write(
            f"Sökindexet byggt på {connection.vendor}: {report.entries:,} poster "
            f"på {report.seconds:.1f} s ({kinds})."
        )
