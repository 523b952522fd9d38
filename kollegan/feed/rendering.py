"""The feed's entries, pinned posts and like buttons as HTML, built in Python.

The start page shows a page of 20 entries and up to five pinned posts. Through
Django's template engine each post cost about 0.8 ms (includes, url tags,
translations, filters), which put the page at 12 times the benchmark's
hello-world; here the same markup is put together with f-strings, as Frågor's
thread is (kollegan.questions.rendering, whose helpers this module uses): every
value from the database goes through ``esc``, the texts are the HTML sanitised
when they were written (``Written.html``), addresses come from one ``reverse``
per page and translations are looked up once per page (``Labels``).

Anonymity: a question's entry names its asker only through ``entry.actor``,
which is empty for an anonymous question; nothing here reads the question's
author. Posts are never anonymous."""

from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kollegan.accounts.models import Member
from kollegan.events.ics import display_title
from kollegan.feed.models import FeedEntry, Post
from kollegan.lib.html import (
    LocalTimes,
    avatar,
    built,
    csrf_input,
    esc,
    key_url_maker,
    url_maker,
)


class Labels:
    """Every translated word of the feed, looked up once per page."""

    def __init__(self) -> None:
        self.like = esc(_("Like"))
        self.unlike = esc(_("Unlike"))
        self.reply = esc(_("Reply"))
        self.edit = esc(_("Edit"))
        self.your_post = esc(_("your post"))
        self.topics = esc(_("Topics"))
        self.picture = esc(_("Picture attached to the post"))
        self.edited = esc(_("edited"))
        self.pinned = esc(_("Pinned"))
        self.show_more = esc(_("Show more"))
        # With placeholders for HTML: escaped here, filled in with escaped values.
        self.posted = esc(_("posted %(time)s"))
        self.asked = esc(_("%(name)s, %(organisation)s, asked the question %(title)s"))
        self.colleague_asked = esc(_("A colleague asked the question %(title)s"))
        # Events and meeting notes for everyone (a group's are never in the feed).
        self.added_event = esc(_("%(name)s added an event: %(title)s"))
        self.colleague_added_event = esc(_("A colleague added an event: %(title)s"))
        self.wrote_note = esc(_("%(name)s wrote meeting notes: %(title)s"))
        self.colleague_wrote_note = esc(_("A colleague wrote meeting notes: %(title)s"))
        self.series = esc(_("Series"))
        self.cancelled = esc(_("Cancelled"))
        self.organiser = esc(_("Organiser: %(name)s"))
        self.from_meeting = esc(_("From the meeting %(meeting)s"))
        self.event_time = esc(_("Time of the event"))


def event_when(times: LocalTimes, start, end, all_day: bool) -> tuple[str, str]:
    """(ISO 8601, "6 september 2023, 08:15–09:00") of a date of an event, in
    Swedish time: an all-day event by its days, one over several days with both
    ends in full."""
    first, last = timezone.localtime(start), timezone.localtime(end)
    months = times.months

    def day(value) -> str:
        return f"{value.day} {months[value.month]} {value.year}"

    if all_day:
        # An all-day event ends at midnight after its last day.
        final = timezone.localtime(end - timedelta(microseconds=1))
        shown = day(first) if final.date() == first.date() else f"{day(first)}–{day(final)}"
        return first.date().isoformat(), shown
    if last.date() == first.date():
        return first.isoformat(), f"{day(first)}, {first:%H:%M}–{last:%H:%M}"
    return first.isoformat(), f"{day(first)}, {first:%H:%M} – {day(last)}, {last:%H:%M}"


