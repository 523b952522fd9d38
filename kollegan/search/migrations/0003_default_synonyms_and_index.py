"""The default synonyms (data/synonyms.txt), and an index of what is already
there when search arrives on a running site."""

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


def index_existing(apps, schema_editor):
    # The live models, not the historical ones: indexing reads them as the site
    # does. On a new database this indexes only the help manual.
    from kollegan.search.indexing import rebuild

    rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_engines"),
        ("accounts", "0006_member_unread_notifications"),
        ("questions", "0001_initial"),
        ("feed", "0003_feedentry_note_alter_feedentry_kind_and_more"),
        ("events", "0001_initial"),
        ("notes", "0001_initial"),
        ("documents", "0001_initial"),
        ("files", "0001_initial"),
        ("helppages", "0002_manual"),
        ("groups", "0001_initial"),
        ("topics", "0002_seed_topics"),
    ]

    operations = [
        migrations.RunPython(load_synonyms, migrations.RunPython.noop),
        migrations.RunPython(index_existing, migrations.RunPython.noop),
    ]
