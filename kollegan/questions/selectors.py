"""Reading Frågor for pages and the API: lists, one thread, similar titles.

Every function here costs a fixed number of queries however many questions,
answers and comments there are: counts are kept on the question row, topics
and writers come in one prefetch or join each."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from kollegan.accounts.models import Member, Organisation
from kollegan.questions.models import (
    AnonymousAuthorship,
    Answer,
    Comment,
    Follow,
    Question,
    Report,
    Revision,
)
from kollegan.topics.models import Topic

LIST_PAGE_SIZE = 20
SIMILAR_LIMIT = 5

# sort parameter -> ORDER BY (each ends in the key, so pages never overlap).
SORTS: dict[str, tuple[str, ...]] = {
    "aktuella": ("-last_activity_at", "-id"),
    "nyast": ("-created_at", "-id"),
    "obesvarade": ("-created_at", "-id"),
}
DEFAULT_SORT = "aktuella"


@dataclass(frozen=True)
class QuestionFilters:
    """What a question list is narrowed to; empty strings mean "no filter".

    ``sort`` "obesvarade" is both an order and a filter (questions without a
    visible answer, newest first)."""

    sort: str = DEFAULT_SORT
    topic: str = ""
    organisation: str = ""
    page: int = 1

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> "QuestionFilters":
        """From the URL (``?visa=nyast&amne=vald&organisation=lycksele&sida=2``);
        anything unknown falls back to the default, so an old link keeps working."""
        sort = (params.get("visa") or "").strip()
        try:
            page = max(1, min(int(params.get("sida") or 1), 10_000))
        except ValueError:
            page = 1
        return cls(
            sort=sort if sort in SORTS else DEFAULT_SORT,
            topic=(params.get("amne") or "").strip()[:80],
            organisation=(params.get("organisation") or "").strip()[:60],
            page=page,
        )


@dataclass
class QuestionPage:
    questions: list[Question]
    page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _topics_prefetch() -> Prefetch:
    return Prefetch("topics", queryset=Topic.objects.only("pk", "name", "slug"))


def visible_questions() -> QuerySet[Question]:
    """Questions every member may see: not hidden."""
    return Question.objects.filter(hidden_at__isnull=True)


def _list_queryset() -> QuerySet[Question]:
    # No body: lists show the stored excerpt. No author for anonymous questions:
    # the row has none to join.
    return (
        visible_questions()
        .select_related("author", "organisation")
        .only(
            "pk",
            "title",
            "excerpt",
            "is_anonymous",
            "created_at",
            "last_activity_at",
            "answer_count",
            "solved",
            "author__id",
            "author__name",
            "organisation__id",
            "organisation__name",
            "organisation__slug",
        )
        .prefetch_related(_topics_prefetch())
    )


def question_page(filters: QuestionFilters, *, page_size: int = LIST_PAGE_SIZE) -> QuestionPage:
    """One page of the list: two queries (questions, their topics). No COUNT:
    one row more than the page tells whether there is a next page."""
    queryset = _list_queryset()
    if filters.sort == "obesvarade":
        queryset = queryset.filter(answer_count=0)
    if filters.topic:
        queryset = _in_topic(queryset, slug=filters.topic)
    if filters.organisation:
        queryset = queryset.filter(organisation__slug=filters.organisation)
    start = (filters.page - 1) * page_size
    rows = list(queryset.order_by(*SORTS[filters.sort])[start : start + page_size + 1])
    return QuestionPage(
        questions=rows[:page_size], page=filters.page, has_next=len(rows) > page_size
    )


# A topic with at least this many questions is common enough to find a page of
# them by walking the questions newest first (see _in_topic).
COMMON_TOPIC = 1000


def _in_topic(queryset: QuerySet[Question], *, slug: str) -> QuerySet[Question]:
    """Questions in one topic, in a way that stays fast for big and small topics.

    Joining the topic table and sorting makes the database sort every question
    in the topic (95 ms for a topic with 30,000 at national scale on SQLite).
    For a common topic, walking the list's own index and checking each question
    for the topic finds a page after a few hundred rows (3 ms); for a rare one
    that walk would cross the whole table, while sorting its few questions is
    cheap. A count capped at COMMON_TOPIC tells which is which (one query more),
    and the cap keeps the count itself cheap."""
    links = Question.topics.through.objects.filter(topic__slug=slug)
    if links[:COMMON_TOPIC].count() < COMMON_TOPIC:
        return queryset.filter(pk__in=links.values("question_id"))
    return queryset.filter(Exists(links.filter(question_id=OuterRef("pk"))))


def latest_questions(*, limit: int = 5) -> list[Question]:
    """ "Aktuella frågor": the questions with the latest activity."""
    return list(_list_queryset().order_by(*SORTS["aktuella"])[:limit])


def topic_questions(topic: Topic, *, limit: int = LIST_PAGE_SIZE) -> list[Question]:
    queryset = _in_topic(_list_queryset(), slug=topic.slug)
    return list(queryset.order_by(*SORTS["aktuella"])[:limit])


def member_questions(member: Member, *, limit: int = 10) -> list[Question]:
    """A member's questions as others see them on the profile: named ones only.
    (Anonymous questions have no author on the row, so they cannot appear.)"""
    return list(_list_queryset().filter(author=member).order_by("-created_at", "-id")[:limit])


def filter_choices() -> dict:
    """Topics and organisations for the list's filter form (two small queries)."""
    return {
        "topics": list(Topic.objects.filter(is_active=True).only("pk", "name", "slug")),
        # Organisations with a question asked by name. EXISTS stops at the first
        # one per organisation (a JOIN with DISTINCT read all 100,000: 11 ms).
        # Anonymous questions have no organisation, so they add none here.
        "organisations": list(
            Organisation.objects.filter(
                Exists(visible_questions().filter(organisation=OuterRef("pk")))
            )
            .only("pk", "name", "slug")
            .order_by("name")
        ),
    }