class FeedHTML:
    """The feed for one reader and one page."""

    def __init__(self, *, viewer: Member, csrf_token: str, page_url: str = "") -> None:
        self.viewer_id = viewer.pk
        self.labels = Labels()
        self.csrf = csrf_input(csrf_token)
        self.page_url = page_url
        self.times = LocalTimes()
        self.start_url = reverse("start")
        self.post_url = url_maker("feed:post")
        self.like_url = url_maker("feed:like")
        self.likers_url = url_maker("feed:likers")
        self.edit_url = url_maker("feed:edit")
        self.profile_url = url_maker("profiles:detail")
        self.question_url = url_maker("questions:detail")
        self.event_url = url_maker("events:detail")
        self.occurrence_url = url_maker("events:occurrence")
        self.note_url = url_maker("notes:detail")
        self.image_url = key_url_maker("feed:image")
        self.photo_url = key_url_maker("profiles:photo", "small")

    # --- small pieces ---------------------------------------------------------------------------

    def when(self, value) -> tuple[str, str]:
        return self.times.when(value)

    def _time(self, value) -> str:
        return self.times.element(value)

    def _avatar(self, member: Member) -> str:
        photo = self.photo_url(member.photo_key) if member.photo_key else ""
        return avatar(member.name, photo)

    def _topics(self, topics: Iterable) -> str:
        items = "".join(
            f'<li><a class="tag" href="{esc(self.start_url)}?amne={esc(quote(topic.slug))}'
            f'#senaste">{esc(topic.name)}</a></li>'
            for topic in topics
        )
        if not items:
            return ""
        return (
            f'<ul class="tag-list tag-list--small" aria-label="{self.labels.topics}">{items}</ul>'
        )

    # --- a post -----------------------------------------------------------------------------------

    def content(self, post: Post, topics: Iterable, *, eager: bool = False) -> str:
        """The text, picture, link and topics. The picture's alt text only names it:
        there is no field for a description, so the form asks the writer to say in
        the text what the picture shows."""
        html = [f'<div class="prose post__body">{post.html}</div>']
        if post.image_key:
            lazy = "" if eager else ' loading="lazy"'
            html.append(
                f'<img class="post__image" src="{esc(self.image_url(post.image_key))}" '
                f'alt="{self.labels.picture}"{lazy}>'
            )
        if post.link:
            link = esc(post.link)
            html.append(
                f'<p class="post__link"><a href="{link}" rel="noopener noreferrer">{link}</a></p>'
            )
        html.append(self._topics(topics))
        return "".join(html)

    def like_form(self, post: Post, prefix: str) -> str:
        """Like or stop liking, and how many like the post. With htmx the form
        replaces itself with the answer; the button keeps its id, so htmx gives it
        the focus back. Without JavaScript the answer is a redirect to ``page_url``."""
        labels = self.labels
        url = esc(self.like_url(post.pk))
        liked = getattr(post, "liked", False)
        next_input = ""
        if self.page_url:
            target = esc(f"{self.page_url}#{prefix}-{post.pk}")
            next_input = f'<input type="hidden" name="next" value="{target}">'
        count = ""
        if post.like_count:
            text = ngettext("%(counter)s like", "%(counter)s likes", post.like_count) % {
                "counter": post.like_count
            }
            count = f'<a class="like-count" href="{esc(self.likers_url(post.pk))}">{esc(text)}</a>'
        button_class = "like-button like-button--on" if liked else "like-button button--secondary"
        return (
            f'<form method="post" action="{url}" class="like-form" hx-post="{url}" '
            f'hx-swap="outerHTML">{self.csrf}'
            f'<input type="hidden" name="value" value="{"off" if liked else "on"}">'
            f'<input type="hidden" name="plats" value="{esc(prefix)}">{next_input}'
            f'<button type="submit" id="{esc(prefix)}-gilla-{post.pk}" '
            f'class="button button--small {button_class}">'
            f"{labels.unlike if liked else labels.like}</button>{count}</form>"
        )

    def post(self, post: Post, author: Member, topics: Iterable, prefix: str) -> str:
        """A post in a list: who, when, what, and what one can do with it."""
        labels = self.labels
        post_url = esc(self.post_url(post.pk))
        heading_id = f"{esc(prefix)}-{post.pk}-vem"
        time = f'<a href="{post_url}">{self._time(post.created_at)}</a>'
        meta = [labels.posted % {"time": time}]
        if post.edited_at:
            meta.append(f" · {labels.edited}")
        if post.pinned_at:
            meta.append(f' <span class="badge badge--pinned">{labels.pinned}</span>')
        if post.reply_count:
            replies = ngettext("%(counter)s reply", "%(counter)s replies", post.reply_count) % {
                "counter": post.reply_count
            }
            reply_link = f'<a href="{post_url}#svar">{esc(replies)}</a>'
        else:
            reply_link = f'<a href="{post_url}#svar">{labels.reply}</a>'
        edit = ""
        if author.pk == self.viewer_id:
            edit = (
                f'<a href="{esc(self.edit_url(post.pk))}">{labels.edit}'
                f'<span class="visually-hidden"> {labels.your_post}</span></a>'
            )
        organisation = author.organisation.name if author.organisation_id else ""
        return (
            f'<article class="post" aria-labelledby="{heading_id}">'
            f'<header class="post__header">{self._avatar(author)}<div class="post__who">'
            f'<h3 class="post__author" id="{heading_id}">'
            f'<a href="{esc(self.profile_url(author.pk))}">{esc(author.name)}</a>'
            f'<span class="post__organisation">, {esc(organisation)}</span></h3>'
            f'<p class="post__time">{"".join(meta)}</p></div></header>'
            f"{self.content(post, topics)}"
            f'<div class="post__actions">{self.like_form(post, prefix)}{reply_link}{edit}</div>'
            "</article>"
        )

    # --- the feed ---------------------------------------------------------------------------------

    def _question(self, entry: FeedEntry) -> str:
        labels = self.labels
        question = entry.question
        title = f'<a href="{esc(self.question_url(question.pk))}">{esc(question.title)}</a>'
        actor = entry.actor
        if actor is None:
            heading = labels.colleague_asked % {"title": title}
        else:
            name = f'<a href="{esc(self.profile_url(actor.pk))}">{esc(actor.name)}</a>'
            organisation = actor.organisation.name if actor.organisation_id else ""
            heading = labels.asked % {
                "name": name,
                "organisation": esc(organisation),
                "title": title,
            }
        answers = ngettext("%(counter)s answer", "%(counter)s answers", question.answer_count)
        none = " answer-count--none" if not question.answer_count else ""
        return (
            f'<h3 class="feed-entry__title">{heading}</h3>'
            f'<p class="feed-entry__meta">{self._time(entry.created_at)} '
            f'<span aria-hidden="true">·</span> <span class="answer-count{none}">'
            f"{esc(answers % {'counter': question.answer_count})}</span></p>"
            f"{self._topics(entry.topic_list)}"
        )

    def _actor_says(self, entry: FeedEntry, named: str, unnamed: str, title: str) -> str:
        actor = entry.actor
        if actor is None:
            return unnamed % {"title": title}
        name = f'<a href="{esc(self.profile_url(actor.pk))}">{esc(actor.name)}</a>'
        return named % {"name": name, "title": title}

    def _event(self, entry: FeedEntry) -> str:
        """An event for everyone: who added it, its first date (a series' first
        one), whether it is a series or cancelled, its organiser and topics."""
        labels = self.labels
        event = entry.event
        title = f'<a href="{esc(self.event_url(event.pk))}">{esc(event.title)}</a>'
        heading = self._actor_says(entry, labels.added_event, labels.colleague_added_event, title)
        iso, shown = event_when(self.times, event.start, event.end, event.all_day)
        meta = [
            f'<span class="visually-hidden">{labels.event_time}: </span>'
            f'<time datetime="{esc(iso)}">{esc(shown)}</time>'
        ]
        if event.rrule:
            meta.append(f'<span class="badge badge--series">{labels.series}</span>')
        if event.cancelled_at is not None:
            meta.append(f'<span class="badge badge--cancelled">{labels.cancelled}</span>')
        if event.organiser_id:
            organiser = labels.organiser % {"name": esc(event.organiser.name)}
            meta.append(f"<span>{organiser}</span>")
        separator = ' <span aria-hidden="true">·</span> '
        return (
            f'<h3 class="feed-entry__title">{heading}</h3>'
            f'<p class="feed-entry__meta">{separator.join(meta)}</p>'
            f"{self._topics(entry.topic_list)}"
        )

    def _note(self, entry: FeedEntry) -> str:
        """Meeting notes for everyone: who wrote them, when, and the meeting they
        are from (its date's page, or the event's when the date is gone)."""
        labels = self.labels
        note = entry.note
        title = f'<a href="{esc(self.note_url(note.pk))}">{esc(note.title)}</a>'
        heading = self._actor_says(entry, labels.wrote_note, labels.colleague_wrote_note, title)
        meta = [self._time(entry.created_at)]
        meeting = ""
        if note.occurrence_id:
            # The date's own event: "this and following" moves dates to a new series.
            occurrence = note.occurrence
            event = occurrence.event
            _iso, shown = event_when(self.times, occurrence.start, occurrence.end, event.all_day)
            text = f"{display_title(event.title, occurrence.theme)}, {shown}"
            meeting = f'<a href="{esc(self.occurrence_url(occurrence.pk))}">{esc(text)}</a>'
        elif note.event_id:
            event = note.event
            meeting = f'<a href="{esc(self.event_url(event.pk))}">{esc(event.title)}</a>'
        if meeting:
            meta.append(f"<span>{labels.from_meeting % {'meeting': meeting}}</span>")
        separator = ' <span aria-hidden="true">·</span> '
        return (
            f'<h3 class="feed-entry__title">{heading}</h3>'
            f'<p class="feed-entry__meta">{separator.join(meta)}</p>'
            f"{self._topics(entry.topic_list)}"
        )

    def entries(self, entries: Iterable[FeedEntry], *, focus_first: bool = False) -> str:
        """One ``<li>`` per entry. ``focus_first`` marks the first of the entries that
        "Show more" added: static/js/feed.js moves the focus there."""
        html = []
        for number, entry in enumerate(entries):
            focus = ' tabindex="-1" data-feed-focus' if focus_first and number == 0 else ""
            if entry.post_id:
                inner = self.post(entry.post, entry.actor, entry.topic_list, "inlagg")
                html.append(
                    f'<li class="feed-entry" id="inlagg-{entry.post_id}"{focus}>{inner}</li>'
                )
            elif entry.question_id:
                html.append(
                    f'<li class="feed-entry feed-entry--question" id="fraga-{entry.question_id}"'
                    f"{focus}>{self._question(entry)}</li>"
                )
            elif entry.event_id:
                html.append(
                    f'<li class="feed-entry feed-entry--event" id="evenemang-{entry.event_id}"'
                    f"{focus}>{self._event(entry)}</li>"
                )
            elif entry.note_id:
                html.append(
                    f'<li class="feed-entry feed-entry--note" id="notering-{entry.note_id}"'
                    f"{focus}>{self._note(entry)}</li>"
                )
        return "".join(html)

    def show_more(self, more_url: str, fragment_url: str) -> str:
        """The list's last item. Without JavaScript a link to the next page; with htmx
        it fetches the next entries and puts them in its own place (outerHTML)."""
        if not more_url:
            return ""
        return (
            f'<li class="feed__more"><a class="button button--secondary" href="{esc(more_url)}" '
            f'hx-get="{esc(fragment_url)}" hx-target="closest li" hx-swap="outerHTML">'
            f"{self.labels.show_more}</a></li>"
        )

    def page(
        self,
        entries: Iterable[FeedEntry],
        *,
        more_url: str = "",
        fragment_url: str = "",
        focus_first: bool = False,
    ) -> SafeString:
        html = self.entries(entries, focus_first=focus_first)
        return built(html + self.show_more(more_url, fragment_url))

    def pinned(self, posts: Iterable[Post]) -> SafeString:
        return built(
            "".join(
                f'<li class="feed-entry" id="fast-{post.pk}">'
                f"{self.post(post, post.author, post.topics.all(), 'fast')}</li>"
                for post in posts
            )
        )
