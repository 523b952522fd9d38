"""The audit log: every administrative change writes exactly one entry, in the same
transaction as the change; administrators read, filter and export the log but
nobody can edit it, and members and moderators cannot see it at all."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.forms import MultiWidget
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollegan.accounts import services
from kollegan.accounts.models import Invitation, Member, Organisation, Role
from kollegan.audit.models import Action, AuditEntry
from kollegan.audit.services import audit_log
from kollegan.core.models import NavigationItem
from kollegan.topics.models import Topic
from tests.conftest import PASSWORD

CHANGELIST = "/admin/audit/auditentry/"
EXPORT = "/admin/audit/auditentry/export/"
MEMBER_ADMIN = "/admin/accounts/member/"


def only_entry(**filters) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(**filters))
    assert len(entries) == 1, f"expected one entry for {filters}, found {entries}"
    return entries[0]


def admin_action(client: Client, url: str, action: str, *objects):
    return client.post(url, {"action": action, "_selected_action": [o.pk for o in objects]})


def change_form_data(client: Client, url: str) -> dict:
    """What the admin change form would post back unchanged."""
    response = client.get(url)
    assert response.status_code == 200
    data = {}
    for bound in response.context["adminform"].form:
        if bound.field.disabled:
            continue
        value = bound.value()
        widget = bound.field.widget
        inner = getattr(widget, "widget", widget)  # RelatedFieldWidgetWrapper
        if isinstance(inner, MultiWidget):
            for index, part in enumerate(inner.decompress(value)):
                data[f"{bound.html_name}_{index}"] = "" if part is None else part
        elif isinstance(value, list | tuple):
            data[bound.html_name] = list(value)
        elif value is None:
            data[bound.html_name] = ""
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        else:
            data[bound.html_name] = value
    for formset in response.context.get("inline_admin_formsets", []):
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
    return data


# --- Each audited action writes one entry -------------------------------------------------


def test_invitation_from_the_admin_is_logged_with_the_administrator(
    admin_client_, admin_member, lycksele
):
    response = admin_client_.post(
        "/admin/accounts/invitation/add/",
        {"email": "nina@lycksele.test", "organisation": lycksele.pk, "role": Role.MODERATOR},
    )
    assert response.status_code == 302

    entry = only_entry(action=Action.MEMBER_INVITED)
    assert entry.actor == admin_member
    assert entry.actor_name == "Ada Admin"
    assert entry.subject is None
    assert entry.subject_label == "nina@lycksele.test"
    assert entry.detail == {"organisation": lycksele.name, "role": "moderator"}
    assert AuditEntry.objects.count() == 1


def test_invitation_from_the_command_line_says_so(db, lycksele):
    from django.core.management import call_command

    call_command(
        "invite", "--email=olle@lycksele.test", "--municipality=lycksele", "--no-email",
        stdout=io.StringIO(),
    )  # fmt: skip

    entry = only_entry(action=Action.MEMBER_INVITED)
    assert entry.actor is None
    assert entry.actor_name == ""
    assert entry.detail["via"] == "kommandorad"


def test_revoking_invitations_logs_one_entry_each(admin_client_, admin_member, lycksele):
    first = services.invitation_create(
        email="a@lycksele.test", organisation=lycksele, send_email=False
    ).invitation
    second = services.invitation_create(
        email="b@lycksele.test", organisation=lycksele, send_email=False
    ).invitation

    admin_action(admin_client_, "/admin/accounts/invitation/", "revoke", first, second)
    # Revoking again changes nothing and logs nothing.
    admin_action(admin_client_, "/admin/accounts/invitation/", "revoke", first)

    entries = AuditEntry.objects.filter(action=Action.INVITATION_REVOKED)
    assert sorted(e.subject_label for e in entries) == ["a@lycksele.test", "b@lycksele.test"]
    assert {e.actor for e in entries} == {admin_member}


def test_accepting_an_invitation_is_logged_with_the_new_member_as_actor(lycksele, admin_member):
    issued = services.invitation_create(
        email="nina@lycksele.test", organisation=lycksele, invited_by=admin_member, send_email=False
    )
    response = Client().post(
        reverse("accounts:invitation_accept", args=[issued.token]),
        {"name": "Nina Nilsson", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302

    nina = Member.objects.get(email="nina@lycksele.test")
    entry = only_entry(action=Action.INVITATION_ACCEPTED)
    assert entry.actor == nina
    assert entry.subject == nina
    assert entry.subject_label == "Nina Nilsson"
    assert entry.detail["invited_by"] == "Ada Admin"
    assert entry.detail["organisation"] == lycksele.name


def test_member_created_on_the_command_line_is_logged_without_actor(db, lycksele):
    from django.core.management import call_command

    call_command(
        "create_member", "--email=per@lycksele.test", "--name=Per Persson",
        "--municipality=lycksele", stdout=io.StringIO(),
    )  # fmt: skip

    entry = only_entry(action=Action.MEMBER_CREATED)
    assert entry.actor is None
    assert entry.subject == Member.objects.get(email="per@lycksele.test")
    assert entry.detail["via"] == "kommandorad"
    assert entry.detail["role"] == "member"


def test_deactivation_and_reactivation_from_the_admin_name_the_administrator(
    admin_client_, admin_member, alice, alice_client
):
    alice_client.get(reverse("start"))
    admin_action(admin_client_, MEMBER_ADMIN, "deactivate", alice)
    admin_action(admin_client_, MEMBER_ADMIN, "reactivate", alice)

    deactivated = only_entry(action=Action.MEMBER_DEACTIVATED)
    assert deactivated.actor == admin_member
    assert deactivated.subject == alice
    assert deactivated.subject_label == "Alice Andersson"
    assert deactivated.detail["sessions_ended"] == 1
    assert "reason" not in deactivated.detail
    reactivated = only_entry(action=Action.MEMBER_REACTIVATED)
    assert reactivated.actor == admin_member
    assert reactivated.subject == alice


def test_passed_end_date_is_logged_as_deactivation_without_actor(alice):
    ended = timezone.now() - timedelta(hours=1)
    Member.objects.filter(pk=alice.pk).update(membership_ends_at=ended)

    assert services.memberships_expire_due() == 1

    entry = only_entry(action=Action.MEMBER_DEACTIVATED)
    assert entry.actor is None
    assert entry.subject == alice
    assert entry.detail["reason"] == "end date"


def test_role_change_in_the_admin_is_logged_with_old_and_new_role(
    admin_client_, admin_member, alice
):
    url = f"{MEMBER_ADMIN}{alice.pk}/change/"
    data = change_form_data(admin_client_, url)
    response = admin_client_.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not AuditEntry.objects.filter(action=Action.ROLE_CHANGED).exists()

    data["role"] = Role.MODERATOR
    assert admin_client_.post(url, data).status_code == 302

    entry = only_entry(action=Action.ROLE_CHANGED)
    assert entry.actor == admin_member
    assert entry.subject == alice
    assert entry.detail == {"old": "member", "new": "moderator"}


def test_admin_ending_all_sessions_is_logged(admin_client_, admin_member, alice, alice_client):
    alice_client.get(reverse("start"))
    admin_action(admin_client_, MEMBER_ADMIN, "end_sessions", alice)

    entry = only_entry(action=Action.SESSIONS_ENDED)
    assert entry.actor == admin_member
    assert entry.subject == alice
    assert entry.detail == {"count": 1}


def test_topic_change_is_logged_with_the_changed_fields(admin_client_, admin_member):
    topic = Topic.objects.get(slug="barn-och-unga")
    url = f"/admin/topics/topic/{topic.pk}/change/"
    data = change_form_data(admin_client_, url)
    data["name"] = "Barn och unga (BoU)"
    assert admin_client_.post(url, data).status_code == 302

    entry = only_entry(action=Action.SETTINGS_CHANGED)
    assert entry.actor == admin_member
    assert entry.subject_label.endswith("Barn och unga (BoU)")
    assert entry.detail["model"] == "topics.topic"
    assert entry.detail["fields"] == ["name"]
    assert entry.detail["old"] == {"name": "Barn och unga"}
    assert entry.detail["new"] == {"name": "Barn och unga (BoU)"}


def test_saving_settings_unchanged_logs_nothing(admin_client_):
    topic = Topic.objects.get(slug="barn-och-unga")
    url = f"/admin/topics/topic/{topic.pk}/change/"
    assert admin_client_.post(url, change_form_data(admin_client_, url)).status_code == 302
    assert not AuditEntry.objects.exists()


def test_adding_and_deleting_an_organisation_is_logged(admin_client_, admin_member):
    data = change_form_data(admin_client_, "/admin/accounts/organisation/add/")
    data.update({"name": "Östra Testköping", "slug": "ostra-testkoping", "kind": "municipality"})
    response = admin_client_.post("/admin/accounts/organisation/add/", data)
    assert response.status_code == 302, response.context["errors"]
    organisation = Organisation.objects.get(slug="ostra-testkoping")
    added = only_entry(action=Action.SETTINGS_CHANGED)
    assert added.detail["change"] == "added"
    assert added.detail["new"]["name"] == "Östra Testköping"

    response = admin_client_.post(
        f"/admin/accounts/organisation/{organisation.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    deleted = AuditEntry.objects.filter(action=Action.SETTINGS_CHANGED).first()
    assert deleted.detail == {
        "model": "accounts.organisation",
        "object_id": organisation.pk,
        "change": "deleted",
    }
    assert deleted.actor == admin_member
    assert AuditEntry.objects.count() == 2


def test_menu_change_in_the_list_is_logged(admin_client_, admin_member):
    items = list(NavigationItem.objects.order_by("pk"))
    data = {
        "form-TOTAL_FORMS": str(len(items)),
        "form-INITIAL_FORMS": str(len(items)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Spara",
    }
    for index, item in enumerate(items):
        data[f"form-{index}-id"] = item.pk
        data[f"form-{index}-label"] = "Frågelådan" if index == 0 else item.label
        data[f"form-{index}-position"] = item.position
        if item.is_visible:
            data[f"form-{index}-is_visible"] = "on"

    response = admin_client_.post("/admin/core/navigationitem/", data)
    assert response.status_code == 302

    entry = only_entry(action=Action.SETTINGS_CHANGED)
    assert entry.detail["fields"] == ["label"]
    assert entry.detail["new"] == {"label": "Frågelådan"}


# --- The entry and the change are written together ------------------------------------------


def test_a_refused_service_writes_no_entry(alice, lycksele):
    with pytest.raises(ValidationError) as refused:
        services.invitation_create(email=alice.email, organisation=lycksele, send_email=False)
    assert refused.value.code == "email_in_use"
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "run",
    [
        pytest.param(lambda ctx: services.member_deactivate(member=ctx["alice"]), id="deactivate"),
        pytest.param(
            lambda ctx: services.invitation_create(
                email="x@lycksele.test", organisation=ctx["lycksele"], send_email=False
            ),
            id="invite",
        ),
        pytest.param(
            lambda ctx: services.member_sessions_end(member=ctx["alice"], actor=None),
            id="end-sessions",
        ),
    ],
)
def test_when_the_entry_cannot_be_written_the_change_is_undone(
    run, monkeypatch, alice, alice_client, lycksele
):
    alice_client.get(reverse("start"))

    def broken(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services, "audit_log", broken)
    with pytest.raises(RuntimeError):
        run({"alice": alice, "lycksele": lycksele})

    alice.refresh_from_db()
    assert alice.deactivated_at is None
    assert not Invitation.objects.exists()
    assert alice_client.get(reverse("start")).status_code == 200


# --- Reading the log -------------------------------------------------------------------------


@pytest.fixture
def log(admin_member, alice, bob):
    audit_log(action=Action.MEMBER_INVITED, actor=admin_member, subject_label="örjan@åsele.test")
    audit_log(
        action=Action.MEMBER_DEACTIVATED,
        actor=admin_member,
        subject=alice,
        detail={"reason": "slutat på förvaltningen"},
    )
    audit_log(action=Action.ROLE_CHANGED, actor=admin_member, subject=bob, detail={"new": "admin"})
    return AuditEntry.objects.all()


def test_changelist_lists_entries_for_administrators(admin_client_, log):
    response = admin_client_.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "örjan@åsele.test" in html
    assert "Alice Andersson" in html
    assert reverse("admin:audit_auditentry_export") in html


def test_changelist_filters_by_action(admin_client_, log):
    response = admin_client_.get(CHANGELIST, {"action__exact": Action.ROLE_CHANGED})
    html = response.content.decode()
    assert "Bob Berg" in html
    assert "Alice Andersson" not in html


def test_log_cannot_be_added_changed_or_deleted(admin_client_, log):
    entry = log.get(action=Action.ROLE_CHANGED)
    change_url = f"{CHANGELIST}{entry.pk}/change/"

    assert admin_client_.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client_.get(f"{CHANGELIST}{entry.pk}/delete/").status_code == 403
    assert admin_client_.post(f"{CHANGELIST}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    # The change page only shows the entry; saving it is refused.
    page = admin_client_.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = admin_client_.post(change_url, {"actor_name": "Någon annan", "action": "x"})
    assert response.status_code == 403
    # Django's "delete selected" action is not on offer either.
    admin_action(admin_client_, CHANGELIST, "delete_selected", *log)
    assert AuditEntry.objects.count() == 3
    entry.refresh_from_db()
    assert entry.actor_name == "Ada Admin"


@pytest.mark.parametrize("client_fixture", ["alice_client", "carol_client"])
@pytest.mark.parametrize("url", [CHANGELIST, EXPORT])
def test_members_and_moderators_get_403(client_fixture, url, request, log):
    client = request.getfixturevalue(client_fixture)
    response = client.get(url, follow=True)
    assert response.status_code == 403
    assert "örjan@åsele.test" not in response.content.decode()


def test_visitors_are_sent_to_log_in(client, log):
    response = client.get(EXPORT, follow=True)
    assert response.redirect_chain[-1][0].startswith("/konto/login/")


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_csv_export_has_header_and_every_entry_with_aao_intact(admin_client_, log):
    rows = read_csv(admin_client_.get(EXPORT))

    assert rows[0] == ["Tid", "Utförd av", "Händelse", "Gäller", "Detaljer"]
    assert len(rows) == 4
    invited = next(row for row in rows if row[3] == "örjan@åsele.test")
    assert invited[1] == "Ada Admin"
    assert invited[2] == "Bjöd in en medlem"
    deactivated = next(row for row in rows if row[3] == "Alice Andersson")
    assert "slutat på förvaltningen" in deactivated[4]


def test_csv_export_contains_the_filtered_rows_only(admin_client_, log):
    rows = read_csv(admin_client_.get(EXPORT, {"action__exact": Action.MEMBER_DEACTIVATED}))
    assert [row[3] for row in rows[1:]] == ["Alice Andersson"]

    rows = read_csv(admin_client_.get(EXPORT, {"q": "bob"}))
    assert [row[3] for row in rows[1:]] == ["Bob Berg"]


def test_csv_export_defuses_spreadsheet_formulas(admin_client_, admin_member):
    audit_log(action=Action.MEMBER_INVITED, actor=admin_member, subject_label="=HYPERLINK(1)")
    rows = read_csv(admin_client_.get(EXPORT))
    assert rows[1][3] == "'=HYPERLINK(1)"


def test_changelist_query_count_does_not_grow_with_the_log(
    admin_client_, admin_member, django_assert_num_queries
):
    def add(count):
        for index in range(count):
            audit_log(
                action=Action.MEMBER_INVITED,
                actor=admin_member,
                subject_label=f"p{index}@test.se",
            )

    add(3)
    admin_client_.get(CHANGELIST)  # warm the site settings cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert admin_client_.get(CHANGELIST).status_code == 200
    add(40)
    with django_assert_num_queries(len(few.captured_queries)):
        assert admin_client_.get(CHANGELIST).status_code == 200
