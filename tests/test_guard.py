"""The confidentiality guard: what it refuses, what it asks about, what it lets through.

Identity numbers are built here with an independent Luhn helper, next to literal
numbers whose check digits are known, so a bug shared by the guard and the test
cannot hide."""

import pytest
from django.utils import translation

from kollegan.accounts.models import Member
from kollegan.lib.guard import (
    ConfidentialityError,
    Finding,
    GuardResult,
    Kind,
    check_text,
    guard,
)


def luhn_digit(nine: str) -> str:
    """The check digit of a personal identity number from its first nine digits."""
    total = 0
    for index, char in enumerate(nine):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def valid_number(yymmdd: str, serial: str = "238") -> str:
    """YYMMDD-NNNN with a correct check digit."""
    return f"{yymmdd}-{serial}{luhn_digit(yymmdd + serial)}"


def with_wrong_check(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def no_members(addresses: set[str]) -> set[str]:
    return set()


def kinds(text: str) -> list[str]:
    return [finding.kind for finding in check_text(text, known_emails=no_members).findings]


def only_finding(text: str) -> Finding:
    findings = check_text(text, known_emails=no_members).findings
    assert len(findings) == 1, findings
    return findings[0]


# --- The test helper itself ----------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "check"),
    [("19121212-1212", "2"), ("811218-9876", "6"), ("701063-2391", "1")],
)
def test_luhn_helper_agrees_with_known_valid_numbers(number, check):
    digits = number.replace("-", "")[-10:]
    assert luhn_digit(digits[:9]) == check == digits[-1]


# --- Personal identity numbers -------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "811218-9876",
        "8112189876",
        "811218 9876",
        "19811218-9876",
        "198112189876",
        "19811218 9876",
        "121212-1212",
        "19121212-1212",
        "121212+1212",
    ],
)
def test_valid_personal_number_in_every_written_form_is_blocking(written):
    finding = only_finding(f"Klienten har pnr {written}, vad gör vi?")
    assert finding.kind == Kind.PERSONAL_NUMBER
    assert finding.text == written
    assert finding.blocking


@pytest.mark.parametrize("yymmdd", ["850412", "990101", "051231", "230630", "760915"])
def test_generated_personal_numbers_are_blocking(yymmdd):
    number = valid_number(yymmdd)
    finding = only_finding(number)
    assert (finding.kind, finding.blocking) == (Kind.PERSONAL_NUMBER, True)
    finding = only_finding("19" + number.replace("-", ""))
    assert finding.kind == Kind.PERSONAL_NUMBER


@pytest.mark.parametrize(
    "written",
    [
        "811218-9877",
        "8112189870",
        "19121212-1213",
        "121212+1211",
        with_wrong_check(valid_number("850412")),
        with_wrong_check("19" + valid_number("040229")),
    ],
)
def test_wrong_check_digit_is_a_non_blocking_finding_of_its_own(written):
    finding = only_finding(f"Gäller {written}.")
    assert finding.kind == Kind.PERSONAL_NUMBER_CHECKSUM
    assert finding.text == written
    assert not finding.blocking


@pytest.mark.parametrize(
    "yymmdd",
    [
        "851332",  # month 13
        "850431",  # 31 April
        "850100",  # day 0
        "850229",  # 1985 and 2085 are not leap years
        "850192",  # coordination day 92 - 60 = 32
        "850000",  # month 0
    ],
)
def test_impossible_dates_are_not_findings_even_with_a_valid_check_digit(yymmdd):
    assert kinds(valid_number(yymmdd)) == []
    assert kinds(with_wrong_check(valid_number(yymmdd))) == []


def test_literal_impossible_date_is_not_a_finding():
    assert kinds("Ärendet 851332-1234 är avslutat.") == []


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        # 2000 was a leap year, so 29 February in "00" is valid in one century.
        (valid_number("000229"), Kind.PERSONAL_NUMBER),
        (valid_number("840229"), Kind.PERSONAL_NUMBER),
        ("20000229" + valid_number("000229")[-5:], Kind.PERSONAL_NUMBER),
        # 1900 was not a leap year: written with its century the date cannot exist.
        ("19000229" + valid_number("000229")[-5:], None),
        # "+" means born 100 or more years ago: 1900 or 1800, neither a leap year.
        (valid_number("000229").replace("-", "+"), None),
        (valid_number("840229").replace("-", "+"), Kind.PERSONAL_NUMBER),
    ],
)
def test_leap_days(written, kind):
    assert kinds(written) == ([kind] if kind else [])


