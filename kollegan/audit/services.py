from kollegan.accounts.models import Member
from kollegan.audit.models import Action, AuditEntry


def audit_log(
    *,
    action: Action,
    actor: Member | None,
    subject: Member | None = None,
    subject_label: str = "",
    detail: dict | None = None,
) -> AuditEntry:
    """Record one entry. Call it inside the service's transaction, so the entry and
    the change it describes are written together or not at all."""
    return AuditEntry.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor.name if actor is not None else "",
        subject=subject,
        subject_label=subject_label or (str(subject) if subject is not None else ""),
        detail=detail or {},
    )
