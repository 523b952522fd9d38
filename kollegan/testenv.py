"""Pytest plugin loaded before Django: the suite runs in developer mode with a
data directory of its own, so it never touches `make run`'s database or mail."""

import os
from pathlib import Path

_base = os.environ.get("KOLLEGAN_DATA_DIR") or str(Path(__file__).resolve().parent.parent / "var")
os.environ["KOLLEGAN_DATA_DIR"] = str(Path(_base) / "test")
os.environ["KOLLEGAN_DEV"] = "1"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kollegan.settings")
