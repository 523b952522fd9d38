from django.db import migrations

TOPICS = [
    ("Barn och unga", "barn-och-unga"),
    ("Ekonomiskt bistånd", "ekonomiskt-bistand"),
    ("Familjerätt", "familjeratt"),
    ("Försörjningsstöd", "forsorjningsstod"),
    ("Funktionshinder", "funktionshinder"),
    ("Heder", "heder"),
    ("Jämställdhet", "jamstalldhet"),
    ("Missbruk och beroende", "missbruk-och-beroende"),
    ("Psykisk hälsa", "psykisk-halsa"),
    ("Våld", "vald"),
    ("Övrigt", "ovrigt"),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("topics", "Topic")
    for position, (name, slug) in enumerate(TOPICS):
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("topics", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
