"""Security properties every response must have: the headers, pages that load
nothing from other sites (so the Content-Security-Policy can stay strict and no
third party learns who reads what), the session cookie, and the API's refusals."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kollegan.api import services as api_services
from kollegan.api.models import ApiToken
from tests.conftest import PASSWORD
from tests.helpers import bearer


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


@pytest.fixture
def member_page(alice_client):
    response = alice_client.get(reverse("start"))
    assert response.status_code == 200
    return response


@pytest.fixture
def login_page(client, db):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    return response


@pytest.fixture(params=["member_page", "login_page"])
def page(request, db):
    # `db` named here so pytest-django orders these tests with the other database
    # tests, before any transactional test empties the seeded tables.
    return request.getfixturevalue(request.param)


# --- Headers -----------------------------------------------------------------------------


def test_csp_allows_scripts_only_from_own_origin(page):
    directives = csp_directives(page)
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src is not None
    assert "'self'" in script_src
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    # Nothing but our own origin: no CDN, no wildcard, no scheme source.
    assert set(script_src) == {"'self'"}


def test_csp_forbids_framing_and_plugins(page):
    directives = csp_directives(page)
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]


def test_browser_hardening_headers_are_set(page):
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_api_responses_carry_the_same_headers(alice_client):
    response = alice_client.get(reverse("api:me"))
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert csp_directives(response)["frame-ancestors"] == ["'none'"]


# --- Pages reference only our own origin -----------------------------------------------


URL_ATTRIBUTES = {"src", "href", "action", "formaction", "srcset", "poster", "data", "cite"}


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.inline_scripts = 0
        self.inline_handlers: list[str] = []
        self.inline_styles: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value is not None:
                if name == "srcset":
                    for candidate in value.split(","):
                        self.urls.append((tag, name, candidate.strip().split(" ")[0]))
                else:
                    self.urls.append((tag, name, value.strip()))
            if name.startswith("on"):
                self.inline_handlers.append(f"<{tag} {name}>")
            if name == "style":
                self.inline_styles.append(f"<{tag} style>")
        if tag == "style":
            self.inline_styles.append("<style>")
        # JSON data blocks (json_script) are not executed, so CSP leaves them alone.
        if (
            tag == "script"
            and "src" not in attributes
            and attributes.get("type") != "application/json"
        ):
            self.inline_scripts += 1


def references(html: str) -> _References:
    parser = _References()
    parser.feed(html)
    parser.close()
    return parser


def is_own_origin(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "mailto":
        return True
    if not parts.scheme and not parts.netloc:
        return True  # relative: /static/…, #main, ?sida=2
    own_hosts = {"testserver", urlsplit(settings.SITE_URL).netloc}
    return parts.scheme in {"http", "https"} and parts.netloc in own_hosts


PAGES = {
    "start": ("alice_client", lambda: reverse("start")),
    "login": ("client", lambda: reverse("account_login")),
    "directory": ("alice_client", lambda: reverse("profiles:directory")),
    "my_page": ("alice_client", lambda: reverse("profiles:my_page")),
    "help": ("alice_client", lambda: reverse("help")),
    "accessibility": ("client", lambda: reverse("accessibility")),
    "password_reset": ("client", lambda: reverse("account_reset_password")),
}


@pytest.fixture
def rendered(request, alice, bob, carol):
    """A page rendered with a few members about, so cards, lists and menus show."""

    def render(page_name: str) -> str:
        fixture, url = PAGES[page_name]
        client = request.getfixturevalue(fixture)
        response = client.get(url())
        assert response.status_code == 200, page_name
        return response.content.decode()

    return render


# The one link a page may make to another host: DOS-lagen requires the accessibility
# statement to link to DIGG's form for reporting inadequate accessibility. A link the
# reader follows, not something the page loads.
REQUIRED_LINKS = {"accessibility": {("a", "href", "https://www.digg.se/tdosanmalan")}}


@pytest.mark.parametrize("page_name", sorted(PAGES))
def test_page_references_nothing_on_other_hosts(page_name, rendered):
    found = references(rendered(page_name))
    assert found.urls, "parser found no links at all: the check would be empty"
    allowed = REQUIRED_LINKS.get(page_name, set())
    foreign = [
        (tag, attr, url)
        for tag, attr, url in found.urls
        if not is_own_origin(url) and (tag, attr, url) not in allowed
    ]
    assert not foreign, f"{page_name} loads or links to other hosts: {foreign}"


@pytest.mark.parametrize("page_name", sorted(PAGES))
def test_page_has_no_inline_code_the_csp_would_block(page_name, rendered):
    found = references(rendered(page_name))
    assert found.inline_scripts == 0, f"{page_name} has inline <script>"
    assert not found.inline_handlers, f"{page_name}: {found.inline_handlers}"
    assert not found.inline_styles, f"{page_name}: {found.inline_styles}"


def test_assets_the_pages_load_are_served_from_our_origin(rendered, client):
    assets = {
        url
        for tag, attr, url in references(rendered("start")).urls
        if (tag, attr) in {("script", "src"), ("link", "href"), ("img", "src")}
    }
    assert any(url.endswith(".js") for url in assets)
    assert any(url.endswith(".css") for url in assets)
    for url in assets:
        assert url.startswith(settings.STATIC_URL), url
        assert client.get(url).status_code == 200, url


def test_reference_check_spots_a_third_party_script():
    found = references(
        '<script src="https://cdn.example.com/x.js"></script><a href="mailto:a@b.se">m</a>'
        '<a href="/medarbetare/">x</a><img src="//tracker.example.net/p.gif">'
    )
    foreign = [url for _tag, _attr, url in found.urls if not is_own_origin(url)]
    assert foreign == ["https://cdn.example.com/x.js", "//tracker.example.net/p.gif"]


# --- Cookies --------------------------------------------------------------------------------


def test_session_cookie_from_a_real_login_is_httponly_and_samesite(client, alice):
    response = client.post(
        reverse("account_login"), {"login": "alice@lycksele.test", "password": PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_csrf_cookie_is_httponly(client, db):
    response = client.get(reverse("account_login"))
    cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["httponly"] is True


def test_member_post_without_csrf_token_is_refused(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice, backend="kollegan.accounts.backends.MemberBackend")
    response = client.post(reverse("profiles:token_create"), {"name": "Utan token"})
    assert response.status_code == 403
    assert not ApiToken.objects.filter(name="Utan token").exists()


# --- The API's refusals ---------------------------------------------------------------------


@pytest.fixture
def alice_secret(alice) -> str:
    _token, secret = api_services.api_token_create(member=alice, name="Skript")
    return secret


def test_api_with_valid_token_answers_for_its_member(client, alice_secret, alice):
    response = client.get(reverse("api:me"), headers=bearer(alice_secret))
    assert response.status_code == 200
    assert response.json()["email"] == alice.email


def test_api_without_credentials_is_401(client, db):
    response = client.get(reverse("api:me"))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "email" not in response.content.decode()


def test_api_with_wrong_bearer_is_401(client, alice_secret):
    wrong = alice_secret[:-4] + ("AAAA" if not alice_secret.endswith("AAAA") else "BBBB")
    assert client.get(reverse("api:me"), headers=bearer(wrong)).status_code == 401
    assert client.get(reverse("api:me"), headers=bearer("kol_nonsense")).status_code == 401
    assert client.get(reverse("api:me"), HTTP_AUTHORIZATION="Basic YWxpY2U6eA==").status_code == 401


def test_api_with_revoked_token_is_401(client, alice_secret):
    assert client.get(reverse("api:me"), headers=bearer(alice_secret)).status_code == 200
    token = ApiToken.objects.get(token_hash=ApiToken.digest(alice_secret))
    api_services.api_token_revoke(token=token)
    assert client.get(reverse("api:me"), headers=bearer(alice_secret)).status_code == 401


def test_api_token_of_deactivated_member_is_401(client, dave):
    _token, secret = api_services.api_token_create(member=dave, name="Gammalt skript")
    assert client.get(reverse("api:me"), headers=bearer(secret)).status_code == 401


def test_openapi_document_needs_a_member(client, alice_secret):
    url = reverse("api:openapi-json")
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer("kol_nonsense")).status_code == 401
    response = client.get(url, headers=bearer(alice_secret))
    assert response.status_code == 200
    assert "/api/v1/me" in response.json()["paths"]


def test_api_session_of_deactivated_member_is_401(dave_client):
    assert dave_client.get(reverse("api:me")).status_code == 401