def test_unknown_century_in_twelve_digit_form_is_not_a_finding():
    assert kinds("30" + valid_number("811218").replace("-", "")) == []


@pytest.mark.parametrize(
    "written",
    [
        "701063-2391",
        "7010632391",
        "19701063-2391",
        valid_number("850472"),  # born the 12th
        valid_number("000289"),  # 29 February 2000 + 60
    ],
)
def test_coordination_numbers_are_blocking(written):
    finding = only_finding(written)
    assert finding.kind == Kind.COORDINATION_NUMBER
    assert finding.blocking


def test_coordination_number_with_wrong_check_digit_asks_for_confirmation():
    finding = only_finding(with_wrong_check("701063-2391"))
    assert (finding.kind, finding.blocking) == (Kind.PERSONAL_NUMBER_CHECKSUM, False)


@pytest.mark.parametrize(
    "text",
    [
        "5581121898761234",  # a 16-digit card number holding 8112189876
        "12198112189876",  # 14 digits holding 198112189876 and 8112189876
        "811218-98761",
        "1811218-9876",
        "9198112189876",
        "Kortnummer 4571 5581121898761234 spärrat",
    ],
)
def test_number_inside_a_longer_digit_run_is_not_cut_out(text):
    assert kinds(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Mötet är 2024-11-25 kl. 13:30.",
        "20241125",
        "Dnr 2023/145",
        "Beslut enligt Dnr SN 2023/145-2",
        "Bistånd med 12 000 kr i månaden",
        "Skulden är 1 250 000 kr.",
        "Född 1985, flyttade hit 2019.",
        "Klockan 08:30-10:00 den 5/11",
        "Datum 2024-01-05 10 30",
        "Version 1.2.3",
    ],
)
def test_dates_amounts_and_case_numbers_are_not_findings(text):
    assert kinds(text) == []


# --- Phone numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "070-123 45 67",
        "0701234567",
        "070 123 45 67",
        "070-1234567",
        "+46 70 123 45 67",
        "+46701234567",
        "+46 (0)70-123 45 67",
        "0046 70 123 45 67",
        "0046701234567",
        "0950-123 45",
        "08-123 456 78",
        "08-12 34 56",
        "090-12 34 56",
        "0910-123 45",
    ],
)
def test_phone_numbers_in_every_written_form(written):
    finding = only_finding(f"Ring mamman på {written} efter lunch.")
    assert finding.kind == Kind.PHONE
    assert finding.text == written
    assert not finding.blocking
    assert finding.shown == written


def test_two_phone_numbers_in_a_row_are_two_findings():
    findings = check_text("Tel 070-123 45 67 08-123 456 78").findings
    assert [finding.text for finding in findings] == ["070-123 45 67", "08-123 456 78"]


@pytest.mark.parametrize(
    "text",
    [
        "0701",
        "070-123",
        "070-12 34",
        "07012345678901",
        "2024-11-25",
        "1 050 kr",
    ],
)
def test_too_short_or_too_long_digit_runs_are_not_phone_numbers(text):
    assert Kind.PHONE not in kinds(text)


def test_personal_number_is_not_also_reported_as_phone():
    assert kinds("811218-9876") == [Kind.PERSONAL_NUMBER]
    # 0701234569 is both a dialable mobile number and a valid number for someone
    # born 2007-01-23: the identity number wins, the text is refused.
    assert luhn_digit("070123456") == "9"
    assert kinds("0701234569") == [Kind.PERSONAL_NUMBER]


def test_mobile_number_with_a_date_shape_is_a_phone_not_a_mistyped_personal_number():
    # 070123-4567 would be 2007-01-23 with a wrong check digit; as written it is a phone.
    assert luhn_digit("070123456") != "7"
    assert kinds("0701234567") == [Kind.PHONE]


