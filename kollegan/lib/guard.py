"""The confidentiality guard (sekretesspärr): every text is checked before it is published.

Text that identifies a client must never reach other members. A valid personal
identity number or coordination number is refused outright; phone numbers,
addresses, e-mail addresses of non-members and numbers that look like a
mistyped personal identity number are shown back to the writer, who may
confirm that they are not a client's.

The rules err towards reporting: a false alarm costs the writer one click, a
miss can reveal a client."""

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

EmailLookup = Callable[[set[str]], Iterable[str]]
_Span = tuple[int, int]


class Kind:
    PERSONAL_NUMBER = "personal_number"
    COORDINATION_NUMBER = "coordination_number"
    PERSONAL_NUMBER_CHECKSUM = "personal_number_checksum"
    PHONE = "phone"
    ADDRESS = "address"
    EMAIL = "email"


_MASKED_KINDS = frozenset(
    {Kind.PERSONAL_NUMBER, Kind.COORDINATION_NUMBER, Kind.PERSONAL_NUMBER_CHECKSUM}
)

# Marked with gettext_noop so makemessages finds them; translated when read, so
# that a finding follows the language that is active when it is shown.
_LABELS = {
    Kind.PERSONAL_NUMBER: gettext_noop("Personal identity number"),
    Kind.COORDINATION_NUMBER: gettext_noop("Coordination number"),
    Kind.PERSONAL_NUMBER_CHECKSUM: gettext_noop("Possible personal identity number"),
    Kind.PHONE: gettext_noop("Phone number"),
    Kind.ADDRESS: gettext_noop("Address"),
    Kind.EMAIL: gettext_noop("E-mail address"),
}
_EXPLANATIONS = {
    Kind.PERSONAL_NUMBER: gettext_noop(
        "A personal identity number identifies a person and can never be published here. Remove it."
    ),
    Kind.COORDINATION_NUMBER: gettext_noop(
        "A coordination number identifies a person and can never be published here. Remove it."
    ),
    Kind.PERSONAL_NUMBER_CHECKSUM: gettext_noop(
        "This looks like a personal identity number with a wrong check digit. "
        "Remove it, or confirm that it is not one."
    ),
    Kind.PHONE: gettext_noop(
        "A phone number can identify a client. Remove it, or confirm that it is not a client's."
    ),
    Kind.ADDRESS: gettext_noop(
        "An address can identify a client. Remove it, or confirm that it is not a client's."
    ),
    Kind.EMAIL: gettext_noop(
        "This address does not belong to a member and can identify a client. "
        "Remove it, or confirm that it is not a client's."
    ),
}


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str
    blocking: bool

    @property
    def label(self) -> str:
        return _(_LABELS[self.kind])

    @property
    def explanation(self) -> str:
        return _(_EXPLANATIONS[self.kind])

    @property
    def shown(self) -> str:
        """The match as shown back to the writer: identity numbers keep only their
        date part, so the full number is never repeated in a page, e-mail or log."""
        if self.kind not in _MASKED_KINDS:
            return self.text
        digits = re.sub(r"\D", "", self.text)
        separator = "+" if "+" in self.text else "-"
        return f"{digits[:-4]}{separator}XXXX"


@dataclass(frozen=True)
class GuardResult:
    findings: tuple[Finding, ...]

    @property
    def blocked(self) -> bool:
        return any(finding.blocking for finding in self.findings)

    @property
    def needs_confirmation(self) -> bool:
        return any(not finding.blocking for finding in self.findings)

    def allows(self, *, confirmed: bool) -> bool:
        return not self.blocked and (confirmed or not self.needs_confirmation)

    def messages(self) -> list[str]:
        ordered = sorted(self.findings, key=lambda finding: not finding.blocking)
        lines = (f"{f.label}: {f.shown} – {f.explanation}" for f in ordered)
        return list(dict.fromkeys(lines))


class ConfidentialityError(Exception):
    """Raised by services when the guard refuses a text; carries the result."""

    result: GuardResult

    def __init__(self, result: GuardResult) -> None:
        # Only the kinds: the message may end up in logs, which must not hold
        # the very numbers and addresses the guard keeps out of the pages.
        kinds = ", ".join(sorted({finding.kind for finding in result.findings}))
        super().__init__(f"The confidentiality guard refused the text ({kinds}).")
        self.result = result


# --- Personal identity and coordination numbers --------------------------------------

