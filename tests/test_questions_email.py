"""Word of new answers and comments by e-mail, over real SMTP: the notification
worker (run here in-process by the immediate task backend) talks to an aiosmtpd
server on 127.0.0.1 and what arrives is parsed with the standard library, as a
mail client would.

E-mail is not a confidential channel: a message names the question (its title,
topics and a link that needs a login) and never the text. Named writers may be
named; for anonymous texts nothing in any message may point to the writer."""

import datetime as dt
import email
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from kollegan.accounts.models import Member, Organisation
from kollegan.notifications import delivery
from kollegan.notifications.models import Activity, Email, EmailStatus
from kollegan.questions import services
from kollegan.questions.models import Question
from kollegan.topics.models import Topic
from tests.conftest import make_member
from tests.helpers import sv

pytestmark = pytest.mark.slow

TITLE = "Samråd kring placering på helger"
QUESTION_TEXT = "Vi undrar hur andra kommuner bemannar samråden."
ANSWER_TEXT = "Ring familjebehandlarna på fredag och boka ett gemensamt samråd."
COMMENT_TEXT = "Tack, det prövar vi redan nästa vecka."


@pytest.fixture
def erik(db) -> Member:
    return make_member("erik@sorsele.test", "Erik Ek", Organisation.objects.get(slug="sorsele"))


@pytest.fixture
def mailing(settings, smtp_server, immediate_tasks, django_capture_on_commit_callbacks):
    """Run a write and then its on-commit work (fan-out, then sending: no batching
    wait), as the worker would right after the request; return what it returned."""
    settings.NOTIFICATION_BATCH_SECONDS = 0

    def run(write):
        with django_capture_on_commit_callbacks(execute=True):
            result = write()
        return result

    return run


def later() -> dt.datetime:
    """Past the default batching minutes."""
    return timezone.now() + dt.timedelta(minutes=3)


def ask(member: Member, *, anonymous: bool = False) -> Question:
    return services.question_create(
        author=member,
        title=TITLE,
        body=QUESTION_TEXT,
        topics=list(Topic.objects.filter(slug__in=["barn-och-unga", "vald"])),
        anonymous=anonymous,
    )


def parse(envelope) -> EmailMessage:
    return email.message_from_bytes(envelope.original_content, policy=policy.default)


def by_recipient(smtp_server) -> dict[str, EmailMessage]:
    messages = {}
    for envelope in smtp_server.envelopes:
        assert len(envelope.rcpt_tos) == 1, "one e-mail per recipient"
        assert envelope.rcpt_tos[0] not in messages, "at most one e-mail per recipient"
        messages[envelope.rcpt_tos[0]] = parse(envelope)
    return messages


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def subject(message: EmailMessage) -> str:
    # A long encoded subject is folded onto the next line; mail clients show it
    # without the fold's leading space, and so does this comparison.
    return " ".join(str(message["Subject"]).split())


def everything(message: EmailMessage, *, but_to: bool = False) -> str:
    """Every header (decoded) and every part (decoded), as a reader could see them."""
    headers = [
        f"{name}: {value}"
        for name, value in message.items()
        if not (but_to and name.lower() == "to")
    ]
    bodies = [part.get_content() for part in message.walk() if not part.is_multipart()]
    return "\n".join([*headers, *bodies])


def identifying(member: Member) -> list[str]:
    """What would point to the member: name, parts of it, address, workplace."""
    return [
        member.name,
        *member.name.split(),
        member.email,
        member.email.split("@")[0],
        member.organisation.name,
        member.organisation.slug,
        *([member.unit.name] if member.unit_id else []),
        *([member.title] if member.title else []),
    ]


def assert_reveals_nothing_of(member: Member, text: str) -> None:
    lowered = text.lower()
    for secret in identifying(member):
        assert secret.lower() not in lowered, f"{secret!r} in an e-mail"


def assert_no_texts(message: EmailMessage, raw: bytes = b"") -> None:
    shown = everything(message) + raw.decode("utf-8", "replace")
    for secret in (QUESTION_TEXT, ANSWER_TEXT, COMMENT_TEXT, "familjebehandlarna"):
        assert secret not in shown


# --- A named question -------------------------------------------------------------------------