# --- Addresses -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "Storgatan 12",
        "storgatan 12",
        "STORGATAN 12",
        "Kungsvägen 3B",
        "Kungsgatan 12 B",
        "Norra Järnvägsgatan 4 lgh 1101",
        "Skolstigen 7",
        "Björkallén 2",
        "Åkervägen 5",
        "Östra Ängsgränden 14",
        "Älvstråket 3",
        "Tallbacken 9",
        "Stortorget 1",
        "Strandpromenaden 22",
        "Björkslingan 4",
        "Ladugårdsgärdet 8",
        "Olof Palmes gata 3",
        "Torget 3",
        "Box 123",
        "921 31 Lycksele",
        "92131 Lycksele",
        "181 30 Upplands Väsby",
        "923 31 Storuman",
    ],
)
def test_addresses(written):
    finding = only_finding(f"Familjen bor på {written}, nära skolan.")
    assert finding.kind == Kind.ADDRESS
    assert finding.text == written
    assert not finding.blocking


@pytest.mark.parametrize(
    "text",
    [
        "Vi följer vårdplan 2 och genomförandeplan 3.",
        "Hon bor på plan 3.",
        "Han tog vägen 3 gånger i veckan.",
        "Storgatan är avstängd.",
        "Storgatan 1234567",
    ],
)
def test_words_that_only_look_like_streets_are_not_addresses(text):
    assert Kind.ADDRESS not in kinds(text)


def test_address_and_postal_code_in_one_text():
    findings = check_text("Storgatan 12, 921 31 Lycksele").findings
    assert [finding.text for finding in findings] == ["Storgatan 12", "921 31 Lycksele"]


# --- E-mail addresses ----------------------------------------------------------------


def test_email_of_non_member_is_a_finding_and_member_email_is_not():
    asked: list[set[str]] = []

    def members(addresses: set[str]) -> set[str]:
        asked.append(addresses)
        return {"alice@lycksele.test"} & addresses

    result = check_text(
        "Fråga Alice@Lycksele.TEST eller skriv till Klient.Namn@Gmail.com.",
        known_emails=members,
    )
    assert asked == [{"alice@lycksele.test", "klient.namn@gmail.com"}]
    assert [(f.kind, f.text, f.blocking) for f in result.findings] == [
        (Kind.EMAIL, "Klient.Namn@Gmail.com", False)
    ]


def test_email_lookup_is_not_called_without_addresses():
    def members(addresses: set[str]) -> set[str]:
        raise AssertionError("no address, no lookup")

    assert check_text("Inga adresser här.", known_emails=members).findings == ()


def test_default_lookup_knows_members_case_insensitively(alice, dave, django_assert_num_queries):
    with django_assert_num_queries(1):
        result = check_text(
            "Kontakta ALICE@lycksele.test eller dave@storuman.test,",
            "eller klienten på kalle.k@example.com.",
        )
    assert [finding.text for finding in result.findings] == ["kalle.k@example.com"]


def test_default_lookup_compares_lowercase_when_stored_as_written(alice):
    Member.objects.filter(pk=alice.pk).update(email="Alice@Lycksele.TEST")
    assert check_text("alice@lycksele.test").findings == ()


def test_default_lookup_asks_nothing_without_addresses(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        result = check_text("Storgatan 12", "Ingen e-post här, bara @ och en punkt.")
    assert [finding.kind for finding in result.findings] == [Kind.ADDRESS]


# --- What the writer is shown --------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("811218-9876", "811218-XXXX"),
        ("8112189876", "811218-XXXX"),
        ("811218 9876", "811218-XXXX"),
        ("19811218-9876", "19811218-XXXX"),
        ("198112189876", "19811218-XXXX"),
        ("121212+1212", "121212+XXXX"),
        ("701063-2391", "701063-XXXX"),
        ("811218-9877", "811218-XXXX"),
    ],
)
def test_identity_numbers_are_masked_when_shown(written, shown):
    assert only_finding(written).shown == shown


