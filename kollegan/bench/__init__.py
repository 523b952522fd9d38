"""The benchmark harness behind `make bench`.

`python -m kollegan.bench --scale national` fills a database of its own with
synthetic members, starts the real WSGI server (granian) against it and times
every page in :data:`kollegan.bench.pages.PAGES`, printing one JSON line per page.

The package is split so that only :mod:`kollegan.bench.data` and
:mod:`kollegan.bench.notify` (the notifications part, run after the pages) touch
Django's ORM; the rest runs before Django is configured, because the settings
module reads its environment (data directory, database) once at import.
"""