def test_asker_gets_a_swedish_email_with_the_link_but_not_the_answer(
    mailing, smtp_server, settings, alice, bob
):
    question = ask(alice)
    reply = mailing(lambda: services.answer_create(question=question, author=bob, body=ANSWER_TEXT))

    assert mail.outbox == []  # it went out through SMTP, not the test outbox
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == [alice.email]
    assert envelope.mail_from == parseaddr(settings.DEFAULT_FROM_EMAIL)[1]

    message = parse(envelope)
    assert message["To"] == alice.email
    assert parseaddr(str(message["From"])) == parseaddr(settings.DEFAULT_FROM_EMAIL)
    assert subject(message) == sv("New answer: %(title)s") % {"title": TITLE}

    text, html = parts(message)
    url = settings.SITE_URL + reply.get_absolute_url()
    assert url.startswith(("http://", "https://"))
    assert url in text
    assert f'href="{escape(url)}"' in html
    assert TITLE in text
    assert escape(TITLE) in html
    assert "Barn och unga" in text  # the topics
    # A named answer: its writer may be named, as on the page.
    assert sv("%(name)s answered the question") % {"name": bob.name} in text
    assert_no_texts(message, envelope.original_content)


def test_a_comment_sends_a_new_comment_email(mailing, smtp_server, settings, alice, bob):
    question = ask(alice)
    note = mailing(
        lambda: services.comment_create(question=question, author=bob, body=COMMENT_TEXT)
    )

    [message] = by_recipient(smtp_server).values()
    assert subject(message) == sv("New comment: %(title)s") % {"title": TITLE}
    text, html = parts(message)
    assert settings.SITE_URL + note.get_absolute_url() in text
    assert escape(settings.SITE_URL + note.get_absolute_url()) in html
    assert_no_texts(message)


def test_followers_get_one_email_each_but_not_the_writer_nor_deactivated_members(
    mailing, smtp_server, alice, bob, carol, dave, erik
):
    question = ask(alice)
    for member in (alice, bob, carol, dave, erik):
        services.question_follow(question=question, member=member)

    mailing(lambda: services.answer_create(question=question, author=bob, body=ANSWER_TEXT))

    messages = by_recipient(smtp_server)
    assert set(messages) == {alice.email, carol.email, erik.email}
    for message in messages.values():
        assert subject(message) == sv("New answer: %(title)s") % {"title": TITLE}
        assert_no_texts(message)


def test_asker_writing_in_their_named_thread_is_not_emailed_about_it(
    mailing, smtp_server, alice, erik
):
    question = ask(alice)
    services.question_follow(question=question, member=alice)
    services.question_follow(question=question, member=erik)

    mailing(lambda: services.answer_create(question=question, author=alice, body=ANSWER_TEXT))

    assert set(by_recipient(smtp_server)) == {erik.email}


def test_a_member_reads_the_email_in_their_own_language(mailing, smtp_server, alice, bob, erik):
    erik.language = "en"
    erik.save(update_fields=["language"])
    question = ask(alice)
    services.question_follow(question=question, member=erik)

    mailing(lambda: services.answer_create(question=question, author=bob, body=ANSWER_TEXT))

    messages = by_recipient(smtp_server)
    assert subject(messages[erik.email]) == f"New answer: {TITLE}"
    assert '<html lang="en">' in parts(messages[erik.email])[1]
    assert subject(messages[alice.email]) == sv("New answer: %(title)s") % {"title": TITLE}
    assert '<html lang="sv">' in parts(messages[alice.email])[1]


def test_asker_whose_access_ended_gets_no_email(mailing, smtp_server, alice, bob, erik):
    question = ask(alice)
    services.question_follow(question=question, member=erik)
    alice.deactivated_at = timezone.now()
    alice.save(update_fields=["deactivated_at"])

    mailing(lambda: services.answer_create(question=question, author=bob, body=ANSWER_TEXT))

    assert set(by_recipient(smtp_server)) == {erik.email}


# --- Anonymous texts --------------------------------------------------------------------------


def test_anonymous_asker_is_told_of_answers_and_nobody_learns_who_they_are(
    mailing, smtp_server, settings, alice, bob, erik
):
    question = ask(alice, anonymous=True)
    services.question_follow(question=question, member=erik)

    reply = mailing(lambda: services.answer_create(question=question, author=bob, body=ANSWER_TEXT))

    messages = by_recipient(smtp_server)
    assert set(messages) == {alice.email, erik.email}
    assert messages[alice.email]["To"] == alice.email
    text, _html = parts(messages[alice.email])
    assert settings.SITE_URL + reply.get_absolute_url() in text

    # Nothing of Alice anywhere, but her own address on her own message (and
    # her first name in its greeting).
    alices = everything(messages[alice.email], but_to=True)
    alices = alices.replace(sv("Hello %(first_name)s!") % {"first_name": "Alice"}, "")
    assert_reveals_nothing_of(alice, alices)
    assert_reveals_nothing_of(alice, everything(messages[erik.email]))
    eriks = next(e for e in smtp_server.envelopes if e.rcpt_tos == [erik.email])
    assert_reveals_nothing_of(alice, eriks.original_content.decode("utf-8", "replace"))
    assert_reveals_nothing_of(alice, eriks.mail_from)
    for message in messages.values():
        assert_no_texts(message)


