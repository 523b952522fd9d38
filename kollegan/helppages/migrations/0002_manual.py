"""The first manual (kollegan/helppages/manual/*.md). A page is created only when
no page has its address yet: administrators' edits are kept, and a later
migration adds new pages with the same create_missing(...)."""

from django.db import migrations


def load_manual(apps, schema_editor):
    from kollegan.helppages.manual import create_missing

    create_missing(apps.get_model("helppages", "HelpPage"))


class Migration(migrations.Migration):
    dependencies = [
        ("helppages", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_manual, migrations.RunPython.noop),
    ]
