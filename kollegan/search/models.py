"""Sök: one index row per searchable item, whatever its kind.

``title``, ``body`` and ``parts`` hold the *analysed* text (stems, see
:mod:`kollegan.search.analysis`), never the text itself and never who wrote
it. The full-text index over them is the engine's own: an FTS5 table kept in
step by triggers on SQLite, a generated ``tsvector`` column with a GIN index on
PostgreSQL (both made by migration 0002). What a result shows is read from the
item itself when the page is drawn, after checking that the searcher may see it.

Rows are written by :mod:`kollegan.search.indexing` in the same transaction as
the content; ids grow with time, so "the newest matches" is the index's own order."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SYNONYM_TERM_WORDS = 10
SYNONYM_TERMS_MAX = 12


class SearchEntry(models.Model):
    kind = models.CharField(max_length=12)
    object_id = models.PositiveBigIntegerField()
    # The result it belongs to ("question:12" for the question and its answers):
    # one thread is one result, shown through its best-matching part.
    thread = models.CharField(max_length=40)
    # Who may see it: everybody (empty) or one group's members.
    group_id = models.PositiveBigIntegerField(null=True)
    organisation_id = models.PositiveBigIntegerField(null=True)
    # Topic ids as ",3,7," for the topic filter.
    topics = models.CharField(max_length=400, blank=True)
    date = models.DateTimeField(default=timezone.now)
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    parts = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_once")
        ]
        # The organisation filter lists the organisations that wrote something.
        indexes = [models.Index(fields=["organisation_id", "kind"], name="search_entry_org")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


def encode_topics(ids) -> str:
    """Topic ids as ``SearchEntry.topics`` holds them: ",3,7," (or "" for none), so
    one topic is found with LIKE '%,3,%'."""
    ordered = sorted(set(ids))
    return f",{','.join(str(pk) for pk in ordered)}," if ordered else ""


def decode_topics(text: str) -> list[int]:
    return [int(pk) for pk in text.strip(",").split(",") if pk]


def parse_terms(text: str) -> list[str]:
    """The terms of one synonym line: "EB = ekonomiskt bistånd = försörjningsstöd"."""
    separators = text.replace(",", "=").replace("\n", "=")
    return [" ".join(term.split()) for term in separators.split("=") if term.strip()]


class Synonym(models.Model):
    """Words that mean the same to a searcher; a search for one finds them all."""

    terms = models.CharField(
        _("words that mean the same"),
        max_length=500,
        help_text=_(
            'Separate them with "=", for example: ekonomiskt bistånd = försörjningsstöd = EB. '
            "A term may have several words; it is then searched as a phrase."
        ),
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["terms"]
        verbose_name = _("synonym")
        verbose_name_plural = _("synonyms")

    def __str__(self) -> str:
        return self.terms

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        from kollegan.search.query import synonyms_changed

        synonyms_changed()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        from kollegan.search.query import synonyms_changed

        synonyms_changed()
        return result

    def clean(self) -> None:
        from kollegan.search.analysis import words

        terms = parse_terms(self.terms)
        if len(terms) < 2:
            raise ValidationError({"terms": _('Write at least two terms separated by "=".')})
        if len(terms) > SYNONYM_TERMS_MAX:
            raise ValidationError(
                {"terms": _("At most %(count)d terms in one line.") % {"count": SYNONYM_TERMS_MAX}}
            )
        for term in terms:
            count = len(words(term))
            if count == 0 or count > SYNONYM_TERM_WORDS:
                raise ValidationError(
                    {
                        "terms": _('"%(term)s" must have between 1 and %(max)d words.')
                        % {"term": term, "max": SYNONYM_TERM_WORDS}
                    }
                )
        self.terms = " = ".join(terms)