def test_anonymous_asker_writing_in_their_thread_stays_anonymous_to_followers(
    mailing, smtp_server, alice, bob, erik
):
    question = ask(alice, anonymous=True)
    services.question_follow(question=question, member=bob)
    services.question_follow(question=question, member=erik)

    reply = mailing(
        lambda: services.answer_create(question=question, author=alice, body=ANSWER_TEXT)
    )
    mailing(
        lambda: services.comment_create(
            question=question, author=alice, body=COMMENT_TEXT, answer=reply
        )
    )

    assert reply.is_anonymous and reply.by_asker
    assert len(smtp_server.envelopes) == 4  # an answer and a comment, to Bob and Erik
    assert {e.rcpt_tos[0] for e in smtp_server.envelopes} == {bob.email, erik.email}
    for envelope in smtp_server.envelopes:
        message = parse(envelope)
        assert_reveals_nothing_of(alice, everything(message))
        assert_reveals_nothing_of(alice, envelope.original_content.decode("utf-8", "replace"))
        assert_no_texts(message)
    texts = "\n".join(parts(parse(envelope))[0] for envelope in smtp_server.envelopes)
    assert sv("An anonymous answer to the question") in texts
    assert sv("An anonymous comment on the question") in texts


def test_anonymous_answer_does_not_reveal_its_writer(mailing, smtp_server, alice, bob, erik):
    question = ask(alice)
    services.question_follow(question=question, member=erik)

    mailing(
        lambda: services.answer_create(
            question=question, author=bob, body=ANSWER_TEXT, anonymous=True
        )
    )

    messages = by_recipient(smtp_server)
    assert set(messages) == {alice.email, erik.email}
    raw = {e.rcpt_tos[0]: e.original_content for e in smtp_server.envelopes}
    for address, message in messages.items():
        assert_reveals_nothing_of(bob, everything(message))
        assert_reveals_nothing_of(bob, raw[address].decode("utf-8", "replace"))


# --- Checked again when sent ------------------------------------------------------------------


def _hide_question(question, reply, note, moderator) -> None:
    services.content_hide(item=question, moderator=moderator)


def _hide_answer(question, reply, note, moderator) -> None:
    services.content_hide(item=reply, moderator=moderator)


def _hide_comment(question, reply, note, moderator) -> None:
    services.content_hide(item=note, moderator=moderator)


@pytest.mark.parametrize("hide", [_hide_question, _hide_answer, _hide_comment])
def test_nothing_is_sent_about_what_was_hidden_before_sending(
    mailing, settings, smtp_server, alice, bob, carol, erik, hide
):
    # The notifications are written at once; the e-mail waits its batching minutes.
    settings.NOTIFICATION_BATCH_SECONDS = 120
    question = ask(alice)
    services.question_follow(question=question, member=erik)
    reply = mailing(lambda: services.answer_create(question=question, author=bob, body=ANSWER_TEXT))
    note = mailing(
        lambda: services.comment_create(
            question=question, author=bob, body=COMMENT_TEXT, answer=reply
        )
    )
    assert smtp_server.envelopes == []

    hide(question, reply, note, carol)
    delivery.deliver_now(later())

    sent = {(e.rcpt_tos[0], subject(parse(e))) for e in smtp_server.envelopes}
    if hide is _hide_comment:
        # The answer is still there: word of it goes out, of the comment none.
        answer_subject = sv("New answer: %(title)s") % {"title": TITLE}
        assert sent == {(alice.email, answer_subject), (erik.email, answer_subject)}
    else:
        assert sent == set()
        statuses = set(Email.objects.values_list("status", flat=True))
        assert statuses == {EmailStatus.SKIPPED}


def test_a_follower_deactivated_before_sending_gets_nothing(
    mailing, settings, smtp_server, alice, bob, carol, erik
):
    settings.NOTIFICATION_BATCH_SECONDS = 120
    question = ask(alice)
    services.question_follow(question=question, member=carol)
    services.question_follow(question=question, member=erik)
    mailing(lambda: services.answer_create(question=question, author=bob, body=ANSWER_TEXT))

    carol.deactivated_at = timezone.now()
    carol.save(update_fields=["deactivated_at"])
    delivery.deliver_now(later())

    assert set(by_recipient(smtp_server)) == {alice.email, erik.email}
    assert Email.objects.get(recipient=carol).status == EmailStatus.SKIPPED


def test_no_email_when_the_answer_is_rolled_back(
    mailing, smtp_server, django_capture_on_commit_callbacks, alice, bob
):
    question = ask(alice)
    before = Activity.objects.count()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.answer_create(question=question, author=bob, body=ANSWER_TEXT)
        raise RuntimeError("the request failed after the answer was written")

    assert callbacks == []
    assert Activity.objects.count() == before
    delivery.deliver_now(later())
    assert smtp_server.envelopes == []
