"""Dokument's many-row parts as HTML built in Python: the list's rows, the
changes, a document's history and its comments.

Through templates a document row cost about 0.9 ms and a comment 0.6 ms (the
benchmark's list of 25 documents spent 22 of its 62 ms there, the guideline's
60 comments 36 ms), for markup that is the same every time. As in
kollegan.questions.rendering, every value from the database goes through
``esc``, the texts are the HTML sanitised when they were written, and every
translated word is looked up once per page."""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kollegan.documents.models import (
    Document,
    DocumentComment,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
)
from kollegan.lib.html import LocalTimes, avatar, built, esc, url_maker


class Labels:
    """The translated words and the address patterns, once per page."""

    def __init__(self) -> None:
        self.times = LocalTimes()
        self.kinds = {value: esc(label) for value, label in DocumentKind.choices}
        self.statuses = {value: esc(label) for value, label in DocumentStatus.choices}
        self.topics = esc(_("Topics"))
        self.first = esc(_("The first version"))
        self.no_note = esc(_("No note on what changed"))
        self.what_changed = esc(_("What changed"))
        self.current = esc(_("current"))
        self.before = esc(_("Compare with the one before"))
        self.with_current = esc(_("Compare with the current one"))
        self.delete_comment = esc(_("Delete the comment"))
        self.you = esc(_("(you)"))
        self.document_url = url_maker("documents:detail")
        self.compare_url = url_maker("documents:compare")
        self.comment_delete_url = url_maker("documents:comment_delete")
        self.profile_url = url_maker("profiles:detail")
        self.list_url = reverse("documents")

    def version_url(self, document_id: int, number: int) -> str:
        return f"{self.document_url(document_id)}version/{number}/"

    def compare(self, document_id: int, old: int, new: int) -> str:
        return esc(f"{self.compare_url(document_id)}?fran={old}&till={new}")

    def note(self, version: DocumentVersion) -> str:
        """What a version's author wrote about it, or what it was."""
        if version.change_note:
            return esc(version.change_note)
        if version.restored_from:
            return esc(_("Restored from version %(number)s") % {"number": version.restored_from})
        if version.number == 1:
            return self.first
        return f'<span class="muted">{self.no_note}</span>'


def _by(member, text: str) -> str:
    return esc(text % {"name": member.name, "organisation": member.organisation.name})


def document_rows(documents: Iterable[Document], labels: Labels | None = None) -> SafeString:
    """The list's rows (topics prefetched, updated_by and organisation joined)."""
    labels = labels or Labels()
    rows = []
    for document in documents:
        parts = [
            f'<li class="question-row"><h2 class="question-row__title">'
            f'<a href="{labels.document_url(document.pk)}">{esc(document.title)}</a></h2>'
            f'<p class="question-row__meta"><span class="badge badge--{esc(document.status)}">'
            f"{labels.statuses.get(document.status, esc(document.status))}</span> "
            f"<span>{labels.kinds.get(document.kind, esc(document.kind))}</span> "
            f'<span aria-hidden="true">·</span> '
            f"<span>{esc(_('version %(number)s') % {'number': document.version_number})}</span>"
        ]
        if document.comment_count:
            count = document.comment_count
            text = ngettext("%(count)s comment", "%(count)s comments", count) % {"count": count}
            parts.append(f' <span aria-hidden="true">·</span> <span>{esc(text)}</span>')
        parts.append("</p>")
        topics = list(document.topics.all())
        if topics:
            tags = "".join(
                f'<li><a class="tag" href="{labels.list_url}?amne={esc(topic.slug)}">'
                f"{esc(topic.name)}</a></li>"
                for topic in topics
            )
            parts.append(
                f'<ul class="tag-list tag-list--small" aria-label="{labels.topics}">{tags}</ul>'
            )
        changed = _by(document.updated_by, _("Changed by %(name)s, %(organisation)s"))
        parts.append(
            f'<p class="question-row__meta"><span>{changed}</span> '
            f"{labels.times.element(document.updated_at)}</p></li>"
        )
        rows.append("".join(parts))
    return built("".join(rows))


