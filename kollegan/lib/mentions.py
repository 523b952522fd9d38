"""@-mentions: "@Anna Berglund" in any Markdown text becomes a link to her profile.

A name is one to four words, so "@Anna Berglund tycker" is looked up as
"Anna", "Anna Berglund", "Anna Berglund tycker"…; the longest that is exactly
one active member's name wins (case aside). A name two members share links
nobody: a wrong link would be worse than none. Addresses such as
anna@kollegan.test are not mentions (the "@" follows a letter)."""

import re

from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

MENTION = re.compile(r"(?<![\w@/\[])@([^\W\d_][\w\-']*(?:[ \u00a0][^\W\d_][\w\-']*){0,3})")
MAX_MENTIONS = 50
# Fenced blocks and inline code spans (the split keeps them at odd indexes).
CODE = re.compile(r"(```[\s\S]*?(?:```|$)|`[^`\n]*`)")


def _candidates(words: list[str]) -> list[str]:
    return [" ".join(words[:n]) for n in range(len(words), 0, -1)]


def mentioned_members(text: str) -> dict[str, tuple[int, str]]:
    """lower-case name -> (member id, name as written on the profile), one query."""
    from kollegan.accounts.models import Member

    names: set[str] = set()
    written: set[str] = set()
    for match in list(MENTION.finditer(_outside_code(text)))[:MAX_MENTIONS]:
        for candidate in _candidates(match.group(1).split()):
            names.add(candidate.lower())
            # SQLite's LOWER() folds A-Z only: "Örjan Åström" is also looked for as
            # written and with capitals, which is how names are written.
            written.update({candidate, " ".join(w[:1].upper() + w[1:] for w in candidate.split())})
    if not names:
        return {}
    found: dict[str, list[tuple[int, str]]] = {}
    rows = (
        Member.objects.active()
        .annotate(lower_name=Lower("name"))
        .filter(Q(lower_name__in=names) | Q(name__in=written))
        .values_list("pk", "name")
    )
    for pk, name in rows:
        found.setdefault(name.lower(), []).append((pk, name))
    return {name: members[0] for name, members in found.items() if len(members) == 1}


def link_mentions(text: str) -> tuple[str, list[int]]:
    """The text with each mention as a Markdown link, and the ids mentioned."""
    members = mentioned_members(text)
    if not members:
        return text, []
    mentioned: list[int] = []

    def replace(match: re.Match) -> str:
        words = match.group(1).split()
        for candidate in _candidates(words):
            hit = members.get(candidate.lower())
            if hit:
                pk, _name = hit
                if pk not in mentioned:
                    mentioned.append(pk)
                rest = match.group(1)[len(candidate) :]
                url = reverse("profiles:detail", args=[pk])
                return f"[@{candidate}]({url}){rest}"
        return match.group(0)

    # Code is shown as written: mentions are linked only between code spans.
    parts = CODE.split(text)
    for index in range(0, len(parts), 2):
        parts[index] = MENTION.sub(replace, parts[index])
    return "".join(parts), mentioned


def _outside_code(text: str) -> str:
    return " ".join(CODE.split(text)[::2])
