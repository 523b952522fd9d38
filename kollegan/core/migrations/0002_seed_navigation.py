from django.db import migrations

SECTIONS = ["start", "questions", "calendar", "notes", "documents", "members", "help", "my_page"]


def seed(apps, schema_editor):
    NavigationItem = apps.get_model("core", "NavigationItem")
    SiteSettings = apps.get_model("core", "SiteSettings")
    for position, section in enumerate(SECTIONS):
        NavigationItem.objects.get_or_create(section=section, defaults={"position": position * 10})
    SiteSettings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
