from django.db import migrations

R8 = ["Dorotea", "Lycksele", "Malå", "Norsjö", "Sorsele", "Storuman", "Vilhelmina", "Åsele"]
SLUGS = {"Malå": "mala", "Norsjö": "norsjo", "Åsele": "asele"}


def seed(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    for name in R8:
        Organisation.objects.get_or_create(
            name=name, defaults={"slug": SLUGS.get(name, name.lower()), "kind": "municipality"}
        )
    Organisation.objects.get_or_create(
        name="FoU Välfärd Region Västerbotten", defaults={"slug": "fou-valfard", "kind": "region"}
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
