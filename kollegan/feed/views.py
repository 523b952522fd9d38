"""Start: the front page with its feed ("Senaste i Digitala kollegan"), posts,
replies, likes and the moderators' pins, and the viewer's next dates in the
calendar ("Kommande i kalendariet").

Every flow is a plain form and a redirect. htmx adds two things: "Show more"
appends the next page of the feed in place (without JavaScript it is a link to
the start page after the cursor; ``more`` answers htmx with the entries alone),
and the like button swaps itself instead of reloading the page. The feed's
entries, pinned posts and like buttons are built in Python (rendering.py): the
start page must stay within ten times the benchmark's hello-world.

Bad input comes back as the same form with the message at its field and status
400; "not yours" is a 403 page saying why; a post hidden from the member is a
404. The feed's entries about anonymous questions carry no actor, so there is
no name to show."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kollegan.core.selectors import site_config
from kollegan.events.ics import display_title
from kollegan.events.selectors import Filters, dates_page
from kollegan.feed import images, selectors, services
from kollegan.feed.forms import PostForm, ReplyForm
from kollegan.feed.models import Post, Reply
from kollegan.feed.rendering import FeedHTML, event_when
from kollegan.lib.html import LocalTimes, built
from kollegan.lib.markdown import render_markdown
from kollegan.lib.views import next_url, refusals
from kollegan.notifications.models import Target
from kollegan.notifications.selectors import is_following
from kollegan.questions.rendering import Bylines
from kollegan.questions.selectors import latest_questions

# "Coming up in the calendar" on the start page: the viewer's next dates.
UPCOMING_SIZE = 5
# Picture names never change (a new picture gets a new random key).
IMAGE_CACHE_CONTROL = "private, max-age=31536000, immutable"
REPLY_IDS = "svara-%s"
# The kinds in moderation addresses, as members read them.
KINDS = {"inlagg": Post, "svar": Reply}
# Where a post sits in a page: its element's id is "<prefix>-<pk>".
PREFIXES = ("inlagg", "fast", "inlagget")


_refusals = refusals("feed/refused.html")


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "feed/refused.html", {"message": message}, status=status)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- Getters that check who may see ------------------------------------------------------------


def _post_for(request: HttpRequest, pk: int) -> Post:
    post = selectors.post_for_page(pk, request.user)
    if post is None:
        raise Http404
    return post


def _reply_for(request: HttpRequest, pk: int) -> Reply:
    """A reply whose post the member may see; a hidden reply only for moderators
    and its writer."""
    reply = get_object_or_404(Reply.objects.select_related("post"), pk=pk)
    viewer = request.user
    may_see_hidden = viewer.is_moderator or reply.author_id == viewer.pk
    if reply.is_hidden and not may_see_hidden:
        raise Http404
    post = reply.post
    if post.is_hidden and not (viewer.is_moderator or post.author_id == viewer.pk):
        raise Http404
    return reply


def _require_writer(request: HttpRequest, item: Post | Reply) -> None:
    """Editing and deleting are the writer's; the services say the same, but the
    GET pages must refuse before they show a form."""
    if item.author_id != request.user.pk:
        raise PermissionDenied(_("Only the one who wrote it can change it."))


def _require_editable(item: Post | Reply) -> None:
    post = item if isinstance(item, Post) else item.post
    if post.is_hidden or item.is_hidden:
        raise PermissionDenied(_("This has been hidden by a moderator and cannot be changed."))


# --- The start page and the feed ---------------------------------------------------------------


def _feed_params(request: HttpRequest) -> tuple[str, str]:
    """(cursor, topic slug) from ?fore= and ?amne=."""
    return request.GET.get("fore", "").strip()[:100], request.GET.get("amne", "").strip()[:80]


def _renderer(request: HttpRequest, page_url: str | None = None) -> FeedHTML:
    """Likes sent without JavaScript come back to ``page_url`` (this page by default)."""
    return FeedHTML(
        viewer=request.user,
        csrf_token=get_token(request),
        page_url=request.get_full_path() if page_url is None else page_url,
    )


def _feed_html(
    renderer: FeedHTML, page: selectors.FeedPage, topic: str, *, focus_first: bool = False
) -> SafeString:
    """The entries of one page of the feed and, as the list's last item, "Show more"."""
    for entry in page.entries:
        # The topics read from the prefetched links: no query per entry.
        entry.topic_list = [link.topic for link in entry.topic_links.all()]
    more_url = fragment_url = ""
    if page.next_cursor:
        query = urlencode({"fore": page.next_cursor, **({"amne": topic} if topic else {})})
        # Without JavaScript the start page after the cursor; htmx fetches the entries alone.
        more_url = f"{reverse('start')}?{query}#senaste"
        fragment_url = f"{reverse('feed:more')}?{query}"
    return renderer.page(
        page.entries, more_url=more_url, fragment_url=fragment_url, focus_first=focus_first
    )


