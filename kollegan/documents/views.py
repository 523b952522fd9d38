"""Dokument: the list with its collections, writing and editing a document (with
a preview), one document with its files, adoption table and comments, the
history, one version, comparing two versions, restoring one, the latest
changes, the status, deleting, and recording an organisation's decision.

Every flow is a plain form and a redirect; htmx only fetches the preview in
place. Bad input comes back as the same form with the message at its field and
status 400; a save from a version that is no longer the current one comes back
with status 409, the other person's changes and the member's own text kept;
"not yours" is a 403 page saying why; a hidden or missing document is a 404."""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kollegan.accounts.models import Organisation
from kollegan.documents import rendering, selectors, services
from kollegan.documents.diff import side_by_side, word_diff
from kollegan.documents.forms import AdoptionForm, CommentForm, DocumentForm, StatusForm
from kollegan.documents.models import (
    Adoption,
    AdoptionStatus,
    Document,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
)
from kollegan.feed.selectors import topics_for_filter
from kollegan.files.selectors import attachments_for
from kollegan.lib.markdown import render_markdown
from kollegan.lib.views import refusals
from kollegan.notifications.models import Target
from kollegan.notifications.selectors import is_following

_refusals = refusals("documents/refused.html")

# A version number in a query string: digits only, few enough for any database.
NUMBER_PATTERN = re.compile(r"[0-9]{1,9}")
LATEST_ON_LIST = 5


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "documents/refused.html", {"message": message}, status=400)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- Getters that check who may see and do -----------------------------------------------------


def _document_for(request: HttpRequest, pk: int) -> Document:
    document = selectors.document_for(request.user, pk)
    if document is None:
        raise Http404
    return document


def _require_editor(request: HttpRequest, document: Document) -> None:
    """The services say the same, but the GET pages must refuse before they show a form."""
    if not services.may_edit(request.user, document):
        raise PermissionDenied(
            _("The document is archived: only its owner and moderators can change it.")
        )


def _require_manager(request: HttpRequest, document: Document) -> None:
    if not services.may_manage(request.user, document):
        raise PermissionDenied(_("Only the document's owner and moderators can do that."))


# --- The list, its collections and the latest changes ------------------------------------------


def _list_url(**params: str) -> str:
    query = urlencode({key: value for key, value in params.items() if value})
    return f"{reverse('documents')}?{query}" if query else reverse("documents")


@require_safe
def document_list(request: HttpRequest) -> HttpResponse:
    """Latest changed first. ?amne= topic, ?typ= type, ?status=, ?arkiverade=1 also
    the archived ones, ?fore= continues after a cursor."""
    topic = request.GET.get("amne", "").strip()[:80]
    kind = request.GET.get("typ", "").strip()[:20]
    status = request.GET.get("status", "").strip()[:20]
    archived = request.GET.get("arkiverade", "") == "1"
    cursor = request.GET.get("fore", "").strip()[:100]
    topics = topics_for_filter()
    counts, collections = selectors.collections()
    known_topics = {item.slug: item.name for item in [*topics, *collections]}
    if topic and topic not in known_topics:
        return _bad_request(request, _("There is no such topic."))
    try:
        page = selectors.documents_page(
            request.user,
            topic=topic,
            kind=kind,
            status=status,
            cursor=cursor,
            include_archived=archived,
        )
    except ValidationError as error:
        return _bad_request(request, error.messages[0])
    filters = {"amne": topic, "typ": kind, "status": status, "arkiverade": "1" if archived else ""}
    labels = rendering.Labels()
    latest = selectors.latest_changes(request.user, size=LATEST_ON_LIST).items
    context = {
        "documents": page.items,
        "rows": rendering.document_rows(page.items, labels),
        "topics": topics,
        "topic": topic,
        "topic_name": known_topics.get(topic, ""),
        "kind": kind,
        "kind_name": DocumentKind(kind).label if kind else "",
        "status": status,
        "status_name": DocumentStatus(status).label if status else "",
        "archived": archived,
        "kinds": DocumentKind.choices,
        "statuses": DocumentStatus.choices,
        "kind_collections": [
            (value, label, counts.get(value, 0), _list_url(typ=value))
            for value, label in DocumentKind.choices
        ],
        "topic_collections": [(item, _list_url(amne=item.slug)) for item in collections],
        "filtered": any(filters.values()),
        "earlier": bool(cursor),
        "older_url": _list_url(**filters, fore=page.next_cursor) if page.next_cursor else "",
        "newest_url": _list_url(**filters),
        "latest": latest,
        "latest_rows": rendering.change_rows(latest, "h3", labels),
    }
    return render(request, "documents/list.html", context)