def test_labels_and_explanations():
    with translation.override("en"):
        finding = only_finding("811218-9876")
        assert finding.label == "Personal identity number"
        assert finding.explanation.startswith("A personal identity number identifies a person")
        assert only_finding("701063-2391").label == "Coordination number"
        assert only_finding("811218-9877").label == "Possible personal identity number"
        assert only_finding("070-123 45 67").label == "Phone number"
        assert only_finding("Storgatan 12").label == "Address"
        assert only_finding("x@example.com").label == "E-mail address"


def test_messages_put_blocking_first_and_drop_duplicates():
    result = check_text(
        "Ring 070-123 45 67, bor på Storgatan 12.",
        "Pnr 811218-9876 och igen 811218-9876, ring 070-123 45 67.",
        known_emails=no_members,
    )
    with translation.override("en"):
        lines = result.messages()
        phone = only_finding("070-123 45 67")
        address = only_finding("Storgatan 12")
        number = only_finding("811218-9876")
        assert lines == [
            f"Personal identity number: 811218-XXXX – {number.explanation}",
            f"Phone number: 070-123 45 67 – {phone.explanation}",
            f"Address: Storgatan 12 – {address.explanation}",
        ]
    assert not any("9876" in line for line in lines)
    assert len(result.findings) == 5


def test_findings_follow_the_order_of_texts_and_positions():
    result = check_text("Storgatan 12 och 070-123 45 67", "811218-9876", known_emails=no_members)
    assert [finding.kind for finding in result.findings] == [
        Kind.ADDRESS,
        Kind.PHONE,
        Kind.PERSONAL_NUMBER,
    ]


def test_a_number_split_over_two_texts_is_not_joined():
    assert check_text("811218", "9876").findings == ()
    assert check_text("", "").findings == ()


# --- Deciding ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("findings", "blocked", "needs_confirmation", "allowed", "allowed_confirmed"),
    [
        ((), False, False, True, True),
        ((Finding(Kind.PHONE, "070-123 45 67", False),), False, True, False, True),
        ((Finding(Kind.PERSONAL_NUMBER, "811218-9876", True),), True, False, False, False),
        (
            (
                Finding(Kind.PERSONAL_NUMBER, "811218-9876", True),
                Finding(Kind.ADDRESS, "Storgatan 12", False),
            ),
            True,
            True,
            False,
            False,
        ),
    ],
)
def test_result_decides(findings, blocked, needs_confirmation, allowed, allowed_confirmed):
    result = GuardResult(findings=findings)
    assert result.blocked is blocked
    assert result.needs_confirmation is needs_confirmation
    assert result.allows(confirmed=False) is allowed
    assert result.allows(confirmed=True) is allowed_confirmed


def test_guard_passes_clean_text():
    result = guard("Hur gör ni med LVU-ansökningar?", "Vi är tre handläggare.")
    assert result.findings == ()


def test_guard_asks_for_confirmation_of_non_blocking_findings():
    with pytest.raises(ConfidentialityError) as raised:
        guard("Ring 070-123 45 67", known_emails=no_members)
    assert [finding.kind for finding in raised.value.result.findings] == [Kind.PHONE]

    result = guard("Ring 070-123 45 67", confirmed=True, known_emails=no_members)
    assert [finding.kind for finding in result.findings] == [Kind.PHONE]


def test_guard_refuses_blocking_findings_even_when_confirmed():
    with pytest.raises(ConfidentialityError) as raised:
        guard("Titel", "Klienten 811218-9876 bor på Storgatan 12", confirmed=True)
    result = raised.value.result
    assert result.blocked
    assert {finding.kind for finding in result.findings} == {
        Kind.PERSONAL_NUMBER,
        Kind.ADDRESS,
    }
    # The exception may be logged: it names kinds, never the number itself.
    assert "9876" not in str(raised.value)
    assert "811218" not in str(raised.value)


def test_guard_with_valid_coordination_number_refuses():
    with pytest.raises(ConfidentialityError):
        guard("Samordningsnummer 701063-2391", confirmed=True)
