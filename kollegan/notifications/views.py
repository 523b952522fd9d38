"""Notiser: the member's list (the bell's page), marking read, opening one, and
following a post or an event.

Every flow is a plain form and a redirect, so it works without JavaScript. A
notification that is not the member's is a 404; one whose item can no longer be
seen (hidden, deleted, or in a group the member has left) is a 404 page that
says so without telling anything about the item. Bad input is a 400 with a
message, nothing changed."""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from kollegan.events.selectors import event_for
from kollegan.feed.models import Post
from kollegan.lib.validation import is_row_id
from kollegan.lib.views import next_url
from kollegan.notifications import selectors, services
from kollegan.notifications.models import Target

# A primary key from a form: digits only, and few enough for any database.
PK_PATTERN = re.compile(r"[0-9]{1,18}")
FOLLOWABLE = {Target.POST, Target.EVENT, Target.DOCUMENT}


def _message(request: HttpRequest, heading: str, message: str, status: int) -> HttpResponse:
    context = {"heading": heading, "message": message}
    return render(request, "notifications/unavailable.html", context, status=status)


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return _message(request, _("That is not possible"), message, 400)


def _list_url(unread_only: bool, cursor: str = "") -> str:
    params = (("olasta", "1" if unread_only else ""), ("fore", cursor))
    query = urlencode({key: value for key, value in params if value})
    return f"{reverse('notifications:list')}?{query}" if query else reverse("notifications:list")


@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    """Newest first; ?olasta=1 shows only unread ones, ?fore= continues after a cursor."""
    unread_only = request.GET.get("olasta") == "1"
    cursor = request.GET.get("fore", "").strip()[:100]
    try:
        page = selectors.notifications_page(request.user, cursor, unread_only)
    except ValidationError as error:
        return _bad_request(request, error.messages[0])
    if page.gone_unread:
        # What can no longer be opened (hidden, removed, a group left) leaves the bell.
        services.notifications_read(member=request.user, ids=page.gone_unread)
    context = {
        "rows": page.rows,
        "unread_only": unread_only,
        "earlier": bool(cursor),
        "older_url": _list_url(unread_only, page.next_cursor) if page.next_cursor else "",
        "newest_url": _list_url(unread_only),
        "here": request.get_full_path(),
    }
    return render(request, "notifications/list.html", context)


@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """``ids`` (repeated) or ``all=1``; ids that are not the member's are ignored."""
    if request.POST.get("all") == "1":
        ids = None
    else:
        values = request.POST.getlist("ids")
        if not values or not all(PK_PATTERN.fullmatch(value) for value in values):
            return _bad_request(request, _("Choose which notifications to mark as read."))
        ids = [int(value) for value in values]
    services.notifications_read(member=request.user, ids=ids)
    if ids is None:
        messages.success(request, _("All notifications are marked as read."))
    return redirect(next_url(request, reverse("notifications:list")))


@require_safe
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark it read and go to the item."""
    found = selectors.notification_for(request.user, pk)
    if found is None:
        raise Http404
    note, row = found
    if note.read_at is None:
        # Also when the item is gone: the bell should not count what cannot be opened.
        services.notifications_read(member=request.user, ids=[note.pk])
    if row is None:
        message = _(
            "What this notification was about can no longer be shown. It may have been "
            "hidden or removed, or it belongs to a group you are no longer in."
        )
        return _message(request, _("No longer available"), message, 404)
    return redirect(row.path)


def _followable_url(request: HttpRequest, target_type: str, target_id: int) -> str:
    """The post's or event's address, when the member may see it; else 404."""
    if target_type not in FOLLOWABLE or not is_row_id(target_id):
        raise Http404
    if target_type == Target.POST:
        if not Post.objects.filter(pk=target_id, hidden_at__isnull=True).exists():
            raise Http404
        return reverse("feed:post", args=[target_id])
    if target_type == Target.DOCUMENT:
        from kollegan.documents.models import Document

        if not Document.objects.filter(pk=target_id, hidden_at__isnull=True).exists():
            raise Http404
        return reverse("documents:detail", args=[target_id])
    event = event_for(request.user, target_id)
    if event is None:
        raise Http404
    return event.get_absolute_url()


FOLLOW_MESSAGES = {
    (Target.POST, True): gettext_lazy("You follow the post and are told about new replies."),
    (Target.POST, False): gettext_lazy("You no longer follow the post."),
    (Target.EVENT, True): gettext_lazy(
        "You follow the event and are told when it changes or is cancelled."
    ),
    (Target.EVENT, False): gettext_lazy("You no longer follow the event."),
    (Target.DOCUMENT, True): gettext_lazy(
        "You follow the document and are told about new versions and comments."
    ),
    (Target.DOCUMENT, False): gettext_lazy("You no longer follow the document."),
}


@require_POST
def follow(request: HttpRequest, target_type: str, target_id: int) -> HttpResponse:
    """``follow=1`` to follow, ``follow=0`` to stop."""
    default = _followable_url(request, target_type, target_id)
    value = request.POST.get("follow", "")
    if value not in ("0", "1"):
        return _bad_request(request, _("Choose whether to follow or not."))
    following = value == "1"
    services.follow_set(
        member=request.user,
        target_type=Target(target_type),
        target_id=target_id,
        follow=following,
    )
    messages.success(request, str(FOLLOW_MESSAGES[target_type, following]))
    return redirect(next_url(request, default))