# The lookarounds keep a candidate from being cut out of a longer digit run
# (card numbers, long reference numbers).
_PERSONAL_NUMBER = re.compile(
    r"""
    (?<!\d)
    (?P<century>\d{2})?
    (?P<yymmdd>(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2}))
    (?P<sep>[-+ ]?)
    (?P<serial>\d{3})(?P<check>\d)
    (?!\d)
    """,
    re.VERBOSE,
)
_CENTURIES = ("18", "19", "20")


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _personal_number_kind(match: re.Match[str]) -> str | None:
    """The kind of finding for a candidate, or None when its date cannot exist."""
    century, sep = match["century"], match["sep"]
    yy, month, day = int(match["yy"]), int(match["mm"]), int(match["dd"])
    coordination = day > 60
    if coordination:
        day -= 60
    if century is not None:
        if century not in _CENTURIES:
            return None
        years = [int(century) * 100 + yy]
    elif sep == "+":
        # "+" marks someone who has turned 100.
        years = [1800 + yy, 1900 + yy]
    else:
        years = [1900 + yy, 2000 + yy]
    if not any(_is_date(year, month, day) for year in years):
        return None
    if not _luhn_valid(match["yymmdd"] + match["serial"] + match["check"]):
        return Kind.PERSONAL_NUMBER_CHECKSUM
    return Kind.COORDINATION_NUMBER if coordination else Kind.PERSONAL_NUMBER


# --- Phone numbers -------------------------------------------------------------------

# A country code or the trunk 0, an area code, then the subscriber number either
# in one run or in groups of two or three digits. The lookbehind refuses the tail
# of a date or a longer number ("2024-01-05 10 30" holds "01-05 10 30").
_PHONE = re.compile(
    r"""
    (?<![\w+])(?<!\d[-/.])
    (?:(?:\+|00)46[ ]?(?:\(0\)[ ]?|0)?|0)
    (?P<area>[1-9]\d{0,2})
    [ -]?
    (?P<subscriber>\d{2,3}(?:[ -]\d{2,3}){1,3}|\d{5,8})
    (?!\d)
    """,
    re.VERBOSE,
)


def _phone_end(match: re.Match[str]) -> int | None:
    """Where the phone number in a candidate ends, or None when it is not one.

    Without the trunk 0 a Swedish number has 7–9 digits (8–10 as dialled at home).
    Groups the regex took beyond that are dropped from the end, so that two numbers
    in a row ("070-123 45 67 08-123 456 78") are two findings, not one miss."""
    groups = re.split(r"[ -]", match["subscriber"])
    area = len(match["area"])
    while area + sum(map(len, groups)) > 9 and len(groups) > 2:
        groups.pop()
    if not 7 <= area + sum(map(len, groups)) <= 9:
        return None
    # Groups are joined by one separator each.
    return match.start("subscriber") + sum(map(len, groups)) + len(groups) - 1


def _phones(text: str) -> Iterator[tuple[_Span, str]]:
    pos = 0
    while match := _PHONE.search(text, pos):
        end = _phone_end(match)
        if end is None:
            pos = match.start() + 1
        else:
            yield (match.start(), end), text[match.start() : end]
            pos = end


# --- Addresses -----------------------------------------------------------------------

_STREET_SUFFIXES = (
    "gatan",
    "gata",
    "vägen",
    "väg",
    "stigen",
    "gränden",
    "gränd",
    "backen",
    "torget",
    "torg",
    "allén",
    "leden",
    "stråket",
    "promenaden",
    "esplanaden",
    "kajen",
    "slingan",
    "svängen",
    "gärdet",
)
_SUFFIX = "|".join(sorted(_STREET_SUFFIXES, key=len, reverse=True))
_SEPARATE_SUFFIX = "gatan|gata|vägen|väg|gränd|allé|torg|backe|stig|plan"
_UPPER = "A-ZÅÄÖÉÜ"
_LETTER = r"[^\W\d_]"