@require_safe
def changes(request: HttpRequest) -> HttpResponse:
    """Every save of every document, newest first."""
    cursor = request.GET.get("fore", "").strip()[:100]
    try:
        page = selectors.latest_changes(request.user, cursor=cursor)
    except ValidationError as error:
        return _bad_request(request, error.messages[0])
    url = reverse("documents:changes")
    context = {
        "versions": page.items,
        "rows": rendering.change_rows(page.items, "h2"),
        "earlier": bool(cursor),
        "older_url": f"{url}?{urlencode({'fore': page.next_cursor})}" if page.next_cursor else "",
        "newest_url": url,
    }
    return render(request, "documents/changes.html", context)


# --- Writing and editing -----------------------------------------------------------------------


def _preview_or_none(request: HttpRequest, form: DocumentForm, **context) -> HttpResponse | None:
    """The "Preview" button: the Markdown rendered by the same sanitiser, nothing
    saved. With htmx only the preview; without, the whole form as it was written."""
    if "preview" not in request.POST:
        return None
    preview = render_markdown(request.POST.get("body", ""))
    if _is_htmx(request):
        return render(request, "documents/_preview.html", {"preview": preview, "asked": True})
    form.is_valid()
    return _render_form(request, form, preview=preview, **context)


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        initial = {
            "topics": [slug for slug in request.GET.getlist("amne") if slug],
            "kind": request.GET.get("typ", DocumentKind.GUIDELINE),
            "status": DocumentStatus.DRAFT,
        }
        return _render_form(request, DocumentForm(initial=initial))
    form = DocumentForm(request.POST)
    previewed = _preview_or_none(request, form)
    if previewed is not None:
        return previewed
    document = form.is_valid() and form.attempt(
        lambda data: services.document_create(
            author=request.user,
            title=data["title"],
            body=data["body"],
            kind=data["kind"],
            topics=data["topics"],
            status=data["status"],
            change_note=data["change_note"],
            confirmed=data["confirmed"],
        )
    )
    if not document:
        return _render_form(request, form, status=400)
    messages.success(request, _("The document is published."))
    return redirect(document)


@require_http_methods(["GET", "POST"])
@_refusals
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document_for(request, pk)
    _require_editor(request, document)
    if request.method != "POST":
        initial = {
            "title": document.title,
            "kind": document.kind,
            "body": document.body,
            "topics": [topic.slug for topic in document.topics.all()],
            "base_version": document.version_number,
        }
        return _render_form(
            request, DocumentForm(initial=initial, document=document), document=document
        )
    form = DocumentForm(request.POST, document=document)
    previewed = _preview_or_none(request, form, document=document)
    if previewed is not None:
        return previewed
    try:
        version = form.is_valid() and form.attempt(
            lambda data: services.document_save(
                document=document,
                editor=request.user,
                title=data["title"],
                body=data["body"],
                base_version=data["base_version"],
                change_note=data["change_note"],
                topics=data["topics"],
                kind=data["kind"],
                confirmed=data["confirmed"],
            )
        )
    except services.StaleEditError as stale:
        return _render_stale(request, document, stale)
    if not version:
        return _render_form(request, form, document=document, status=400)
    messages.success(
        request, _("Your changes are saved as version %(number)d.") % {"number": version.number}
    )
    return redirect(document)


def _render_stale(
    request: HttpRequest, document: Document, stale: services.StaleEditError
) -> HttpResponse:
    """Someone saved while the member wrote: their text stays in the form, now
    based on the current version (so saving again is a deliberate choice), and the
    page shows what the other person changed."""
    current = selectors.document_for(request.user, document.pk)
    if current is None:
        raise Http404
    data = request.POST.copy()
    data["base_version"] = str(current.version_number)
    form = DocumentForm(data, document=current)
    form.is_valid()
    base = selectors.version_of(current, stale.base_version)
    newer = list(
        current.versions.filter(number__gt=stale.base_version)
        .defer("body")
        .select_related("author", "author__organisation")
        .order_by("number")
    )
    context = {
        "stale": True,
        "base": base,
        "newer": newer,
        "their_changes": word_diff(base.body, current.body) if base else "",
        "their_title": (base.title, current.title)
        if base and base.title != current.title
        else None,
    }
    return _render_form(request, form, document=current, status=409, **context)


