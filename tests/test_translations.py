"""Swedish is Kollegan's default language and must be complete.

The committed catalogue is checked for gaps and fuzzy guesses, it is compared
with what makemessages finds in the code today, and real pages are rendered in
both languages. Refresh the catalogue with `make messages` and translate what
it adds in locale/sv/LC_MESSAGES/django.po."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import client_for

BASE_DIR = Path(django_settings.BASE_DIR)
SV_PO = BASE_DIR / "locale" / "sv" / "LC_MESSAGES" / "django.po"
EN_PO = BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq")

# %(name)s, %d, %s … as Python's %-formatting reads them (%% is a literal percent sign).
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _describe(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:3])
    return f"{entry.msgid!r} ({where or 'no source reference'})"


def _untranslated_or_fuzzy(po: polib.POFile) -> tuple[list[str], list[str]]:
    live = [entry for entry in po if not entry.obsolete]
    fuzzy = [_describe(entry) for entry in live if entry.fuzzy]
    untranslated = [
        _describe(entry) for entry in live if not entry.fuzzy and not entry.translated()
    ]
    return untranslated, fuzzy


def _translations(entry: polib.POEntry) -> list[tuple[str, str]]:
    """Each translated form with the source text it has to match."""
    if entry.msgid_plural:
        return [
            (entry.msgid if index == 0 else entry.msgid_plural, text)
            for index, text in sorted(entry.msgstr_plural.items())
        ]
    return [(entry.msgid, entry.msgstr)]


@pytest.fixture(scope="module")
def sv_catalogue() -> polib.POFile:
    return polib.pofile(str(SV_PO))


# --- The committed Swedish catalogue ------------------------------------------------


def test_swedish_catalogue_has_the_right_header(sv_catalogue):
    assert not sv_catalogue.metadata_is_fuzzy, "Remove '#, fuzzy' above the header."
    assert sv_catalogue.metadata.get("Language") == "sv"
    assert "charset=UTF-8" in sv_catalogue.metadata.get("Content-Type", "")
    assert sv_catalogue.metadata.get("Plural-Forms") == "nplurals=2; plural=(n != 1);"


def test_english_catalogue_has_the_right_header():
    english = polib.pofile(str(EN_PO))
    assert not english.metadata_is_fuzzy, "Remove '#, fuzzy' above the header."
    assert english.metadata.get("Language") == "en"
    assert "charset=UTF-8" in english.metadata.get("Content-Type", "")
    assert english.metadata.get("Plural-Forms") == "nplurals=2; plural=(n != 1);"


def test_every_swedish_entry_is_translated_and_none_is_fuzzy(sv_catalogue):
    untranslated, fuzzy = _untranslated_or_fuzzy(sv_catalogue)
    problems = [f"untranslated: {text}" for text in untranslated]
    problems += [f"fuzzy (check the translation, then remove the flag): {text}" for text in fuzzy]
    assert not problems, f"{SV_PO.relative_to(BASE_DIR)} is incomplete:\n" + "\n".join(problems)


def test_swedish_translations_keep_placeholders_and_markup(sv_catalogue):
    problems = []
    for entry in sv_catalogue:
        if entry.obsolete or not entry.translated():
            continue
        for source, text in _translations(entry):
            if "python-format" in entry.flags and sorted(PLACEHOLDER.findall(source)) != sorted(
                PLACEHOLDER.findall(text)
            ):
                problems.append(f"placeholders differ: {source!r} → {text!r}")
            if sorted(HTML_TAG.findall(source)) != sorted(HTML_TAG.findall(text)):
                problems.append(f"HTML tags differ: {source!r} → {text!r}")
    assert not problems, "\n".join(problems)


# --- The catalogue against the code -----------------------------------------------------


@pytest.mark.slow
def test_swedish_catalogue_is_up_to_date_with_the_code(tmp_path, sv_catalogue):
    """Run makemessages on a copy of the source, never on the real files, and
    demand that what it finds is already in the committed catalogue, translated."""
    missing_tools = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing_tools:
        pytest.skip(
            f"GNU gettext ({', '.join(missing_tools)}) is not installed, so makemessages "
            "cannot run here; `make test` does not install it (apt-get install gettext)."
        )
    copy = tmp_path / "src"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
    for folder in ("kollegan", "templates", "locale", "static"):
        shutil.copytree(BASE_DIR / folder, copy / folder, ignore=skip)
    shutil.copy2(BASE_DIR / "manage.py", copy / "manage.py")
    env = {
        **os.environ,
        "KOLLEGAN_DEV": "1",
        "KOLLEGAN_DATA_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "kollegan.settings",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    # manage.py's folder comes first on sys.path, so the copy's settings (and with
    # them LOCALE_PATHS) are the ones loaded, not the installed package's.
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale=sv",
            "--no-obsolete",
            "--ignore=var/*",
            "--ignore=static/*",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"

    regenerated = polib.pofile(str(copy / "locale" / "sv" / "LC_MESSAGES" / "django.po"))
    in_code = {_key(entry): entry for entry in regenerated if not entry.obsolete}
    committed = {_key(entry) for entry in sv_catalogue if not entry.obsolete}

    new = [_describe(entry) for key, entry in in_code.items() if key not in committed]
    stale = [repr(msgid) for _ctx, msgid, _plural in committed - in_code.keys()]
    untranslated, fuzzy = _untranslated_or_fuzzy(regenerated)
    problems = [f"new in the code, not in the catalogue: {text}" for text in new]
    problems += [f"in the catalogue, no longer in the code: {text}" for text in stale]
    if not new:
        problems += [f"untranslated: {text}" for text in untranslated]
        problems += [f"fuzzy: {text}" for text in fuzzy]
    assert not problems, (
        "The Swedish catalogue is out of date. Run `make messages`, then translate in "
        f"{SV_PO.relative_to(BASE_DIR)}:\n" + "\n".join(problems)
    )


# --- Pages in each language ---------------------------------------------------------------


@pytest.fixture
def compiled_catalogues(settings):
    """Compile stale .mo files (as `make install` does) and drop Django's cached
    catalogues, so the pages below use the .po files as they are now."""
    call_command("compile_translations", verbosity=0)
    # Assigning LOCALE_PATHS fires setting_changed, which clears the translation caches;
    # pytest-django assigns it back, and clears them again, after the test.
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)


def test_login_page_is_in_swedish_by_default(client, db, compiled_catalogues):
    response = client.get("/konto/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Logga in" in html
    assert "Hoppa till innehållet" in html
    assert "Log in" not in html


def test_start_page_menu_is_in_swedish_for_a_swedish_member(alice, compiled_catalogues):
    html = client_for(alice).get(reverse("start")).content.decode()
    assert '<html lang="sv">' in html
    for label in ("Frågor", "Kalendarium", "Mötesnoteringar", "Medarbetare", "Min sida"):
        assert label in html


def test_start_page_follows_a_member_who_chose_english(alice, compiled_catalogues):
    alice.language = "en"
    alice.save(update_fields=["language"])
    response = client_for(alice).get(reverse("start"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    for label in ("Questions", "Calendar", "Meeting notes", "My page", "Skip to content"):
        assert label in html
    assert "Frågor" not in html
    assert "Min sida" not in html
