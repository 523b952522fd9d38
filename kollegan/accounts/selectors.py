from django.db.models import Q

from kollegan.accounts.models import Organisation


def organisation_by_name(name: str) -> Organisation | None:
    """Find an organisation by name or short name, ignoring case ("malå", "Malå kommun")."""
    name = name.strip()
    if not name:
        return None
    short = name.removesuffix(" kommun").removesuffix(" Kommun")
    return (
        Organisation.objects.filter(
            Q(name__iexact=name) | Q(name__iexact=short) | Q(slug__iexact=short)
        )
        .order_by("pk")
        .first()
    )