def _topic_name(topics: list, slug: str) -> str:
    return next((topic.name for topic in topics if topic.slug == slug), slug)


def _with_bylines(questions: list) -> list:
    """Each question's byline, from one Bylines for the list (the template tag
    makes a new one, with all its translations, per question)."""
    bylines = Bylines()
    for question in questions:
        question.byline_html = built(bylines.render(question, is_question=True, compact=True))
    return questions


def _upcoming(request: HttpRequest, times: LocalTimes) -> list:
    """The next dates in the calendar the viewer may see (a group's only for its
    members), each with its title and theme and its time in Swedish."""
    items = dates_page(request.user, filters=Filters(), size=UPCOMING_SIZE, details=False).items
    for item in items:
        item.display_title = display_title(item.event.title, item.theme)
        item.when_iso, item.when_shown = event_when(times, item.start, item.end, item.event.all_day)
    return items


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    """The start page; ?amne= filters the feed by topic, ?fore= shows it after a
    cursor (where "Show more" leads without JavaScript)."""
    cursor, topic = _feed_params(request)
    try:
        page = selectors.feed_page(request.user, cursor=cursor, topic=topic)
    except ValidationError as error:
        return _refused(request, error.messages[0], 400)
    topics = selectors.topics_for_filter()
    form = PostForm()
    form.offer_topics(topics)
    pinned = selectors.pinned_posts(request.user)
    renderer = _renderer(request)
    context = {
        "welcome_html": render_markdown(site_config().welcome_text),
        "topics": topics,
        "topic": topic,
        "topic_name": _topic_name(topics, topic) if topic else "",
        "earlier": bool(cursor),
        "questions": _with_bylines(latest_questions(limit=5)),
        "upcoming": _upcoming(request, renderer.times),
        "pinned_html": renderer.pinned(pinned) if pinned else "",
        "form": form,
        "entries": page.entries,
        "feed_html": _feed_html(renderer, page, topic),
    }
    return render(request, "feed/start.html", context)


