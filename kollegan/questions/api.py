"""/api/v1/questions, /api/v1/answers: Frågor for scripts.

The operations call the services and selectors the pages use, so the rules are
the same: the confidentiality guard, who may write where, and anonymity. An
anonymous question, answer or comment has no author and no organisation in any
response (both null); only the member who wrote it learns so, as "yours": true.

Refusals come back as JSON from the handlers in kollegan.api.api: the guard's
findings (422), django ValidationError (422, by field), PermissionDenied (403)."""

from datetime import datetime
from functools import cache

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel

from kollegan.accounts.models import Member
from kollegan.lib.html import url_maker
from kollegan.questions import selectors, services
from kollegan.questions.models import Answer, Comment, Question
from kollegan.questions.selectors import QuestionFilters, Thread

router = Router(tags=["questions"])

MAX_TOPIC_SLUGS = 20


# --- What comes in ------------------------------------------------------------------------------


class QuestionListParams(Schema):
    visa: str = Field("", max_length=20, description="aktuella (default), nyast or obesvarade")
    sort: str = Field("", max_length=20, description="The same as visa")
    amne: str = Field("", max_length=80, description="Topic slug, e.g. barn-och-unga")
    topic: str = Field("", max_length=80, description="The same as amne")
    organisation: str = Field("", max_length=60, description="Organisation slug, e.g. lycksele")
    sida: int | None = Field(None, ge=1, le=10_000, description="Page number, 20 questions a page")
    page: int | None = Field(None, ge=1, le=10_000, description="The same as sida")

    def filters(self) -> QuestionFilters:
        return QuestionFilters.from_params(
            {
                "visa": self.visa or self.sort,
                "amne": self.amne or self.topic,
                "organisation": self.organisation,
                "sida": str(self.sida or self.page or 1),
            }
        )


class WriteIn(Schema):
    # No max_length here: the service checks lengths and says so in the member's language.
    body: str = Field(description="Markdown")
    anonymous: bool = False
    confirm_identifying_details: bool = Field(
        False,
        description="Set after a 422 with needs_confirmation: the phone numbers, addresses "
        "or e-mail addresses found are not a client's. Never allows an identity number.",
    )


class QuestionIn(WriteIn):
    title: str
    topics: list[str] = Field(
        default_factory=list, max_length=MAX_TOPIC_SLUGS, description="Topic slugs"
    )


# --- What goes out ------------------------------------------------------------------------------


class Out(BaseModel):
    """Responses are dicts built here, so they need pydantic's checks but not
    ninja's Schema, whose per-object resolver cost 15 ms on a thread of 250 texts."""


class Ref(Out):
    id: int
    name: str


class TopicOut(Out):
    slug: str
    name: str


class QuestionSummary(Out):
    id: int
    title: str
    excerpt: str
    topics: list[TopicOut]
    answer_count: int
    solved: bool
    created_at: datetime
    last_activity_at: datetime
    anonymous: bool
    author: Ref | None = Field(description="null when anonymous")
    organisation: Ref | None = Field(description="null when anonymous")
    url: str


class QuestionPageOut(Out):
    items: list[QuestionSummary]
    page: int
    has_next: bool


class CommentOut(Out):
    id: int
    body: str | None = Field(description="Markdown; null when hidden by a moderator")
    body_html: str | None
    created_at: datetime
    edited_at: datetime | None
    anonymous: bool
    by_asker: bool
    author: Ref | None = Field(description="null when anonymous")
    organisation: Ref | None = Field(description="null when anonymous")
    hidden: bool
    yours: bool
    url: str


class AnswerOut(CommentOut):
    is_helpful: bool
    comments: list[CommentOut]


class QuestionOut(QuestionSummary):
    body: str
    body_html: str
    edited_at: datetime | None
    hidden: bool
    yours: bool
    following: bool
    answers: list[AnswerOut]
    comments: list[CommentOut]


def _ref(obj) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def _question_people(question: Question) -> tuple[dict | None, dict | None]:
    # The organisation is the one stored when the question was asked by name.
    if question.is_anonymous or question.author_id is None:
        return None, None
    return _ref(question.author), _ref(question.organisation)


def _writer_people(item: Answer | Comment) -> tuple[dict | None, dict | None]:
    if item.is_anonymous or item.author_id is None:
        return None, None
    return _ref(item.author), _ref(item.author.organisation)


def question_summary(question: Question) -> dict:
    """A question as lists show it (no queries: topics and writer are attached)."""
    author, organisation = _question_people(question)
    return {
        "id": question.pk,
        "title": question.title,
        "excerpt": question.excerpt,
        "topics": [{"slug": topic.slug, "name": topic.name} for topic in question.topics.all()],
        "answer_count": question.answer_count,
        "solved": question.solved,
        "created_at": question.created_at,
        "last_activity_at": question.last_activity_at,
        "anonymous": question.is_anonymous,
        "author": author,
        "organisation": organisation,
        "url": question.get_absolute_url(),
    }