# Forms of a street name:
#  - a word ending in a suffix, written in any case: Storgatan, björkallén, KUNGSVÄGEN;
#  - "plan" only with a capital (Stationsplan): vårdplan and genomförandeplan are
#    everyday words here, and "plan 3" is a floor;
#  - a bare suffix with a capital, a street of its own: Torget 3, Backen 2;
#  - a genitive and a separate suffix word: Olof Palmes gata 3, Kristinas väg 5.
_ADDRESS = re.compile(
    rf"""
    (?<![\w-])
    (?:(?i:norra|södra|östra|västra|stora|lilla|gamla|nya|övre|nedre|yttre|inre)\s+)?
    (?:
        {_LETTER}[\w-]*?(?i:{_SUFFIX})
      | [{_UPPER}][\w-]*?(?i:plan)
      | (?=[{_UPPER}])(?i:{_SUFFIX})
      | (?:[{_UPPER}]\w*\s+)?[{_UPPER}]\w*s\s+(?:{_SEPARATE_SUFFIX})
    )
    \s+
    \d{{1,3}}(?:[A-Za-z]|\s[A-Z])?(?!\w)
    (?:,?\s+(?i:lgh|lägenhet)\.?\s*\d{{4}}(?!\w))?
    """,
    re.VERBOSE,
)
_POSTAL_BOX = re.compile(r"(?<![\w-])(?i:box)\s+\d{1,5}(?!\w)")
# "921 31 Lycksele", "92131 Lycksele", "181 30 Upplands Väsby".
_POSTAL_CODE = re.compile(
    rf"""
    (?<!\w)(?<!\d[ ,.-])
    [1-9]\d{{2}}[ ]?\d{{2}}
    \s+
    [{_UPPER}]{_LETTER}+(?:[ -][{_UPPER}]{_LETTER}+)?
    """,
    re.VERBOSE,
)


# --- E-mail addresses ----------------------------------------------------------------

_EMAIL = re.compile(rf"(?<![\w.%+-])[\w.%+-]+@(?:[\w-]+\.)+{_LETTER}{{2,}}(?![\w-])")


def _member_emails(addresses: set[str]) -> set[str]:
    """The addresses (lowercase) that belong to members, deactivated ones included:
    their address is a colleague's, not a client's."""
    from django.db.models.functions import Lower

    from kollegan.accounts.models import Member

    return set(
        Member.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=addresses)
        .values_list("email_lower", flat=True)
    )


# --- Checking ------------------------------------------------------------------------


def _overlaps(span: _Span, others: Iterable[_Span]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in others)


def _findings_in(text: str, members: set[str]) -> list[tuple[int, Finding]]:
    found: list[tuple[int, Finding]] = []

    numbers: list[tuple[_Span, str, str]] = []
    for match in _PERSONAL_NUMBER.finditer(text):
        kind = _personal_number_kind(match)
        if kind is not None:
            numbers.append((match.span(), kind, match[0]))

    valid_number_spans = [
        span for span, kind, _text in numbers if kind != Kind.PERSONAL_NUMBER_CHECKSUM
    ]
    phone_spans = []
    for span, written in _phones(text):
        # A valid identity number stays one even when it could be dialled.
        if not _overlaps(span, valid_number_spans):
            phone_spans.append(span)
            found.append((span[0], Finding(Kind.PHONE, written, blocking=False)))

    for span, kind, written in numbers:
        # 0701234567 has the shape of a number born 2007-01-23; with a wrong check
        # digit it is far more likely the mobile number it also looks like.
        if kind == Kind.PERSONAL_NUMBER_CHECKSUM and _overlaps(span, phone_spans):
            continue
        blocking = kind != Kind.PERSONAL_NUMBER_CHECKSUM
        found.append((span[0], Finding(kind, written, blocking=blocking)))

    for pattern in (_ADDRESS, _POSTAL_BOX, _POSTAL_CODE):
        for match in pattern.finditer(text):
            found.append((match.start(), Finding(Kind.ADDRESS, match[0], blocking=False)))

    for match in _EMAIL.finditer(text):
        if match[0].lower() not in members:
            found.append((match.start(), Finding(Kind.EMAIL, match[0], blocking=False)))

    found.sort(key=lambda item: item[0])
    return found


def check_text(*texts: str, known_emails: EmailLookup | None = None) -> GuardResult:
    """Check texts that are published together (a title and a body, say).

    ``known_emails`` receives the lowercase e-mail addresses found and returns
    those that belong to members; by default the members table is asked, in one
    query, and only when there is an address to ask about."""
    texts = tuple(text for text in texts if text)
    addresses = {match[0].lower() for text in texts for match in _EMAIL.finditer(text)}
    members: set[str] = set()
    if addresses:
        lookup = known_emails if known_emails is not None else _member_emails
        members = {address.lower() for address in lookup(addresses)}
    findings = tuple(finding for text in texts for _, finding in _findings_in(text, members))
    return GuardResult(findings=findings)


def guard(
    *texts: str, confirmed: bool = False, known_emails: EmailLookup | None = None
) -> GuardResult:
    """check_text, then raise ConfidentialityError unless the result allows publishing."""
    result = check_text(*texts, known_emails=known_emails)
    if not result.allows(confirmed=confirmed):
        raise ConfidentialityError(result)
    return result
