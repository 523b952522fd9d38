"""The manual's page about the chat (kollegan/helppages/manual/14-chatt.md),
created only where no page has its address yet."""

from django.db import migrations


def load_chat_page(apps, schema_editor):
    from kollegan.helppages.manual import create_missing

    create_missing(apps.get_model("helppages", "HelpPage"), slugs={"chatt"})


class Migration(migrations.Migration):
    dependencies = [
        ("helppages", "0002_manual"),
    ]

    operations = [
        migrations.RunPython(load_chat_page, migrations.RunPython.noop),
    ]