def _item_url(item: Answer | Comment) -> str:
    # As get_absolute_url, without a reverse() per item (250 in a long thread).
    question_url = _question_url()(item.question_id)
    anchor = "svar" if isinstance(item, Answer) else "kommentar"
    return f"{question_url}#{anchor}-{item.pk}"


@cache
def _question_url():
    # Made on first use: this module is imported while the URLconf is loading.
    return url_maker("questions:detail")


def _contribution(item: Answer | Comment, viewer: Member, yours: bool) -> dict:
    # Moderators read hidden texts to decide whether to restore them; others see the gap.
    shown = not item.is_hidden or viewer.is_moderator
    author, organisation = _writer_people(item)
    return {
        "id": item.pk,
        "body": item.body if shown else None,
        "body_html": str(item.html) if shown else None,
        "created_at": item.created_at,
        "edited_at": item.edited_at,
        "anonymous": item.is_anonymous,
        "by_asker": item.by_asker,
        "author": author,
        "organisation": organisation,
        "hidden": item.is_hidden,
        "yours": yours,
        "url": _item_url(item),
    }


def _answer(answer: Answer, comments: list[Comment], viewer: Member, whose: Thread) -> dict:
    return {
        **_contribution(answer, viewer, whose.is_mine(answer)),
        "is_helpful": answer.is_helpful,
        "comments": [_contribution(c, viewer, whose.is_mine(c)) for c in comments],
    }


def question_out(question: Question, viewer: Member) -> dict:
    """The whole thread as one member may see it; a fixed number of queries."""
    found = selectors.thread(question, viewer)
    return {
        **question_summary(question),
        "body": question.body,
        "body_html": str(question.html),
        "edited_at": question.edited_at,
        "hidden": question.is_hidden,
        "yours": found.viewer_is_asker,
        "following": found.following,
        "answers": [
            _answer(answer, found.answer_comments.get(answer.pk, []), viewer, found)
            for answer in found.answers
        ],
        "comments": [
            _contribution(comment, viewer, found.is_mine(comment))
            for comment in found.question_comments
        ],
    }


# --- Getters that check who may see ---------------------------------------------------------------


def _question_for(member: Member, question_id: int) -> Question:
    """The question, or 404 when it does not exist or is hidden from this member."""
    question = selectors.question_for_page(question_id)
    if question is None or not selectors.can_see(question, member):
        raise Http404
    return question


def _answer_for(member: Member, answer_id: int) -> Answer:
    answer = Answer.objects.select_related("question").filter(pk=answer_id).first()
    if answer is None or not selectors.can_see(answer.question, member):
        raise Http404
    return answer


# --- Operations ---------------------------------------------------------------------------------


@router.get(
    "/questions",
    response=QuestionPageOut,
    url_name="list_questions",
    summary="Questions, filtered and sorted like Frågor",
)
def list_questions(request: HttpRequest, params: Query[QuestionListParams]) -> dict:
    page = selectors.question_page(params.filters())
    return {
        "items": [question_summary(question) for question in page.questions],
        "page": page.page,
        "has_next": page.has_next,
    }


@router.post(
    "/questions",
    response={201: QuestionOut},
    url_name="create_question",
    summary="Ask a question",
)
def create_question(request: HttpRequest, data: QuestionIn) -> Status:
    member = request.auth
    question = services.question_create(
        author=member,
        title=data.title,
        body=data.body,
        topics=services.topics_from_slugs(data.topics),
        anonymous=data.anonymous,
        confirmed=data.confirm_identifying_details,
    )
    return Status(201, question_out(selectors.question_for_page(question.pk), member))


@router.get(
    "/questions/{int:question_id}",
    response=QuestionOut,
    url_name="get_question",
    summary="One question with its answers and comments",
)
def get_question(request: HttpRequest, question_id: int) -> dict:
    member = request.auth
    return question_out(_question_for(member, question_id), member)


@router.post(
    "/questions/{int:question_id}/answers",
    response={201: AnswerOut},
    url_name="create_answer",
    summary="Answer a question",
)
def create_answer(request: HttpRequest, question_id: int, data: WriteIn) -> Status:
    member = request.auth
    answer = services.answer_create(
        question=_question_for(member, question_id),
        author=member,
        body=data.body,
        anonymous=data.anonymous,
        confirmed=data.confirm_identifying_details,
    )
    return Status(
        201,
        {
            **_contribution(answer, member, yours=True),
            "is_helpful": answer.is_helpful,
            "comments": [],
        },
    )


@router.post(
    "/answers/{int:answer_id}/comments",
    response={201: CommentOut},
    url_name="create_comment",
    summary="Comment on an answer",
)
def create_comment(request: HttpRequest, answer_id: int, data: WriteIn) -> Status:
    member = request.auth
    answer = _answer_for(member, answer_id)
    comment = services.comment_create(
        question=answer.question,
        answer=answer,
        author=member,
        body=data.body,
        anonymous=data.anonymous,
        confirmed=data.confirm_identifying_details,
    )
    return Status(201, _contribution(comment, member, yours=True))
