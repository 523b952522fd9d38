"""Pytest plugin loaded before Django: the suite runs in developer mode with a
data directory of its own, so it never touches `make run`'s database or mail."""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

_base = os.environ.get("KOLLEGAN_DATA_DIR") or str(Path(__file__).resolve().parent.parent / "var")
os.environ["KOLLEGAN_DATA_DIR"] = str(Path(_base) / "test")
os.environ["KOLLEGAN_DEV"] = "1"
os.environ.setdefault("CACHE_BACKEND", "locmem")
# Tests empty the cache between tests; on Redis they get a database of their own
# so that a developer's running site keeps its cache.
if os.environ.get("REDIS_URL"):
    _url = urlsplit(os.environ["REDIS_URL"])
    os.environ["REDIS_URL"] = urlunsplit(_url._replace(path="/15"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kollegan.settings")
