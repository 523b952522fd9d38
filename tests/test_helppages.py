"""Hjälp: the manual administrators write and order, the shipped first manual, and
the accessibility statement that visitors read without logging in."""

import pytest
from django.test import Client
from django.urls import reverse

from kollegan.audit.models import AuditEntry
from kollegan.core.models import MFARequirement, SiteSettings
from kollegan.helppages.manual import create_missing, manual_pages
from kollegan.helppages.models import HelpPage
from kollegan.helppages.selectors import ACCESSIBILITY_SLUG
from tests.helpers import sv

INDEX = "/hjalp/"
ACCESSIBILITY = "/tillganglighet/"
LOGIN = "/konto/login/"
# Session, member, the pages (contents; for one page also the page itself).
INDEX_QUERIES = 3
PAGE_QUERIES = 4


def page_url(slug: str) -> str:
    return reverse("helppages:page", args=[slug])


def make_page(slug: str, position: int, **fields) -> HelpPage:
    fields.setdefault("title", slug.replace("-", " ").capitalize())
    fields.setdefault("body", f"Text om {slug}.")
    return HelpPage.objects.create(slug=slug, position=position, **fields)


@pytest.fixture
def own_pages(db) -> list[HelpPage]:
    """Three pages of our own instead of the shipped manual, out of order on purpose."""
    HelpPage.objects.all().delete()
    return [
        make_page("andra", 20, title="Andra sidan", summary="Den andra."),
        make_page("forsta", 10, title="Första sidan", summary="Den första."),
        make_page("tredje", 30, title="Tredje sidan", summary="Den tredje."),
    ]


def contact(email: str) -> None:
    SiteSettings.objects.update_or_create(pk=1, defaults={"contact_email": email})


# --- The shipped manual -----------------------------------------------------------------


def test_migration_created_every_page_of_the_manual(db):
    shipped = manual_pages()
    assert 8 <= len(shipped) <= 14
    pages = {page.slug: page for page in HelpPage.objects.all()}
    assert set(pages) == {page.slug for page in shipped}
    assert all(page.is_published and page.body_html for page in pages.values())
    # Only the accessibility statement is open to visitors.
    assert {slug for slug, page in pages.items() if page.is_public} == {ACCESSIBILITY_SLUG}
    positions = [page.position for page in HelpPage.objects.all()]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)


@pytest.mark.parametrize(
    "section",
    [
        "Startsidan",
        "flödet",
        "Frågor",
        "anonymt",
        "Löste min fråga",
        "Anmäl",
        "Medarbetare",
        "Kan frågas om",
        "Kalendarium",
        "Digitala mötesplatsen",
        "Jag kommer",
        "Outlook",
        "Mötesnoteringar",
        "Grupper",
        "Dokument",
        "På remiss",
        "Jämför två versioner",
        "Återställ en äldre version",
        "Om två ändrar samtidigt",
        "lokal variant",
        "25 MB",
        "PPTX",
        "Notiser",
        "Veckosammanfattning",
        "Sluta skicka dessa",
        "Min sida",
        "Tvåstegsinloggning",
        "API-nyckel",
        "Mina uppgifter",
        "Sekretess",
        "personnummer",
        "Tillgänglighet",
        "Inbjudningar",
        "Menyval",
        "Hjälpsidor",
        "Ämnen",
        "Skicka igen",
        "Inloggning via organisationen",
    ],
)
def test_manual_explains_every_section(db, section):
    text = "\n".join(HelpPage.objects.values_list("body", flat=True))
    assert section.lower() in text.lower(), f"the manual never mentions {section!r}"


def test_manual_links_only_to_pages_that_exist(db):
    slugs = set(HelpPage.objects.values_list("slug", flat=True))
    for page in HelpPage.objects.all():
        for slug in _help_links(page.body):
            assert slug in slugs, f"{page.slug} links to /hjalp/{slug}/"


def _help_links(markdown: str) -> list[str]:
    import re

    return re.findall(r"\(/hjalp/([a-z0-9-]+)/\)", markdown)