def _render_form(
    request: HttpRequest,
    form: DocumentForm,
    *,
    document: Document | None = None,
    preview: str | None = None,
    status: int = 200,
    **extra,
) -> HttpResponse:
    action = (
        reverse("documents:edit", args=[document.pk]) if document else reverse("documents:create")
    )
    context = {"form": form, "document": document, "preview": preview, "action": action, **extra}
    return render(request, "documents/form.html", context, status=status)


# --- One document ------------------------------------------------------------------------------


@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """?kommentera=<n> starts a comment about version n (the link on a version's page)."""
    document = _document_for(request, pk)
    about = request.GET.get("kommentera", "").strip()
    initial = {"version": about} if NUMBER_PATTERN.fullmatch(about) else {}
    return _render_detail(
        request, document, comment_form=CommentForm(initial=initial, document=document)
    )


def _render_detail(
    request: HttpRequest,
    document: Document,
    *,
    comment_form: CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    member = request.user
    table = selectors.adoption_table(document)
    adoption_ids = [adoption.pk for _organisation, adoption in table if adoption]
    variant_files = attachments_for("adoption", adoption_ids)
    rows = [
        {
            "organisation": organisation,
            "adoption": adoption,
            "files": variant_files.get(adoption.pk, []) if adoption else [],
            "may_record": services.may_record_for(member, organisation),
            "record_url": _adoption_url(document, organisation, member),
        }
        for organisation, adoption in table
    ]
    comments = selectors.comments_of(document)
    for comment in comments:
        comment.may_delete = services.may_delete_comment(member, comment)
    may_edit = services.may_edit(member, document)
    context = {
        "document": document,
        "topics": list(document.topics.all()),
        "may_edit": may_edit,
        "may_manage": services.may_manage(member, document),
        "following": is_following(member, Target.DOCUMENT, document.pk),
        "comment_items": rendering.comment_items(comments, member),
        "attachments": attachments_for("document", [document.pk]).get(document.pk, []),
        "attach_url": reverse("files:attach", args=["dokument", document.pk]) if may_edit else "",
        "adoption_rows": rows,
        "adopted_count": sum(1 for row in rows if row["adoption"]),
        "own_adoption_url": _adoption_url(document, member.organisation, member),
        "comments": comments,
        "comment_form": comment_form or CommentForm(document=document),
        "VARIANT": AdoptionStatus.VARIANT,
    }
    return render(request, "documents/detail.html", context, status=status)


def _adoption_url(document: Document, organisation: Organisation, member) -> str:
    url = reverse("documents:adoption", args=[document.pk])
    if member.is_moderator and organisation.pk != member.organisation_id:
        url += f"?{urlencode({'organisation': organisation.pk})}"
    return url


# --- Versions: history, one version, comparing, restoring --------------------------------------


@require_safe
def history(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document_for(request, pk)
    cursor = request.GET.get("fore", "").strip()[:20]
    try:
        page = selectors.versions_page(document, cursor=cursor)
    except ValidationError as error:
        return _bad_request(request, error.messages[0])
    url = reverse("documents:history", args=[document.pk])
    context = {
        "document": document,
        "versions": page.items,
        "rows": rendering.history_rows(document, page.items),
        "earlier": bool(cursor),
        "older_url": f"{url}?{urlencode({'fore': page.next_cursor})}" if page.next_cursor else "",
        "newest_url": url,
    }
    return render(request, "documents/history.html", context)


def _version_for(document: Document, number: int) -> DocumentVersion:
    version = selectors.version_of(document, number)
    if version is None:
        raise Http404
    return version


@require_safe
def version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    document = _document_for(request, pk)
    shown = _version_for(document, number)
    context = {
        "document": document,
        "version": shown,
        "html": render_markdown(shown.body, mentions=True),
        "is_current": shown.number == document.version_number,
        "may_edit": services.may_edit(request.user, document),
    }
    return render(request, "documents/version.html", context)


def _number_param(request: HttpRequest, name: str, default: int) -> int:
    value = request.GET.get(name, "").strip()
    if not value:
        return default
    if not NUMBER_PATTERN.fullmatch(value) or int(value) < 1:
        raise ValueError(value)
    return int(value)


@require_safe
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    """?fran=<n>&till=<m> (the previous and the current version when left out);
    ?visa=sida side by side, ?visa=rad as one text."""
    document = _document_for(request, pk)
    current = document.version_number
    try:
        old_number = _number_param(request, "fran", max(current - 1, 1))
        new_number = _number_param(request, "till", current)
    except ValueError:
        return _bad_request(request, _("Give the versions to compare as numbers, e.g. 1 and 2."))
    mode = request.GET.get("visa", "sida")
    if mode not in ("sida", "rad"):
        return _bad_request(request, _("Show the comparison side by side or as one text."))
    versions = selectors.versions_of(document, [old_number, new_number])
    missing = [number for number in (old_number, new_number) if number not in versions]
    if missing:
        message = _("The document has no version %(number)s.") % {"number": missing[0]}
        return _bad_request(request, message)
    old, new = versions[old_number], versions[new_number]
    base = reverse("documents:compare", args=[document.pk])

    def mode_url(value: str) -> str:
        return f"{base}?{urlencode({'fran': old.number, 'till': new.number, 'visa': value})}"

    context = {
        "document": document,
        "old": old,
        "new": new,
        "mode": mode,
        "same": old.body == new.body and old.title == new.title,
        "title_diff": word_diff(old.title, new.title) if old.title != new.title else "",
        "inline": word_diff(old.body, new.body) if mode == "rad" else "",
        "rows": side_by_side(old.body, new.body) if mode == "sida" else [],
        "side_url": mode_url("sida"),
        "inline_url": mode_url("rad"),
    }
    return render(request, "documents/compare.html", context)


@require_http_methods(["GET", "POST"])
@_refusals
def restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """GET shows what restoring version ``number`` would change; POST restores it
    as a new version, unless someone saved since the page was shown."""
    document = _document_for(request, pk)
    _require_editor(request, document)
    old = _version_for(document, number)
    if request.method != "POST":
        return _render_restore(request, document, old)
    base = request.POST.get("base_version", "").strip()
    if not NUMBER_PATTERN.fullmatch(base):
        return _render_restore(
            request, document, old, error=_("The form was incomplete. Try again."), status=400
        )
    try:
        restored = services.document_restore(
            document=document, editor=request.user, number=old.number, base_version=int(base)
        )
    except services.StaleEditError:
        fresh = _document_for(request, pk)
        message = _(
            "Someone else saved a new version in the meantime. Look at what restoring "
            "would change now, and restore again if you still want to."
        )
        return _render_restore(request, fresh, old, error=message, status=409)
    except ValidationError as error:
        return _render_restore(request, document, old, error=error.messages[0], status=400)
    messages.success(
        request,
        _("Version %(old)d is restored as version %(new)d.")
        % {"old": old.number, "new": restored.number},
    )
    return redirect(document)


def _render_restore(
    request: HttpRequest,
    document: Document,
    old: DocumentVersion,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "document": document,
        "version": old,
        "error": error,
        "is_current": old.number == document.version_number,
        "same": old.body == document.body and old.title == document.title,
        "changes": word_diff(document.body, old.body),
        "title_diff": word_diff(document.title, old.title) if document.title != old.title else "",
    }
    return render(request, "documents/restore.html", context, status=status)


# --- Status and deleting -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@_refusals
def status(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document_for(request, pk)
    _require_manager(request, document)
    if request.method != "POST":
        form = StatusForm(initial={"status": document.status}, auto_id="status-%s")
        return render(request, "documents/status.html", {"document": document, "form": form})
    form = StatusForm(request.POST, auto_id="status-%s")
    if not form.is_valid():
        context = {"document": document, "form": form}
        return render(request, "documents/status.html", context, status=400)
    services.document_set_status(
        document=document, member=request.user, status=form.cleaned_data["status"]
    )
    messages.success(
        request,
        _("The status is now “%(status)s”.") % {"status": document.get_status_display()},
    )
    return redirect(document)


@require_http_methods(["GET", "POST"])
@_refusals
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document_for(request, pk)
    _require_manager(request, document)
    if request.method != "POST":
        return render(request, "documents/delete.html", {"document": document})
    services.document_delete(document=document, member=request.user)
    messages.success(request, _("The document is deleted."))
    return redirect("documents")


# --- Comments ----------------------------------------------------------------------------------


@require_POST
@_refusals
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document_for(request, pk)
    form = CommentForm(request.POST, document=document)
    created = form.is_valid() and form.attempt(
        lambda data: services.comment_create(
            document=document,
            author=request.user,
            body=data["body"],
            version_number=data["version"],
            confirmed=data["confirmed"],
        )
    )
    if not created:
        return _render_detail(request, document, comment_form=form, status=400)
    messages.success(request, _("Your comment is published."))
    return redirect(created)


@require_http_methods(["GET", "POST"])
@_refusals
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.comment_for(request.user, pk)
    if item is None:
        raise Http404
    if not services.may_delete_comment(request.user, item):
        raise PermissionDenied(
            _("Only the one who wrote the comment and moderators can delete it.")
        )
    if request.method != "POST":
        return render(request, "documents/comment_delete.html", {"comment": item})
    services.comment_delete(comment=item, member=request.user)
    messages.success(request, _("The comment is deleted."))
    return redirect(f"{item.document.get_absolute_url()}#kommentarer")


# --- Adoption ----------------------------------------------------------------------------------


def _organisation_for(request: HttpRequest) -> Organisation:
    """Whose decision the page is about: ?organisation= for moderators, otherwise
    the member's own organisation."""
    member = request.user
    value = request.GET.get("organisation", "").strip()
    if not value or not member.is_moderator:
        return member.organisation
    if not NUMBER_PATTERN.fullmatch(value):
        raise Http404
    organisation = Organisation.objects.filter(pk=int(value)).first()
    if organisation is None:
        raise Http404
    return organisation


@require_http_methods(["GET", "POST"])
@_refusals
def adoption(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document_for(request, pk)
    member = request.user
    if request.method != "POST":
        organisation = _organisation_for(request)
        recorded = selectors.adoption_of(document, organisation)
        initial = {"organisation": organisation.pk, "version_number": document.version_number}
        if recorded is not None:
            initial.update(
                status=recorded.status,
                decided_on=recorded.decided_on,
                decided_by=recorded.decided_by,
                variant_url=recorded.variant_url,
                version_number=recorded.version_number,
            )
        form = AdoptionForm(initial=initial, document=document, member=member)
        return _render_adoption(request, document, form, organisation, recorded)
    form = AdoptionForm(request.POST, document=document, member=member)
    if not form.is_valid():
        organisation = form.cleaned_data.get("organisation") or member.organisation
        recorded = selectors.adoption_of(document, organisation)
        return _render_adoption(request, document, form, organisation, recorded, status=400)
    organisation = form.cleaned_data["organisation"]
    recorded = form.attempt(
        lambda data: services.adoption_record(
            document=document,
            member=member,
            organisation=organisation,
            status=data["status"],
            decided_on=data["decided_on"],
            decided_by=data["decided_by"],
            variant_url=data["variant_url"],
            version_number=data["version_number"],
        )
    )
    if recorded is None:
        earlier = selectors.adoption_of(document, organisation)
        return _render_adoption(request, document, form, organisation, earlier, status=400)
    messages.success(
        request,
        _("The decision of %(organisation)s is saved.") % {"organisation": organisation.name},
    )
    if recorded.status == AdoptionStatus.VARIANT and not recorded.variant_url:
        # Next step: attach the local variant, on the same page.
        return redirect(_adoption_url(document, organisation, member))
    return redirect(f"{document.get_absolute_url()}#antagande")


def _render_adoption(
    request: HttpRequest,
    document: Document,
    form: AdoptionForm,
    organisation: Organisation,
    recorded: Adoption | None,
    *,
    status: int = 200,
) -> HttpResponse:
    page_url = _adoption_url(document, organisation, request.user)
    context = {
        "document": document,
        "form": form,
        "organisation": organisation,
        "recorded": recorded,
        "organisations": Organisation.objects.order_by("name") if request.user.is_moderator else [],
        "attachments": attachments_for("adoption", [recorded.pk]).get(recorded.pk, [])
        if recorded
        else [],
        "attach_url": reverse("files:attach", args=["variant", recorded.pk]) if recorded else "",
        "may_delete_files": recorded is not None
        and services.may_record_for(request.user, organisation),
        "next": page_url,
        "VARIANT": AdoptionStatus.VARIANT,
    }
    return render(request, "documents/adoption.html", context, status=status)