def similar_questions(title: str, *, exclude: int | None = None) -> list[Question]:
    """Up to five questions like ``title``, the best match first, found by search
    (stems, compound parts and synonyms; kollegan.search)."""
    from kollegan.search.selectors import similar_question_ids

    ids = similar_question_ids(title, exclude=exclude, limit=SIMILAR_LIMIT)
    if not ids:
        return []
    found = (
        visible_questions()
        .filter(pk__in=ids)
        .only("pk", "title", "answer_count", "solved", "created_at")
    )
    by_id = {question.pk: question for question in found}
    return [by_id[pk] for pk in ids if pk in by_id]


# --- One thread -------------------------------------------------------------------------------


def can_see(question: Question, member: Member) -> bool:
    """Hidden questions stay visible to moderators (to restore them) and to their writer."""
    if not question.is_hidden:
        return True
    if member.is_moderator:
        return True
    from kollegan.questions.services import is_writer

    return is_writer(member, question)


def question_for_page(pk: int) -> Question | None:
    return (
        Question.objects.select_related("author", "organisation")
        .prefetch_related(_topics_prefetch())
        .filter(pk=pk)
        .first()
    )


@dataclass
class Thread:
    question: Question
    answers: list[Answer]
    question_comments: list[Comment]
    # answer id -> its comments, in order
    answer_comments: dict[int, list[Comment]]
    # What the viewer wrote here (anonymous or not), so the page can say "you"
    # and offer "edit" to them alone.
    mine: set[tuple[str, int]] = field(default_factory=set)
    following: bool = False

    @property
    def viewer_is_asker(self) -> bool:
        return ("question", self.question.pk) in self.mine

    def is_mine(self, item) -> bool:
        return (type(item).__name__.lower(), item.pk) in self.mine


def thread(question: Question, viewer: Member) -> Thread:
    """The whole thread for the question page: answers (with writers and their
    organisations), all comments, what the viewer wrote, and whether they follow.
    Four queries however long the thread is."""
    answers = list(
        Answer.objects.filter(question=question)
        .select_related("author", "author__organisation")
        .order_by("created_at", "pk")
    )
    comments = list(
        Comment.objects.filter(question=question)
        .select_related("author", "author__organisation")
        .order_by("created_at", "pk")
    )
    question_comments = [c for c in comments if c.answer_id is None]
    by_answer: dict[int, list[Comment]] = defaultdict(list)
    for comment in comments:
        if comment.answer_id is not None:
            by_answer[comment.answer_id].append(comment)

    mine: set[tuple[str, int]] = set()
    for kind, items in (("question", [question]), ("answer", answers), ("comment", comments)):
        mine.update(
            (kind, item.pk)
            for item in items
            if not item.is_anonymous and item.author_id == viewer.pk
        )
    # The viewer's own anonymous texts in this thread: one query on the separated table.
    answer_ids = [a.pk for a in answers if a.is_anonymous]
    comment_ids = [c.pk for c in comments if c.is_anonymous]
    if question.is_anonymous or answer_ids or comment_ids:
        links = AnonymousAuthorship.objects.filter(member=viewer).filter(
            Q(question=question) | Q(answer__in=answer_ids) | Q(comment__in=comment_ids)
        )
        for link in links.only("question_id", "answer_id", "comment_id"):
            if link.question_id:
                mine.add(("question", link.question_id))
            elif link.answer_id:
                mine.add(("answer", link.answer_id))
            else:
                mine.add(("comment", link.comment_id))

    # For templates, which cannot call is_mine(item): a flag on each item.
    for kind, items in (("question", [question]), ("answer", answers), ("comment", comments)):
        for item in items:
            item.viewer_wrote = (kind, item.pk) in mine

    following = Follow.objects.filter(question=question, member=viewer).exists()
    return Thread(
        question=question,
        answers=answers,
        question_comments=question_comments,
        answer_comments=dict(by_answer),
        mine=mine,
        following=following,
    )


def my_questions(member: Member, *, limit: int = 50) -> list[Question]:
    """The member's own questions, anonymous ones included, for Min sida (only they see it)."""
    anonymous_ids = AnonymousAuthorship.objects.filter(
        member=member, question__isnull=False
    ).values("question_id")
    return list(
        _list_queryset()
        .filter(Q(author=member) | Q(pk__in=anonymous_ids))
        .order_by("-created_at", "-id")[:limit]
    )


# --- History and moderation -------------------------------------------------------------------


def question_revisions(question: Question) -> dict[tuple[str, int], list[Revision]]:
    """Earlier versions in one query, keyed like ``Thread.mine``: ("question", pk),
    ("answer", pk) or ("comment", pk); oldest first."""
    versions: dict[tuple[str, int], list[Revision]] = defaultdict(list)
    for revision in Revision.objects.filter(question=question).order_by("written_at", "pk"):
        if revision.comment_id is not None:
            key = ("comment", revision.comment_id)
        elif revision.answer_id is not None:
            key = ("answer", revision.answer_id)
        else:
            key = ("question", question.pk)
        versions[key].append(revision)
    return dict(versions)


def open_reports(*, limit: int = 100) -> list[Report]:
    """The moderators' queue: open reports, oldest first, with what they point at (one query)."""
    return list(
        Report.objects.filter(status=Report.Status.OPEN)
        .select_related("reporter", "question", "answer", "comment")
        .order_by("created_at", "pk")[:limit]
    )
