"""Min sida → Mina uppgifter: the GDPR export and leaving Kollegan."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kollegan.accounts import services as account_services
from kollegan.accounts.models import ExpertiseLabel, Invitation, Member
from kollegan.api import services as api_services
from kollegan.api.models import ApiToken
from kollegan.audit.models import Action, AuditEntry
from kollegan.audit.services import audit_log
from kollegan.profiles import export
from tests.conftest import PASSWORD, client_for
from tests.helpers import sv

LOGIN_PATH = "/konto/login/"
# Bob's data: none of it may ever appear in Alice's export.
BOB_SECRETS = ("Bob Berg", "bob@storuman.test", "070-999 88 77", "Bobs hemliga text", "Bobs nyckel")
ALICE_PHONE = "090-123 45 67"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def _store_photo(key: str, sizes=("small", "large")) -> list[str]:
    names = []
    for size in sizes:
        name = f"photos/{key}-{size}.jpg"
        assert default_storage.save(name, ContentFile(b"\xff\xd8\xff" + key.encode())) == name
        names.append(name)
    return names


@pytest.fixture
def rich_alice(alice, bob, admin_member):
    """Alice with a full profile, a photo, a token, the invitation that brought her
    in, one she sent, and audit entries by and about her – beside Bob, whose
    distinctive data shows up wherever it could leak."""
    Member.objects.filter(pk=alice.pk).update(
        phone=ALICE_PHONE, about="Jag arbetar med placeringar.", photo_key="alicekey1"
    )
    Member.objects.filter(pk=bob.pk).update(
        phone="070-999 88 77", about="Bobs hemliga text", photo_key="bobkey1"
    )
    alice.refresh_from_db()
    label = ExpertiseLabel.objects.create(name="Adoptionsutredning", slug="adoptionsutredning")
    alice.expertise.add(label)
    _store_photo("alicekey1")
    _store_photo("bobkey1")

    api_services.api_token_create(member=alice, name="Mitt skript")
    api_services.api_token_create(member=bob, name="Bobs nyckel")
    # The invitation that brought her in.
    received = account_services.invitation_create(
        email="alice.inbjudan@lycksele.test",
        organisation=alice.organisation,
        invited_by=admin_member,
        send_email=False,
    ).invitation
    Invitation.objects.filter(pk=received.pk).update(
        email=alice.email, accepted_at=timezone.now(), accepted_member=alice
    )
    # One she sent, to Bob's address.
    account_services.invitation_create(
        email="bob.privat@storuman.test",
        organisation=bob.organisation,
        invited_by=alice,
        send_email=False,
    )
    audit_log(
        action=Action.MEMBER_INVITED,
        actor=admin_member,
        subject_label=alice.email,
        detail={"email": alice.email},
    )
    audit_log(
        action=Action.ROLE_CHANGED, actor=admin_member, subject=alice, detail={"to": "member"}
    )
    audit_log(
        action=Action.MEMBER_INVITED,
        actor=alice,
        subject_label="bob.privat@storuman.test",
        detail={"email": "bob.privat@storuman.test"},
    )
    audit_log(action=Action.ROLE_CHANGED, actor=alice, subject=bob, detail={"name": bob.name})
    audit_log(action=Action.MEMBER_DEACTIVATED, actor=admin_member, subject=bob)
    return alice


def _download(client: Client):
    response = client.post(reverse("profiles:my_data"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    return response, zipfile.ZipFile(io.BytesIO(body))


def _json(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name).decode("utf-8"))


# --- The export ----------------------------------------------------------------------------


def test_my_data_page_explains_what_the_file_contains(alice_client):
    response = alice_client.get(reverse("profiles:my_data"))
    assert response.status_code == 200
    page = response.content.decode()
    for section in export.sections():
        assert section.filename in page
    assert sv("Download my data") in page
    assert "Ladda ned mina uppgifter" in page
    assert reverse("profiles:leave") in page


def test_my_page_links_to_my_data_and_leaving(alice_client):
    page = alice_client.get(reverse("profiles:my_page")).content.decode()
    assert reverse("profiles:my_data") in page
    assert reverse("profiles:leave") in page


def test_export_is_a_zip_of_json_files_named_by_date(rich_alice, alice_client):
    response, archive = _download(client_for(rich_alice))
    assert response["Content-Type"] == "application/zip"
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="kollegan-mina-uppgifter-{today:%Y-%m-%d}.zip"'
    )
    assert archive.testzip() is None
    names = set(archive.namelist())
    assert {
        "profile.json",
        "api_tokens.json",
        "invitations.json",
        "audit.json",
        "README.txt",
    } <= names
    assert ("sessions.json" in names) == apps.is_installed("allauth.usersessions")
    for name in names:
        if name.endswith(".json"):
            _json(archive, name)  # every file parses
    readme = archive.read("README.txt").decode("utf-8")
    assert "Mina uppgifter i Kollegan" in readme
    for name in names - {"README.txt"}:
        assert name.split("/")[0] in readme


def test_export_contains_the_members_own_data(rich_alice):
    _response, archive = _download(client_for(rich_alice))
    profile = _json(archive, "profile.json")
    assert profile["name"] == "Alice Andersson"
    assert profile["email"] == "alice@lycksele.test"
    assert profile["phone"] == ALICE_PHONE
    assert profile["title"] == "Socialsekreterare"
    assert profile["organisation"]["name"] == "Lycksele kommun" or profile["organisation"]["name"]
    assert profile["unit"]["name"] == "Barn och familj"
    assert profile["expertise"] == ["Adoptionsutredning"]
    assert len(profile["topics"]) == 2
    assert profile["phone_visibility"]["value"] == "members"
    assert profile["language"]["value"] == rich_alice.language
    assert profile["date_joined"]
    assert "password" not in profile

    tokens = _json(archive, "api_tokens.json")
    assert [token["name"] for token in tokens] == ["Mitt skript"]
    assert set(tokens[0]) == {"name", "hint", "created_at", "last_used_at", "revoked_at"}

    invitations = _json(archive, "invitations.json")
    assert invitations["received"]["email"] == "alice@lycksele.test"
    assert invitations["received"]["invited_by"] == "Ada Admin"
    assert [row["recipient_domain"] for row in invitations["sent"]] == ["storuman.test"]

    audit = _json(archive, "audit.json")
    actions = [(row["action"], row["about_you"], row["done_by_you"]) for row in audit]
    assert (Action.MEMBER_INVITED, True, False) in actions  # the invitation to her address
    assert (Action.ROLE_CHANGED, True, False) in actions  # an administrator acted on her
    assert (Action.MEMBER_INVITED, False, True) in actions  # she invited someone
    assert (Action.ROLE_CHANGED, False, True) in actions  # she acted on someone
    # Nothing about Bob's deactivation: neither by nor about her.
    assert Action.MEMBER_DEACTIVATED not in {row["action"] for row in audit}
    about_her = [row for row in audit if row["about_you"]]
    assert {row["done_by"] for row in about_her} == {"Ada Admin"}

    photos = sorted(name for name in archive.namelist() if name.startswith("photos/"))
    assert photos == ["photos/alicekey1-large.jpg", "photos/alicekey1-small.jpg"]
    assert archive.read("photos/alicekey1-small.jpg") == b"\xff\xd8\xffalicekey1"


def test_export_says_nothing_about_other_members_and_no_secrets(rich_alice, bob):
    _response, archive = _download(client_for(rich_alice))
    token_hashes = list(ApiToken.objects.values_list("token_hash", flat=True))
    invitation_hashes = list(Invitation.objects.values_list("token_hash", flat=True))
    password_hash = Member.objects.get(pk=rich_alice.pk).password
    for name in archive.namelist():
        content = archive.read(name)
        text = content.decode("utf-8", errors="replace")
        for secret in (*BOB_SECRETS, "bob.privat", "bobkey1"):
            assert secret not in text, f"{secret!r} in {name}"
        for digest in (*token_hashes, *invitation_hashes, password_hash):
            assert digest not in text, f"a secret digest in {name}"
        assert "token_hash" not in text
        assert "md5$" not in text and "pbkdf2" not in text


def test_export_is_audited(rich_alice):
    _download(client_for(rich_alice))
    entry = AuditEntry.objects.get(action=Action.DATA_EXPORTED)
    assert entry.actor == rich_alice
    assert entry.subject == rich_alice
    assert "profile.json" in entry.detail["files"]


@pytest.mark.parametrize("fixture", ["client", "dave_client"])
def test_visitors_and_ended_memberships_cannot_export(fixture, request, dave):
    client = request.getfixturevalue(fixture)
    for method in ("get", "post"):
        response = getattr(client, method)(reverse("profiles:my_data"))
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_PATH)
    assert not AuditEntry.objects.filter(action=Action.DATA_EXPORTED).exists()


def test_a_registered_section_is_added_to_the_export(alice, alice_client):
    @export.register("questions.json", "Dina frågor")
    def questions(member):
        return [{"title": f"En fråga av {member.pk}", "anonymous": True}]

    try:
        _response, archive = _download(alice_client)
        assert _json(archive, "questions.json") == [
            {"title": f"En fråga av {alice.pk}", "anonymous": True}
        ]
        assert "questions.json" in alice_client.get(reverse("profiles:my_data")).content.decode()
        with pytest.raises(ValueError):
            export.register("questions.json", "Igen")(lambda member: [])
        with pytest.raises(ValueError):
            export.register("questions.csv", "Fel format")
    finally:
        export.REGISTRY.pop("questions.json")


def test_my_data_page_query_count_does_not_grow(alice, alice_client, admin_member):
    url = reverse("profiles:my_data")
    alice_client.get(url)  # warm up: site settings, menu
    with CaptureQueriesContext(connection) as few:
        assert alice_client.get(url).status_code == 200
    for number in range(10):
        api_services.api_token_create(member=alice, name=f"Skript {number}")
        audit_log(action=Action.ROLE_CHANGED, actor=admin_member, subject=alice)
    with CaptureQueriesContext(connection) as many:
        assert alice_client.get(url).status_code == 200
    assert len(many) == len(few)


# --- Leaving ---------------------------------------------------------------------------------


def _sessions_of(member: Member) -> list[Session]:
    return [
        session
        for session in Session.objects.all()
        if str(session.get_decoded().get("_auth_user_id")) == str(member.pk)
    ]


def _audit_text() -> str:
    rows = AuditEntry.objects.values_list("actor_name", "subject_label", "detail")
    return json.dumps(list(rows), ensure_ascii=False)


def test_leave_page_explains_what_happens(alice_client):
    response = alice_client.get(reverse("profiles:leave"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tidigare medlem" in page
    assert (
        sv(
            "This cannot be undone. To come back you need a new invitation, "
            "and you start with a new account."
        )
        in page
    )
    assert reverse("profiles:my_data") in page


@pytest.mark.parametrize(
    "data",
    [
        {"confirm": "on", "password": "fel-lösenord"},
        {"password": PASSWORD},  # the checkbox is not ticked
        {"confirm": "on"},
    ],
)
def test_leaving_needs_the_password_and_the_checkbox(rich_alice, data):
    client = client_for(rich_alice)
    response = client.post(reverse("profiles:leave"), data)
    assert response.status_code == 400
    alice = Member.objects.get(pk=rich_alice.pk)
    assert alice.is_active
    assert alice.name == "Alice Andersson"
    assert alice.email == "alice@lycksele.test"
    assert alice.photo_key == "alicekey1"
    assert default_storage.exists("photos/alicekey1-small.jpg")
    assert ApiToken.objects.live().filter(member=alice).exists()
    assert not AuditEntry.objects.filter(action=Action.MEMBER_LEFT).exists()
    assert client.get(reverse("profiles:my_page")).status_code == 200
    if data.get("password") == "fel-lösenord":
        assert sv("The password is not correct.") in response.content.decode()


def test_leaving_closes_and_pseudonymises_the_account(rich_alice, bob):
    alice_pk = rich_alice.pk
    client = client_for(rich_alice)
    other_session = client_for(rich_alice)
    _token, secret = api_services.api_token_create(member=rich_alice, name="Alices skript")

    response = client.post(reverse("profiles:leave"), {"confirm": "on", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == LOGIN_PATH
    alice = Member.objects.get(pk=alice_pk)
    assert not alice.is_active
    assert alice.name == "Tidigare medlem"
    assert alice.email.startswith("tidigare-") and alice.email.endswith("@kollegan.invalid")
    assert (alice.title, alice.town, alice.phone, alice.about, alice.photo_key) == ("",) * 5
    assert alice.unit is None
    assert not alice.topics.exists()
    assert not alice.expertise.exists()
    assert not alice.has_usable_password()
    # Her photo files are gone, Bob's are still there.
    assert not default_storage.exists("photos/alicekey1-small.jpg")
    assert not default_storage.exists("photos/alicekey1-large.jpg")
    assert default_storage.exists("photos/bobkey1-small.jpg")
    # Tokens: revoked, the names she gave them gone.
    tokens = ApiToken.objects.filter(member=alice)
    assert tokens.exists()
    assert not tokens.filter(revoked_at__isnull=True).exists()
    assert not tokens.filter(name__icontains="skript").exists()
    assert Client().get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert not Invitation.objects.filter(email__icontains="alice").exists()
    # The audit log keeps the events but not who she was.
    audit = _audit_text()
    assert "Alice Andersson" not in audit
    assert "alice@lycksele.test" not in audit
    assert "Bob Berg" in audit  # other people's entries are untouched
    left = AuditEntry.objects.get(action=Action.MEMBER_LEFT)
    assert left.subject_id == alice_pk
    assert left.subject_label == "Tidigare medlem"
    assert left.actor_name == "Tidigare medlem"
    assert AuditEntry.objects.filter(subject_id=alice_pk, action=Action.ROLE_CHANGED).exists()
    # Logged out here and everywhere else.
    assert not _sessions_of(alice)
    for session in (client, other_session):
        answer = session.get(reverse("profiles:my_page"))
        assert answer.status_code == 302 and answer["Location"].startswith(LOGIN_PATH)


def test_after_leaving_the_login_page_confirms_and_the_old_login_fails(alice, alice_client):
    response = alice_client.post(
        reverse("profiles:leave"), {"confirm": "on", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == LOGIN_PATH
    assert (
        sv(
            "You have left Kollegan. Your account is closed and your name and profile are "
            "removed. Thank you for your time here."
        )
        in response.content.decode()
    )

    login = Client().post(LOGIN_PATH, {"login": "alice@lycksele.test", "password": PASSWORD})
    assert login.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in login.wsgi_request.session
    # Nor by asking for a new password: the address is no longer anyone's.
    assert not Member.objects.filter(email="alice@lycksele.test").exists()


def test_the_last_administrator_cannot_leave(admin_member):
    client = client_for(admin_member)
    response = client.post(reverse("profiles:leave"), {"confirm": "on", "password": PASSWORD})
    assert response.status_code == 400
    assert (
        sv("You are the last administrator. Make someone else administrator before you leave.")
        in response.content.decode()
    )
    admin_member.refresh_from_db()
    assert admin_member.is_active and admin_member.name == "Ada Admin"


def test_leave_service_keeps_the_unique_address_rule_and_earlier_dates(alice, bob):
    _token, _secret = api_services.api_token_create(member=alice, name="Gammal")
    revoked_at = timezone.now() - timedelta(days=3)
    ApiToken.objects.filter(member=alice).update(revoked_at=revoked_at)
    account_services.member_leave(member=alice)
    account_services.member_leave(member=bob)
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.email != bob.email
    assert ApiToken.objects.get(member=alice).revoked_at == revoked_at
    assert Member.objects.filter(name="Tidigare medlem").count() == 2


# --- Login methods from allauth: exported without secrets, removed on leaving -----------------


@pytest.fixture
def alice_logins(alice):
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount
    from allauth.usersessions.models import UserSession

    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    UserSession.objects.create(
        user=alice, ip="10.1.2.3", session_key="hemlig-sessionsnyckel-123", user_agent="Firefox"
    )
    Authenticator.objects.create(
        user=alice, type=Authenticator.Type.TOTP, data={"secret": "HEMLIGTOTPFRO"}
    )
    SocialAccount.objects.create(
        user=alice, provider="openid_connect", uid="alice-uid-1", extra_data={"token": "IDPX"}
    )
    return alice


def test_export_has_sessions_and_login_methods_but_no_secrets(alice_logins):
    _response, archive = _download(client_for(alice_logins))
    sessions = _json(archive, "sessions.json")
    assert any(row["ip"] == "10.1.2.3" and row["user_agent"] == "Firefox" for row in sessions)
    assert [row["type"] for row in _json(archive, "two_factor.json")] == ["totp"]
    assert [row["uid"] for row in _json(archive, "linked_accounts.json")] == ["alice-uid-1"]
    assert _json(archive, "profile.json")["login_addresses"] == [
        {"email": "alice@lycksele.test", "verified": True, "primary": True}
    ]
    for name in archive.namelist():
        text = archive.read(name).decode("utf-8", errors="replace")
        for secret in ("hemlig-sessionsnyckel-123", "HEMLIGTOTPFRO", "IDPX"):
            assert secret not in text, f"{secret!r} in {name}"


def test_leaving_removes_login_methods(alice_logins):
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount
    from allauth.usersessions.models import UserSession

    account_services.member_leave(member=alice_logins)
    for model in (EmailAddress, UserSession, Authenticator, SocialAccount):
        assert not model.objects.filter(user=alice_logins).exists(), model.__name__


def test_leaving_rewrites_only_the_leavers_address_in_other_entries(alice, admin_member):
    audit_log(
        action=Action.MEMBER_INVITED,
        actor=admin_member,
        subject_label="malice@lycksele.test",
        detail={"email": "malice@lycksele.test", "cc": "alice@lycksele.test"},
    )
    account_services.member_leave(member=alice)
    entry = AuditEntry.objects.get(action=Action.MEMBER_INVITED)
    assert entry.subject_label == "malice@lycksele.test"
    assert entry.detail == {"email": "malice@lycksele.test", "cc": "Tidigare medlem"}
    assert entry.actor_name == "Ada Admin"


def test_guessing_the_password_on_the_leave_page_is_throttled(alice, alice_client):
    statuses = [
        alice_client.post(
            reverse("profiles:leave"), {"confirm": "on", "password": f"fel-{n}"}
        ).status_code
        for n in range(12)
    ]
    assert statuses[0] == 400
    assert statuses[-1] == 429
    alice.refresh_from_db()
    assert alice.is_active and alice.name == "Alice Andersson"
