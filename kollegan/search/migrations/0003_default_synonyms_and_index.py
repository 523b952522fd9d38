"""The default synonyms (data/synonyms.txt).

What is already on a running site is indexed after the migrations instead
(kollegan.search.apps), with the models as they are then."""

from django.db import migrations

from kollegan.search.analysis import DATA


def load_synonyms(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    path = DATA / "synonyms.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.count("=") >= 1:
            terms = [" ".join(term.split()) for term in line.split("=") if term.strip()]
            Synonym.objects.create(terms=" = ".join(terms))


class Migration(migrations.Migration):
    dependencies = [("search", "0002_engines")]

    operations = [
        migrations.RunPython(load_synonyms, migrations.RunPython.noop),
    ]
