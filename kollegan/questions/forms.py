"""The forms of Frågor. They only read what was sent: the rules (lengths, topics,
the confidentiality guard, who may) live in services, and their refusals are
put back on the form here so the page can show them at the right field."""

import json
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kollegan.files.forms import attachment_field
from kollegan.lib.guard import ConfidentialityError, Finding, GuardResult
from kollegan.questions.models import TITLE_MAX, Question
from kollegan.topics.models import Topic

T = TypeVar("T")

MARKDOWN_HINT = _("You can use Markdown: *italic*, **bold**, lists and links.")


class GuardedForm(forms.Form):
    """A form whose text goes through a service that may refuse it: validation
    errors land on their fields, the guard's findings are kept for the summary,
    and every field in error points at its message (aria-describedby)."""

    # Fields whose first focusable element is not the widget's own id.
    anchors: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.guard: GuardResult | None = None

    def attempt(self, call: Callable[[dict], T]) -> T | None:
        """Run ``call(cleaned_data)``; on a refusal keep it on the form and return None."""
        try:
            return call(self.cleaned_data)
        except ValidationError as error:
            self._add_refusal(error)
        except ConfidentialityError as error:
            self.guard = error.result
            if "body" in self.fields:
                self._describe("body", error=False)
        return None

    def _add_refusal(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self._describe(name)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        if field in self.fields:
            self._describe(field)

    def _describe(self, name: str, *, error: bool = True) -> None:
        bound = self[name]
        ids = [f"{bound.auto_id}_helptext"] if self.fields[name].help_text else []
        if error:
            ids.append(f"{bound.auto_id}_error")
        else:
            ids.append(self.guard_id)
        attrs = self.fields[name].widget.attrs
        attrs["aria-describedby"] = " ".join(ids)
        attrs["aria-invalid"] = "true"

    @property
    def guard_id(self) -> str:
        """The id of the guard's findings in the error summary."""
        return (self.auto_id or "%s") % "guard"

    @property
    def show_confirmation(self) -> bool:
        """The "I have checked" box appears once the guard found details to confirm
        (and stays, ticked, if the form comes back for another reason)."""
        if "confirmed" not in self.fields:
            return False
        if self.guard is not None and self.guard.needs_confirmation:
            return True
        return bool(self.is_bound and self["confirmed"].value())

    def guard_findings(self) -> list[Finding]:
        """Each finding once, those that block publishing first."""
        if self.guard is None:
            return []
        seen: dict[tuple[str, str], Finding] = {}
        for finding in sorted(self.guard.findings, key=lambda f: not f.blocking):
            seen.setdefault((finding.kind, finding.shown), finding)
        return list(seen.values())

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor id or "", message) for every error, fields in form order."""
        items = [("", str(message)) for message in self.errors.get(NON_FIELD_ERRORS, [])]
        for name in self.fields:
            for message in self.errors.get(name, []):
                anchor = self.anchors.get(name, "{}").format(self[name].auto_id)
                items.append((anchor, f"{self[name].label}: {message}"))
        return items

    @property
    def has_problems(self) -> bool:
        return bool(self.errors) or self.guard is not None


def topics_field(help_text: str) -> forms.ModelMultipleChoiceField:
    """Topics as checkboxes, chosen by slug; each form offers its own queryset."""
    return forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.none(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


def confirmation_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=_("I have checked the details and they identify no client"),
        required=False,
    )


class QuestionForm(GuardedForm):
    """Ask a question, or (``question=`` given) edit one: then without the
    anonymity choice, which cannot change."""

    anchors = {"topics": "{}_0"}

    title = forms.CharField(
        label=_("Title"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX, "autocomplete": "off"}),
        help_text=_(
            "The question in a few words, for example “Tips on placement of mother and child”."
        ),
    )
    body = forms.CharField(
        label=_("Your question"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=MARKDOWN_HINT,
    )
    topics = topics_field(
        _("Choose one to five. Colleagues who follow a topic get word of the question.")
    )
    anonymous = forms.BooleanField(
        label=_("Ask the question anonymously"),
        required=False,
        help_text=_(
            "Nobody sees who asked, not even the moderators, and your organisation is not "
            "shown. You can still edit the question, and you answer and comment in its "
            "thread as “The asker”."
        ),
    )
    # Only when asking; later files are attached on the question's page.
    file = attachment_field()
    confirmed = confirmation_field()

    def __init__(self, *args: Any, question: Question | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topics = Topic.objects.filter(is_active=True)
        if question is not None:
            # A topic no longer in use stays ticked, so the asker sees it and can untick it.
            topics = Topic.objects.filter(Q(is_active=True) | Q(questions=question)).distinct()
            del self.fields["anonymous"]
            del self.fields["file"]
        self.fields["topics"].queryset = topics.only("pk", "name", "slug").order_by(
            "position", "name"
        )
        # With htmx: similar questions under the title while it is typed (see ask.html).
        self.fields["title"].widget.attrs.update(
            {
                "hx-get": reverse("questions:similar"),
                "hx-trigger": "input changed delay:400ms",
                "hx-target": "#similar-questions",
                "hx-swap": "innerHTML",
            }
        )
        if question is not None:
            self.fields["title"].widget.attrs["hx-vals"] = json.dumps({"utom": question.pk})


class AnswerForm(GuardedForm):
    body = forms.CharField(
        label=_("Your answer"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=MARKDOWN_HINT,
    )
    anonymous = forms.BooleanField(
        label=_("Answer anonymously"),
        required=False,
        help_text=_("Nobody sees who answered, not even the moderators."),
    )
    confirmed = confirmation_field()


class CommentForm(GuardedForm):
    body = forms.CharField(
        label=_("Your comment"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=MARKDOWN_HINT,
    )
    anonymous = forms.BooleanField(
        label=_("Comment anonymously"),
        required=False,
        help_text=_("Nobody sees who wrote the comment, not even the moderators."),
    )
    confirmed = confirmation_field()
    # The answer commented on; empty for a comment on the question itself.
    svar = forms.IntegerField(
        label=_("Answer"),
        required=False,
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**31 - 1,
    )


class TextEditForm(GuardedForm):
    """Edit an answer or a comment: only the text."""

    body = forms.CharField(
        label=_("Text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=MARKDOWN_HINT,
    )
    confirmed = confirmation_field()


class ReportForm(GuardedForm):
    reason = forms.CharField(
        label=_("What is wrong?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For example that the text can identify a client, or is offensive. "
            "Only the moderators read it."
        ),
    )