def test_loading_the_manual_again_keeps_administrators_edits(db):
    edited = HelpPage.objects.get(slug="fragor")
    edited.body = "Arbetsgruppens egen text."
    edited.save()
    HelpPage.objects.filter(slug="kalendarium").delete()

    created = create_missing(HelpPage)

    assert created == ["kalendarium"]
    assert HelpPage.objects.get(slug="fragor").body == "Arbetsgruppens egen text."
    assert HelpPage.objects.filter(slug="kalendarium").exists()


def test_loading_only_named_pages(db):
    HelpPage.objects.filter(slug__in=["fragor", "dokument"]).delete()
    assert create_missing(HelpPage, slugs={"dokument"}) == ["dokument"]
    assert not HelpPage.objects.filter(slug="fragor").exists()


# --- The contents -------------------------------------------------------------------------


def test_contents_list_published_pages_in_the_administrators_order(alice_client, own_pages):
    HelpPage.objects.filter(slug="tredje").update(is_published=False)
    response = alice_client.get(INDEX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Första sidan") < html.index("Andra sidan")
    assert "Den första." in html
    assert "Tredje sidan" not in html
    assert sv("Not published") not in html


def test_administrator_sees_unpublished_pages_marked_in_the_contents(admin_client_, own_pages):
    HelpPage.objects.filter(slug="tredje").update(is_published=False)
    html = admin_client_.get(INDEX).content.decode()
    assert "Tredje sidan" in html
    assert sv("Not published") in html
    assert reverse("admin:helppages_helppage_changelist") in html


def test_contents_without_pages_say_so(alice_client, db):
    HelpPage.objects.all().delete()
    response = alice_client.get(INDEX)
    assert response.status_code == 200
    assert sv("There are no help pages yet.") in response.content.decode()


def test_contents_cost_the_same_queries_for_3_or_30_pages(
    alice_client, own_pages, django_assert_num_queries
):
    alice_client.get(INDEX)  # the cached site settings
    with django_assert_num_queries(INDEX_QUERIES):
        assert alice_client.get(INDEX).status_code == 200
    for number in range(27):
        make_page(f"sida-{number}", 100 + number, summary="En rad.")
    with django_assert_num_queries(INDEX_QUERIES):
        response = alice_client.get(INDEX)
    assert response.content.decode().count('class="question-row"') == 30


# --- One page -------------------------------------------------------------------------------


def test_page_shows_its_text_and_the_way_on(alice_client, own_pages):
    response = alice_client.get(page_url("andra"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "Andra sidan" in html
    assert "Text om andra." in html
    assert f'href="{page_url("forsta")}" rel="prev"' in html
    assert f'href="{page_url("tredje")}" rel="next"' in html
    assert f'href="{INDEX}"' in html
    assert sv("Contents") in html


def test_first_and_last_pages_have_one_neighbour(alice_client, own_pages):
    first = alice_client.get(page_url("forsta")).content.decode()
    last = alice_client.get(page_url("tredje")).content.decode()
    assert 'rel="prev"' not in first and 'rel="next"' in first
    assert 'rel="next"' not in last and 'rel="prev"' in last


def test_unknown_page_is_not_found(alice_client, own_pages):
    assert alice_client.get(page_url("finns-inte")).status_code == 404


def test_unpublished_page_is_not_found_for_members(alice_client, carol_client, own_pages):
    HelpPage.objects.filter(slug="andra").update(is_published=False)
    assert alice_client.get(page_url("andra")).status_code == 404
    assert carol_client.get(page_url("andra")).status_code == 404
    # Nor is it anyone's neighbour.
    html = alice_client.get(page_url("forsta")).content.decode()
    assert page_url("andra") not in html


def test_administrator_previews_an_unpublished_page(admin_client_, own_pages):
    HelpPage.objects.filter(slug="andra").update(is_published=False)
    response = admin_client_.get(page_url("andra"))
    assert response.status_code == 200
    html = response.content.decode()
    assert sv("Not published: only administrators see this page.") in html
    assert reverse("admin:helppages_helppage_change", args=[own_pages[0].pk]) in html


def test_markdown_is_sanitised(alice_client, own_pages):
    page = own_pages[0]
    page.body = (
        "## Rubrik\n\n<script>alert('x')</script>\n\n"
        "[klicka](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    page.save()
    html = alice_client.get(page_url(page.slug)).content.decode()
    assert "<h2>Rubrik</h2>" in html
    # Shown as text, never as markup.
    assert "&lt;script&gt;alert" in html and "<script>alert" not in html
    assert 'href="javascript' not in html
    assert "<img" not in html


def test_page_is_read_only(alice_client, own_pages):
    assert alice_client.post(page_url("andra")).status_code == 405
    assert alice_client.post(INDEX).status_code == 405


def test_page_costs_the_same_queries_for_3_or_30_pages(
    alice_client, own_pages, django_assert_num_queries
):
    alice_client.get(page_url("andra"))
    with django_assert_num_queries(PAGE_QUERIES):
        assert alice_client.get(page_url("andra")).status_code == 200
    for number in range(27):
        make_page(f"sida-{number}", 15 + number)
    with django_assert_num_queries(PAGE_QUERIES):
        assert alice_client.get(page_url("andra")).status_code == 200


def test_contact_address_is_filled_in(alice_client, own_pages):
    page = own_pages[0]
    page.body = "Skriv till {kontaktadress} om något är fel."
    page.save()
    contact("kollegan@fou.example")
    html = alice_client.get(page_url(page.slug)).content.decode()
    assert '<a href="mailto:kollegan@fou.example">kollegan@fou.example</a>' in html
    assert "{kontaktadress}" not in html


def test_without_a_contact_address_the_administrators_are_named(alice_client, own_pages):
    page = own_pages[0]
    page.body = "Skriv till {kontaktadress}."
    page.save()
    contact("")
    html = alice_client.get(page_url(page.slug)).content.decode()
    assert "{kontaktadress}" not in html
    assert "mailto:" not in html.split('<div class="prose">')[1].split("</div>")[0]


# --- Who may read ----------------------------------------------------------------------------


@pytest.fixture(params=["client", "dave_client"])
def outsider(request) -> Client:
    """A visitor, and a deactivated member's old session (a visitor to the site)."""
    return request.getfixturevalue(request.param)


def test_outsider_is_sent_to_log_in_for_the_contents(outsider, own_pages):
    response = outsider.get(INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_outsider_is_sent_to_log_in_for_a_members_page(outsider, own_pages):
    response = outsider.get(page_url("andra"))
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={page_url('andra')}"


def test_outsider_cannot_tell_unknown_or_unpublished_pages_apart(outsider, own_pages):
    HelpPage.objects.filter(slug="tredje").update(is_published=False, is_public=True)
    for slug in ("finns-inte", "tredje"):
        response = outsider.get(page_url(slug))
        assert response.status_code == 302, slug
        assert response["Location"].startswith(LOGIN), slug


def test_outsider_reads_a_public_page_without_logging_in(outsider, own_pages):
    HelpPage.objects.filter(slug="andra").update(is_public=True)
    response = outsider.get(page_url("andra"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Text om andra." in html
    # The way on leads to members' pages: not for visitors.
    assert 'rel="next"' not in html and f'href="{INDEX}"' not in html


def test_outsider_reads_the_accessibility_statement(outsider, db):
    statement = HelpPage.objects.get(slug=ACCESSIBILITY_SLUG)
    for url in (ACCESSIBILITY, page_url(ACCESSIBILITY_SLUG)):
        response = outsider.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert statement.title in html
        assert "delvis förenlig" in html
        assert "https://www.digg.se/tdosanmalan" in html


def test_accessibility_statement_gives_the_contact_address(client, db):
    contact("tillganglighet@fou.example")
    html = client.get(ACCESSIBILITY).content.decode()
    assert 'href="mailto:tillganglighet@fou.example"' in html


def test_accessibility_falls_back_to_the_built_in_statement(client, db):
    HelpPage.objects.filter(slug=ACCESSIBILITY_SLUG).update(is_published=False)
    response = client.get(ACCESSIBILITY)
    assert response.status_code == 200
    html = response.content.decode()
    assert sv("Accessibility statement") in html
    assert sv("Known problems") in html
    HelpPage.objects.filter(slug=ACCESSIBILITY_SLUG).delete()
    assert client.get(ACCESSIBILITY).status_code == 200


def test_member_reading_the_statement_also_gets_the_way_on(alice_client, db):
    html = alice_client.get(ACCESSIBILITY).content.decode()
    assert 'rel="prev"' in html and f'href="{INDEX}"' in html


def test_member_with_two_factor_set_up_pending_is_sent_to_it(alice_client, own_pages):
    SiteSettings.objects.update_or_create(
        pk=1, defaults={"mfa_required_for": MFARequirement.EVERYONE}
    )
    HelpPage.objects.filter(slug="tredje").update(is_public=True)
    setup = reverse("mfa_activate_totp")
    for slug in ("andra", "finns-inte"):
        response = alice_client.get(page_url(slug))
        assert response.status_code == 302 and response["Location"] == setup, slug
    assert alice_client.get(INDEX)["Location"] == setup
    # The public pages stay open, as the accessibility statement does.
    assert alice_client.get(page_url("tredje")).status_code == 200
    assert alice_client.get(ACCESSIBILITY).status_code == 200


# --- The admin ---------------------------------------------------------------------------------


def test_administrator_writes_a_page_in_the_admin(admin_client_, admin_member, own_pages):
    response = admin_client_.post(
        reverse("admin:helppages_helppage_add"),
        {
            "title": "Chatten",
            "slug": "chatten",
            "summary": "Prata direkt med en kollega.",
            "body": "## Så gör du\n\n- Välj en kollega\n<script>x()</script>",
            "position": "25",
            "is_published": "on",
            "_save": "Spara",
        },
    )
    assert response.status_code == 302
    page = HelpPage.objects.get(slug="chatten")
    assert page.updated_by == admin_member
    assert "<h2>Så gör du</h2>" in page.body_html and "<script>" not in page.body_html
    assert not page.is_public
    assert AuditEntry.objects.filter(subject_label__contains="Chatten").exists()
    admin_client_.get(response["Location"])  # the admin's "added" message, with a link
    html = admin_client_.get(INDEX).content.decode()
    assert html.index(">Andra sidan<") < html.index(">Chatten<") < html.index(">Tredje sidan<")


def test_administrator_reorders_pages_in_the_list(admin_client_, admin_member, own_pages):
    changelist = reverse("admin:helppages_helppage_changelist")
    assert admin_client_.get(changelist).status_code == 200
    pages = list(HelpPage.objects.all())  # the list's order: forsta, andra, tredje
    new_positions = {"forsta": 30, "andra": 20, "tredje": 10}
    data = {
        "form-TOTAL_FORMS": str(len(pages)),
        "form-INITIAL_FORMS": str(len(pages)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Spara",
    }
    for index, page in enumerate(pages):
        data[f"form-{index}-id"] = str(page.pk)
        data[f"form-{index}-position"] = str(new_positions[page.slug])
        data[f"form-{index}-is_published"] = "on"
    response = admin_client_.post(changelist, data)
    assert response.status_code == 302
    assert [page.slug for page in HelpPage.objects.all()] == ["tredje", "andra", "forsta"]
    assert HelpPage.objects.get(slug="tredje").updated_by == admin_member
    html = admin_client_.get(INDEX).content.decode()
    assert html.index(">Tredje sidan<") < html.index(">Andra sidan<") < html.index(">Första sidan<")


def test_admin_form_explains_markdown_and_the_contact_address(admin_client_, own_pages):
    html = admin_client_.get(reverse("admin:helppages_helppage_add")).content.decode()
    assert "Markdown" in html and "{kontaktadress}" in html


def test_members_and_moderators_cannot_reach_the_help_admin(alice_client, carol_client, db):
    url = reverse("admin:helppages_helppage_changelist")
    assert alice_client.get(url, follow=True).status_code == 403
    assert carol_client.get(url, follow=True).status_code == 403
