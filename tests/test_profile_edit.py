"""Editing one's own profile on Min sida, and the profile page colleagues see."""

import re

import pytest
from django.urls import reverse

from kollegan.accounts.models import ExpertiseLabel, Unit, Visibility
from kollegan.profiles import services
from kollegan.topics.models import Topic
from tests.conftest import client_for
from tests.test_markdown import assert_safe_html
from tests.test_photos import profile_post

EDIT = reverse("profiles:edit")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def detail_html(client, member) -> str:
    response = client.get(reverse("profiles:detail", args=[member.pk]))
    assert response.status_code == 200
    return response.content.decode()


def errors(response, field: str) -> list[str]:
    return [error.code for error in response.context["form"].errors.as_data().get(field, [])]


# --- The edit page ----------------------------------------------------------------------------


def test_my_page_links_to_the_edit_page(alice_client):
    assert f'href="{EDIT}"' in alice_client.get(reverse("profiles:my_page")).content.decode()


def test_edit_page_shows_organisation_read_only_and_only_own_units(alice_client, alice, storuman):
    Unit.objects.create(organisation=storuman, name="Storumans ekonomienhet")
    response = alice_client.get(EDIT)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lycksele" in html
    assert 'name="organisation"' not in html
    assert "Barn och familj" in html
    assert "Storumans ekonomienhet" not in html
    assert 'enctype="multipart/form-data"' in html
    assert 'list="expertise-suggestions"' in html


def test_edit_page_offers_only_active_topics_and_those_already_chosen(alice_client, alice):
    Topic.objects.create(name="Gammalt ämne", slug="gammalt", is_active=False)
    kept = Topic.objects.create(name="Avvecklat men valt", slug="avvecklat", is_active=False)
    alice.topics.add(kept)
    html = alice_client.get(EDIT).content.decode()
    assert "Gammalt ämne" not in html
    assert "Avvecklat men valt" in html


