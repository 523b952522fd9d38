"""Background work on django-tasks (database backend): the fast path. The
periodic job (``manage.py periodic``) is the safety net that finds anything a
lost task left behind, and sends the digests."""

import datetime as dt

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from kollegan.notifications import delivery


def _wake_later(moment: dt.datetime | None) -> None:
    """Run ``deliver`` again when the next e-mail is due, if the backend can wait
    and no run is already waiting for that moment."""
    if moment is None:
        return
    if moment <= timezone.now():
        deliver.enqueue()
        return
    if not deliver.get_backend().supports_defer:
        return
    waiting = DBTaskResult.objects.filter(
        task_path=deliver.module_path, status=TaskResultStatus.READY, run_after__lte=moment
    )
    if not waiting.exists():
        deliver.using(run_after=moment).enqueue()


@task()
def fan_out(*, activity_id: int) -> int:
    created = delivery.activity_fan_out(activity_id)
    if created:
        _wake_later(delivery.next_wakeup())
    return created


@task()
def deliver() -> dict:
    counts = delivery.deliver_now()
    _wake_later(delivery.next_wakeup())
    return counts


def periodic() -> dict[str, int]:
    """Every minute: stragglers, digests, and a delivery round."""
    stragglers = delivery.fan_out_stragglers()
    digests = delivery.compose_digests()
    counts = delivery.deliver_now()
    return {"fanned_out": stragglers, "digests": digests, "emails_sent": counts["sent"]}