def change_rows(
    versions: Iterable[DocumentVersion], heading: str = "h2", labels: Labels | None = None
) -> SafeString:
    """Saved versions across documents, newest first (document, author joined)."""
    labels = labels or Labels()
    rows = []
    for version in versions:
        document_id = version.document_id
        what = ""
        if version.number > 1:
            url = labels.compare(document_id, version.number - 1, version.number)
            what = f' <a href="{url}">{labels.what_changed}</a>'
        number = esc(_("Version %(number)s") % {"number": version.number})
        rows.append(
            f'<li class="question-row"><{heading} class="question-row__title">'
            f'<a href="{labels.document_url(document_id)}">{esc(version.document.title)}</a>'
            f'</{heading}><p class="question-row__excerpt">'
            f'<a href="{labels.version_url(document_id, version.number)}">{number}</a>: '
            f"{labels.note(version)}{what}</p>"
            f'<p class="question-row__meta"><span>'
            f"{_by(version.author, _('by %(name)s, %(organisation)s'))}</span> "
            f'<span aria-hidden="true">·</span> {labels.times.element(version.created_at)}</p></li>'
        )
    return built("".join(rows))


def history_rows(
    document: Document, versions: Iterable[DocumentVersion], labels: Labels | None = None
) -> SafeString:
    """One document's versions, newest first (author joined)."""
    labels = labels or Labels()
    current = document.version_number
    rows = []
    for version in versions:
        number = version.number
        shown = esc(_("version %(number)s") % {"number": number})
        is_current = number == current
        badge = f' <span class="badge">{labels.current}</span>' if is_current else ""
        links = []
        if number > 1:
            links.append(
                f'<a href="{labels.compare(document.pk, number - 1, number)}">{labels.before}'
                f'<span class="visually-hidden"> ({shown})</span></a>'
            )
        if not is_current:
            links.append(
                f'<a href="{labels.compare(document.pk, number, current)}">{labels.with_current}'
                f'<span class="visually-hidden"> ({shown})</span></a>'
            )
        rows.append(
            f'<li class="version{" version--current" if is_current else ""}"><h3>'
            f'<a href="{labels.version_url(document.pk, number)}">'
            f"{esc(_('Version %(number)s') % {'number': number})}</a>{badge}</h3>"
            f'<p class="version__note">{labels.note(version)}</p>'
            f'<p class="question-row__meta"><span>'
            f"{_by(version.author, _('by %(name)s, %(organisation)s'))}</span> "
            f'<span aria-hidden="true">·</span> {labels.times.element(version.created_at)}</p>'
            f'<p class="link-row">{" ".join(links)}</p></li>'
        )
    return built("".join(rows))


def comment_items(
    comments: Iterable[DocumentComment], viewer, labels: Labels | None = None
) -> SafeString:
    """The comments with their bylines (never anonymous); ``may_delete`` set on each."""
    labels = labels or Labels()
    items = []
    for comment in comments:
        author = comment.author
        you = f' <span class="byline__you">{labels.you}</span>' if author.pk == viewer.pk else ""
        edited = ""
        if comment.edited_at:
            _iso, shown = labels.times.when(comment.edited_at)
            edited = " · " + esc(_("edited %(date)s") % {"date": shown})
        about = ""
        if comment.version_id:
            url = labels.version_url(comment.document_id, comment.version.number)
            about = (
                '<p class="muted">'
                + _('About <a href="%(url)s">version %(number)s</a>')
                % {"url": esc(url), "number": comment.version.number}
                + "</p>"
            )
        delete = ""
        if getattr(comment, "may_delete", False):
            delete = (
                f'<div class="item-actions"><a href="{labels.comment_delete_url(comment.pk)}">'
                f"{labels.delete_comment}</a></div>"
            )
        photo = author.photo_url() if author.photo_key else ""
        items.append(
            f'<li class="answer" id="kommentar-{comment.pk}"><div class="byline">'
            f"{avatar(author.name, photo)}"
            f'<span class="byline__text"><a class="byline__name" '
            f'href="{labels.profile_url(author.pk)}">{esc(author.name)}</a>, '
            f"{esc(author.organisation.name)}{you} "
            f'<span class="byline__time">{labels.times.element(comment.created_at)}{edited}'
            f"</span></span></div>{about}"
            f'<div class="prose prose--comment">{comment.html}</div>{delete}</li>'
        )
    return built("".join(items))
