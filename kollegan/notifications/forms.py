"""The e-mail settings form on Min sida. It only reads what was sent and refuses
anything it does not know (a topic, a kind of content, a frequency, an hour),
so the services are called with choices that are all valid or not at all.

The topic table is many selects named ``sub-<topic id or "all">-<kind>``; they
are read from the POSTed data here rather than as one Django field each, so a
page with fifty topics costs no more to render or check than one with five."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kollegan.notifications.models import Frequency, Kind, Weekday
from kollegan.questions.forms import GuardedForm
from kollegan.topics.models import Topic

CELL_PREFIX = "sub-"
EVERY_TOPIC = "all"

FREQUENCY_ERROR = _("Choose how often.")
HOUR_ERROR = _("Choose an hour between 0 and 23.")
WEEKDAY_ERROR = _("Choose a day of the week.")
TOPIC_ERROR = _("There is no such topic.")
KIND_ERROR = _("Unknown kind of content.")

Choices = dict[tuple[int | None, str], str]


def cell_name(topic_id: int | None, kind: str) -> str:
    return f"{CELL_PREFIX}{EVERY_TOPIC if topic_id is None else topic_id}-{kind}"


@dataclass(frozen=True)
class Cell:
    name: str
    kind_label: str
    value: str


@dataclass(frozen=True)
class Row:
    topic_id: int | None
    label: str
    cells: list[Cell]


def _frequency_field(label: str, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        choices=Frequency.choices,
        error_messages={"required": FREQUENCY_ERROR, "invalid_choice": FREQUENCY_ERROR},
    )


class EmailSettingsForm(GuardedForm):
    """``topics`` are the rows of the table (besides "Every topic"); ``current``
    is the member's subscriptions, shown until something is POSTed."""

    paused = forms.BooleanField(
        label=_("Pause all e-mail"),
        required=False,
        help_text=_(
            "While e-mail is paused you get no e-mail at all, whatever you choose below. "
            "Your notifications on the site (the bell) continue as before."
        ),
        widget=forms.CheckboxInput(attrs={"role": "switch"}),
    )
    mentions = _frequency_field(_("When someone mentions me"))
    own = _frequency_field(
        _("Answers to my questions, replies to my posts, changes to my documents")
    )
    following = _frequency_field(
        _("What I follow"),
        _("Questions, posts and events you follow: their answers, comments and changes."),
    )
    my_topics = _frequency_field(_("New questions in the topics on my profile"))
    chat = _frequency_field(
        _("Chat messages while I am not in the chat"),
        _("One notice per conversation until you have read it, not one per message."),
    )
    digest_hour = forms.TypedChoiceField(
        label=_("Time for the digests"),
        help_text=_("Swedish time. The daily digest comes at this hour, and so does the weekly."),
        coerce=int,
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
        error_messages={"required": HOUR_ERROR, "invalid_choice": HOUR_ERROR},
    )
    digest_weekday = forms.TypedChoiceField(
        label=_("Day for the weekly digest"),
        coerce=int,
        choices=Weekday.choices,
        error_messages={"required": WEEKDAY_ERROR, "invalid_choice": WEEKDAY_ERROR},
    )

    def __init__(self, *args: Any, topics: list[Topic], current: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.topics = topics
        self.current = current

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["choices"] = self._cells()
        return cleaned

    def _cells(self) -> Choices:
        """Every (topic, kind) choice sent; the first unknown name or value is an error."""
        known_topics = {str(topic.pk): topic.pk for topic in self.topics}
        choices: Choices = {}
        for name in self.data:
            if not name.startswith(CELL_PREFIX):
                continue
            topic_part, _sep, kind = name[len(CELL_PREFIX) :].partition("-")
            if topic_part != EVERY_TOPIC and topic_part not in known_topics:
                raise forms.ValidationError(TOPIC_ERROR, code="topic")
            if kind not in Kind.values:
                raise forms.ValidationError(KIND_ERROR, code="kind")
            frequency = self.data.get(name)
            if frequency not in Frequency.values:
                raise forms.ValidationError(FREQUENCY_ERROR, code="frequency")
            choices[(known_topics.get(topic_part), kind)] = frequency
        return choices

    def rows(self) -> list[Row]:
        """The table: "Every topic" first, then each topic; a cell shows what was
        sent when the form came back, else the saved choice (never when none)."""
        labels = [(None, str(_("Every topic")))]
        labels += [(topic.pk, topic.name) for topic in self.topics]
        kinds = [(value, str(label)) for value, label in Kind.choices]
        rows = []
        for topic_id, label in labels:
            cells = []
            for kind, kind_label in kinds:
                name = cell_name(topic_id, kind)
                saved = self.current.get((topic_id, kind), Frequency.NEVER)
                value = self.data.get(name, saved) if self.is_bound else saved
                cells.append(Cell(name=name, kind_label=kind_label, value=value))
            rows.append(Row(topic_id=topic_id, label=label, cells=cells))
        return rows

    @property
    def kinds(self) -> list[str]:
        return [str(label) for label in Kind.labels]

    @property
    def frequencies(self) -> list[tuple[str, str]]:
        """Translated once for the whole table, not once per select."""
        return [(value, str(label)) for value, label in Frequency.choices]
