"""Word by e-mail when a question gets an answer or a comment.

A first, plain form of what the notifications issue will grow (topic
subscriptions, digests, an outbox): the asker and the question's followers get
one e-mail each. E-mail is not a confidential channel, so the message holds the
question's title, its topics and a link that needs a login, never the text and
never who wrote it."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from kollegan.accounts.models import Member
from kollegan.core.selectors import site_config
from kollegan.questions.models import Answer, Comment, Follow, Question
from kollegan.questions.services import writer_of


def thread_recipients(question: Question, writer: Member | None) -> list[Member]:
    """The asker and the followers who still have access, without the writer."""
    recipients: dict[int, Member] = {}
    asker = writer_of(question)
    if asker is not None:
        recipients[asker.pk] = asker
    followers = Member.objects.active().filter(
        pk__in=Follow.objects.filter(question=question).values("member_id")
    )
    for member in followers:
        recipients[member.pk] = member
    if writer is not None:
        recipients.pop(writer.pk, None)
    return [member for member in recipients.values() if member.is_active]


@task()
def notify_thread(*, question_id: int, answer_id: int | None = None, comment_id: int | None = None):
    """Checked again when sent, not only when queued: nothing about hidden items,
    nothing to members whose access has ended."""
    question = Question.objects.prefetch_related("topics").filter(pk=question_id).first()
    if question is None or question.is_hidden:
        return
    if answer_id is not None:
        item = Answer.objects.filter(pk=answer_id).first()
        kind = "answer"
    else:
        item = Comment.objects.select_related("answer").filter(pk=comment_id).first()
        kind = "comment"
    if (
        item is None
        or item.is_hidden
        or (kind == "comment" and item.answer and item.answer.is_hidden)
    ):
        return
    site_name = site_config().site_name
    url = f"{settings.SITE_URL}{item.get_absolute_url()}"
    topics = ", ".join(topic.name for topic in question.topics.all())
    asker = writer_of(question)
    for member in thread_recipients(question, writer_of(item)):
        with translation.override(member.language or settings.LANGUAGE_CODE):
            context = {
                "kind": kind,
                "question_title": question.title,
                "topics": topics,
                "url": url,
                "site_name": site_name,
                "is_asker": asker is not None and asker.pk == member.pk,
            }
            if kind == "answer":
                subject = _("New answer: %(title)s") % {"title": question.title}
            else:
                subject = _("New comment: %(title)s") % {"title": question.title}
            text = render_to_string("questions/email/thread_activity.txt", context)
            html = render_to_string("questions/email/thread_activity.html", context)
        message = EmailMultiAlternatives(subject, text, to=[member.email])
        message.attach_alternative(html, "text/html")
        message.send()