def test_edit_is_saved_and_shown_on_the_profile(alice_client, alice, bob_client):
    unit2 = Unit.objects.create(organisation=alice.organisation, name="Vuxenenheten")
    topics = list(Topic.objects.filter(slug__in=["missbruk-och-beroende", "heder"]))
    response = alice_client.post(
        EDIT,
        profile_post(
            alice,
            name="Alice Andersson-Åberg",
            title="Familjebehandlare",
            unit=unit2.pk,
            town="Kristineberg",
            phone="0950-123 45",
            about="Jag arbetar med *familjebehandling*.\n\n- Trappan\n- Samtal med barn",
            topics=[t.pk for t in topics],
            expertise_new=["adoptionsutredning", "Trappan-samtal, spelberoende", ""],
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("profiles:detail", args=[alice.pk])
    alice.refresh_from_db()
    assert alice.name == "Alice Andersson-Åberg"
    assert alice.unit == unit2
    assert set(alice.topics.values_list("slug", flat=True)) == {"missbruk-och-beroende", "heder"}
    assert sorted(alice.expertise.values_list("name", flat=True)) == [
        "Adoptionsutredning",
        "Spelberoende",
        "Trappan-samtal",
    ]

    html = detail_html(bob_client, alice)
    for text in ("Alice Andersson-Åberg", "Familjebehandlare", "Vuxenenheten", "Kristineberg"):
        assert text in html
    assert "<em>familjebehandling</em>" in html
    assert "<li>Trappan</li>" in html
    assert 'href="tel:09501234' in html
    assert 'href="/medarbetare/?amne=heder"' in html
    assert 'href="/medarbetare/?etikett=adoptionsutredning"' in html
    assert 'href="mailto:alice@lycksele.test"' in html


def test_unit_of_another_organisation_is_refused(alice_client, alice, storuman):
    theirs = Unit.objects.create(organisation=storuman, name="Socialtjänst")
    response = alice_client.post(EDIT, profile_post(alice, unit=theirs.pk))
    assert response.status_code == 400
    assert errors(response, "unit") == ["invalid_choice"]
    alice.refresh_from_db()
    assert alice.unit.name == "Barn och familj"


def test_service_refuses_a_unit_of_another_organisation(alice, storuman):
    theirs = Unit.objects.create(organisation=storuman, name="Socialtjänst")
    with pytest.raises(ValueError):
        services.profile_update(
            member=alice,
            **{**_unchanged(alice), "unit": theirs},
        )


def _unchanged(member) -> dict:
    return {
        "name": member.name,
        "title": member.title,
        "unit": member.unit,
        "town": member.town,
        "phone": member.phone,
        "phone_visibility": member.phone_visibility,
        "email_visibility": member.email_visibility,
        "about": member.about,
        "topics": list(member.topics.all()),
        "expertise": [],
    }


def test_invalid_phone_is_refused_with_400(alice_client, alice):
    response = alice_client.post(EDIT, profile_post(alice, phone="ring mig"))
    assert response.status_code == 400
    assert errors(response, "phone") == ["invalid"]
    alice.refresh_from_db()
    assert alice.phone == ""


def test_failed_save_does_not_change_the_name_in_the_header(alice_client, alice):
    response = alice_client.post(EDIT, profile_post(alice, name="Ny Namn", phone="x"))
    assert response.status_code == 400
    assert 'class="site-header__me">Alice Andersson<' in response.content.decode()


def test_the_edit_url_only_ever_edits_the_logged_in_member(bob_client, alice, bob):
    # There is no member id in the URL or the form; whatever Bob sends changes Bob.
    data = profile_post(alice, name="Kapad", member=alice.pk, pk=alice.pk, id=alice.pk)
    data.pop("unit")
    response = bob_client.post(f"{EDIT}?pk={alice.pk}", data)
    assert response.status_code == 302
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.name == "Alice Andersson"
    assert bob.name == "Kapad"
    assert bob.organisation.slug == "storuman"


# --- Visibility ---------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["bob", "alice"])
def test_hidden_phone_and_email_are_not_in_the_page_at_all(request, alice, viewer):
    alice.phone = "0950-555 66"
    alice.phone_visibility = Visibility.NOBODY
    alice.email_visibility = Visibility.NOBODY
    alice.save()
    html = detail_html(client_for(request.getfixturevalue(viewer)), alice)
    assert "555" not in html
    assert "alice@lycksele.test" not in html
    assert "tel:" not in html
    assert "mailto:" not in html


def test_visible_phone_and_email_are_links(bob_client, alice):
    alice.phone = "+46 950-555 66"
    alice.save()
    html = detail_html(bob_client, alice)
    assert 'href="tel:+4695055566"' in html
    assert 'href="mailto:alice@lycksele.test"' in html


def test_visibility_can_be_changed_on_the_edit_page(alice_client, alice, bob_client):
    alice_client.post(
        EDIT,
        profile_post(
            alice, phone="0950-123 45", phone_visibility="nobody", email_visibility="nobody"
        ),
    )
    alice.refresh_from_db()
    assert (alice.phone_visibility, alice.email_visibility) == ("nobody", "nobody")
    html = detail_html(bob_client, alice)
    assert "0950-123 45" not in html
    assert "alice@lycksele.test" not in html


# --- Expertise labels -----------------------------------------------------------------------------


def test_labels_reuse_existing_ones_whatever_the_case(alice_client, alice):
    existing = services.expertise_labels_get_or_create(["Våld i nära relationer"])[0]
    # An administrator may have given a label a slug of their own.
    own_slug = ExpertiseLabel.objects.create(name="BBIC-utredning", slug="bbic")
    response = alice_client.post(
        EDIT,
        profile_post(alice, expertise_new=["  VÅLD  i nära RELATIONER ", "bbic-UTREDNING", ""]),
    )
    assert response.status_code == 302
    assert set(alice.expertise.all()) == {existing, own_slug}
    assert ExpertiseLabel.objects.count() == 2


def test_new_label_with_a_taken_slug_gets_a_unique_one(alice):
    ExpertiseLabel.objects.create(name="Vald", slug="vald")
    (label,) = services.expertise_labels_get_or_create(["våld"])
    assert (label.name, label.slug) == ("Våld", "vald-2")
    assert services.expertise_labels_get_or_create(["VÅLD", "vald"]) == [
        label,
        ExpertiseLabel.objects.get(slug="vald"),
    ]


def test_label_is_normalised():
    assert services.expertise_label_normalise("  lss-boende   för \t vuxna ") == (
        "Lss-boende för vuxna"
    )
    assert services.expertise_label_normalise("BBIC") == "BBIC"
    assert len(services.expertise_label_normalise("x" * 200)) == 60


def test_too_long_label_is_refused(alice_client, alice):
    response = alice_client.post(EDIT, profile_post(alice, expertise_new=["a" * 61, "", ""]))
    assert response.status_code == 400
    assert errors(response, "expertise_new") == ["label_too_long"]
    assert not ExpertiseLabel.objects.exists()


def test_unticking_a_label_removes_it_from_me_only(alice_client, alice, bob):
    labels = services.expertise_labels_get_or_create(["Adoption", "Trappan"])
    alice.expertise.set(labels)
    bob.expertise.set(labels)
    response = alice_client.post(EDIT, profile_post(alice, expertise=[labels[1].pk]))
    assert response.status_code == 302
    assert list(alice.expertise.all()) == [labels[1]]
    assert set(bob.expertise.all()) == set(labels)


def test_edit_page_suggests_labels_colleagues_use(alice_client, bob):
    bob.expertise.set(services.expertise_labels_get_or_create(["Spelberoende"]))
    ExpertiseLabel.objects.create(name="Oanvänd", slug="oanvand")
    html = alice_client.get(EDIT).content.decode()
    assert '<option value="Spelberoende">' in html
    assert "Oanvänd" not in html


# --- About me and its preview -------------------------------------------------------------------


def test_preview_without_javascript_renders_and_saves_nothing(alice_client, alice):
    response = alice_client.post(
        EDIT, profile_post(alice, about="**Fet** text", name="Ändrat", preview="1")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Fet</strong>" in html
    assert 'value="Ändrat"' in html  # the form keeps what was written
    alice.refresh_from_db()
    assert alice.about == ""
    assert alice.name == "Alice Andersson"


def test_preview_with_htmx_returns_only_the_preview(alice_client, alice):
    response = alice_client.post(
        EDIT,
        {"about": "_kursiv_ <script>alert(1)</script>", "preview": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<em>kursiv</em>" in html
    assert "<script" not in html
    assert "<html" not in html
    alice.refresh_from_db()
    assert alice.about == ""


def test_about_is_sanitised_on_the_profile(alice_client, alice, bob_client):
    about = '<img src=x onerror=alert(1)> [klicka](javascript:alert(1)) <b style="x">hej</b>'
    assert alice_client.post(EDIT, profile_post(alice, about=about)).status_code == 302
    html = detail_html(bob_client, alice)
    about_html = re.search(r'<div class="prose">(.*?)</div>', html, re.S).group(1)
    assert "klicka" in about_html
    assert_safe_html(about_html)


# --- Query counts ---------------------------------------------------------------------------------


def _profile_queries(client, member, django_assert_num_queries, expected: int) -> None:
    url = reverse("profiles:detail", args=[member.pk])
    client.get(url)  # warm the site settings cache
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("how_many", [1, 10])
def test_profile_page_costs_the_same_queries_however_much_is_filled_in(
    bob_client, alice, how_many, django_assert_num_queries
):
    alice.topics.set(Topic.objects.all()[:how_many])
    alice.expertise.set(
        services.expertise_labels_get_or_create([f"Etikett {n}" for n in range(how_many)])
    )
    # Session, member, the profile's member, its topics, its labels, its named questions.
    _profile_queries(bob_client, alice, django_assert_num_queries, 6)


def test_profile_of_a_deactivated_member_is_404(bob_client, dave):
    assert bob_client.get(reverse("profiles:detail", args=[dave.pk])).status_code == 404
