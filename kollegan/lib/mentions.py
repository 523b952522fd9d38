"""@-mentions: "@Anna Berglund" in any Markdown text becomes a link to her profile.

A name is one to four words, so "@Anna Berglund tycker" is looked up as
"Anna", "Anna Berglund", "Anna Berglund tycker"…; the longest that is exactly
one active member's name wins (case aside). A name two members share links
nobody: a wrong link would be worse than none. Addresses such as
anna@kollegan.test are not mentions (the "@" follows a letter)."""

import re

from django.db.models.functions import Lower
from django.urls import reverse

MENTION = re.compile(r"(?<![\w@/\[])@([^\W\d_][\w\-']*(?:[ \u00a0][^\W\d_][\w\-']*){0,3})")
MAX_MENTIONS = 50


def _candidates(words: list[str]) -> list[str]:
    return [" ".join(words[:n]) for n in range(len(words), 0, -1)]


def mentioned_members(text: str) -> dict[str, tuple[int, str]]:
    """lower-case name -> (member id, name as written on the profile), one query."""
    from kollegan.accounts.models import Member

    names: set[str] = set()
    for match in list(MENTION.finditer(text))[:MAX_MENTIONS]:
        names.update(c.lower() for c in _candidates(match.group(1).split()))
    if not names:
        return {}
    found: dict[str, list[tuple[int, str]]] = {}
    rows = (
        Member.objects.active()
        .annotate(lower_name=Lower("name"))
        .filter(lower_name__in=names)
        .values_list("lower_name", "pk", "name")
    )
    for lower_name, pk, name in rows:
        found.setdefault(lower_name, []).append((pk, name))
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

    return MENTION.sub(replace, text), mentioned