@require_safe
def more(request: HttpRequest) -> HttpResponse:
    """The feed after a cursor: a fragment for htmx ("Show more" in place), or the
    same entries as a light page of their own."""
    cursor, topic = _feed_params(request)
    try:
        page = selectors.feed_page(request.user, cursor=cursor, topic=topic)
    except ValidationError as error:
        return _refused(request, error.messages[0], 400)
    if _is_htmx(request):
        html = _feed_html(_renderer(request), page, topic, focus_first=True)
        response = HttpResponse(html)
    else:
        topics = selectors.topics_for_filter() if topic else []
        context = {
            "topic": topic,
            "topic_name": _topic_name(topics, topic) if topic else "",
            "entries": page.entries,
            "feed_html": _feed_html(_renderer(request), page, topic),
        }
        response = render(request, "feed/more.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- Writing, editing and deleting posts -------------------------------------------------------


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        initial = {"topics": [slug for slug in request.GET.getlist("amne") if slug]}
        return _render_post_form(request, PostForm(initial=initial))
    form = PostForm(request.POST, request.FILES)
    post = form.is_valid() and form.attempt(
        lambda data: services.post_create(
            author=request.user,
            body=data["body"],
            topics=data["topics"],
            link=data["link"],
            image=data["image"],
            confirmed=data["confirmed"],
        )
    )
    if not post:
        return _render_post_form(request, form, status=400)
    messages.success(request, _("Your post is published."))
    return redirect(f"{reverse('start')}#inlagg-{post.pk}")


@require_http_methods(["GET", "POST"])
@_refusals
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_for(request, pk)
    _require_writer(request, post)
    _require_editable(post)
    if request.method != "POST":
        initial = {
            "body": post.body,
            "link": post.link,
            "topics": [topic.slug for topic in post.topics.all()],
        }
        return _render_post_form(request, PostForm(initial=initial, post=post), post=post)
    form = PostForm(request.POST, post=post)
    saved = form.is_valid() and form.attempt(
        lambda data: services.post_edit(
            post=post,
            editor=request.user,
            body=data["body"],
            topics=data["topics"],
            link=data["link"],
            confirmed=data["confirmed"],
        )
    )
    if not saved:
        return _render_post_form(request, form, post=post, status=400)
    messages.success(request, _("Your changes are saved."))
    return redirect(post)


def _render_post_form(
    request: HttpRequest, form: PostForm, *, post: Post | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "post": post,
        # A file input cannot be filled in again: say so when a picture was sent.
        "image_lost": form.is_bound and bool(request.FILES.get("image")),
    }
    return render(request, "feed/post_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@_refusals
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_for(request, pk)
    _require_writer(request, post)
    if request.method != "POST":
        return render(request, "feed/delete.html", {"item": post, "post": post, "kind": "post"})
    services.post_delete(post=post, member=request.user)
    messages.success(request, _("Your post is deleted."))
    return redirect("start")


# --- One post and its replies ------------------------------------------------------------------


@require_safe
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_post(request, _post_for(request, pk))


def _render_post(
    request: HttpRequest, post: Post, *, reply_form: ReplyForm | None = None, status: int = 200
) -> HttpResponse:
    renderer = _renderer(request, page_url=post.get_absolute_url())
    context = {
        "post": post,
        "content_html": built(renderer.content(post, post.topics.all(), eager=True)),
        "like_html": built(renderer.like_form(post, "inlagget")),
        "replies": selectors.post_replies(post),
        "reply_form": reply_form or ReplyForm(auto_id=REPLY_IDS),
        "is_moderator": request.user.is_moderator,
        "can_write": not post.is_hidden,
        # Its writer is told about replies anyway, and a hidden post cannot be followed.
        "following": not post.is_hidden
        and post.author_id != request.user.pk
        and is_following(request.user, Target.POST, post.pk),
    }
    return render(request, "feed/post.html", context, status=status)


@require_POST
@_refusals
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_for(request, pk)
    form = ReplyForm(request.POST, auto_id=REPLY_IDS)
    created = form.is_valid() and form.attempt(
        lambda data: services.reply_create(
            post=post, author=request.user, body=data["body"], confirmed=data["confirmed"]
        )
    )
    if not created:
        return _render_post(request, post, reply_form=form, status=400)
    messages.success(request, _("Your reply is published."))
    return redirect(created)


@require_http_methods(["GET", "POST"])
@_refusals
def reply_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _reply_for(request, pk)
    _require_writer(request, item)
    _require_editable(item)
    if request.method != "POST":
        form = ReplyForm(initial={"body": item.body})
        return render(request, "feed/reply_form.html", {"item": item, "form": form})
    form = ReplyForm(request.POST)
    saved = form.is_valid() and form.attempt(
        lambda data: services.reply_edit(
            reply=item, editor=request.user, body=data["body"], confirmed=data["confirmed"]
        )
    )
    if not saved:
        return render(request, "feed/reply_form.html", {"item": item, "form": form}, status=400)
    messages.success(request, _("Your changes are saved."))
    return redirect(item)


@require_http_methods(["GET", "POST"])
@_refusals
def reply_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _reply_for(request, pk)
    _require_writer(request, item)
    if request.method != "POST":
        context = {"item": item, "post": item.post, "kind": "reply"}
        return render(request, "feed/delete.html", context)
    services.reply_delete(reply=item, member=request.user)
    messages.success(request, _("Your reply is deleted."))
    return redirect(f"{item.post.get_absolute_url()}#svar")


# --- Likes -------------------------------------------------------------------------------------


@require_POST
@_refusals
def like(request: HttpRequest, pk: int) -> HttpResponse:
    """Like (value=on) or stop liking (value=off). With htmx the button swaps itself."""
    post = _post_for(request, pk)
    liking = request.POST.get("value", "on") != "off"
    if liking:
        try:
            services.post_like(post=post, member=request.user)
        except services.AlreadyLiked as error:
            return _refused(request, error.messages[0], 409)
    else:
        services.post_unlike(post=post, member=request.user)
    if _is_htmx(request):
        # The button alone, as it now is; it keeps its place (prefix) and its way back.
        prefix = request.POST.get("plats", "")
        renderer = _renderer(request, page_url=next_url(request, "").split("#")[0])
        post = selectors.post_for_page(pk, request.user)
        return HttpResponse(renderer.like_form(post, prefix if prefix in PREFIXES else "inlagg"))
    if liking:
        messages.success(request, _("You like the post."))
    else:
        messages.success(request, _("You no longer like the post."))
    return redirect(next_url(request, post.get_absolute_url()))


@require_safe
def likers(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_for(request, pk)
    context = {"post": post, "likers": selectors.post_likers(post)}
    return render(request, "feed/likers.html", context)


# --- Moderation --------------------------------------------------------------------------------


def _require_moderator(request: HttpRequest) -> None:
    if not request.user.is_moderator:
        raise PermissionDenied(_("Only moderators can do that."))


@require_POST
@_refusals
def pin(request: HttpRequest, pk: int) -> HttpResponse:
    """Pin a post at the top of the start page (value=on), or unpin it (value=off)."""
    _require_moderator(request)
    post = _post_for(request, pk)
    pinned = request.POST.get("value", "on") != "off"
    services.post_pin(post=post, moderator=request.user, pinned=pinned)
    if pinned:
        messages.success(request, _("The post is pinned at the top of the start page."))
    else:
        messages.success(request, _("The post is no longer pinned."))
    return redirect(next_url(request, post.get_absolute_url()))


@require_POST
@_refusals
def moderate(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    _require_moderator(request)
    if kind not in KINDS:
        raise Http404
    item = _post_for(request, pk) if kind == "inlagg" else _reply_for(request, pk)
    action = request.POST.get("action", "")
    if action == "hide":
        services.content_hide(item=item, moderator=request.user, reason=request.POST.get("reason"))
        messages.success(request, _("Hidden. Members see that a moderator has hidden it."))
    elif action == "restore":
        services.content_restore(item=item, moderator=request.user)
        messages.success(request, _("Restored. Members see it again."))
    else:
        return _refused(request, _("Choose whether to hide or restore."), 400)
    return redirect(next_url(request, item.get_absolute_url()))


# --- Pictures ----------------------------------------------------------------------------------


@require_safe
def image(request: HttpRequest, key: str) -> FileResponse:
    """A post's picture, to logged-in members only (the middleware refuses everyone
    else). The key is random and unguessable: the file's existence is the check."""
    try:
        stored = default_storage.open(images.image_name(key), "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(stored, content_type="image/jpeg")
    response["Cache-Control"] = IMAGE_CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response
