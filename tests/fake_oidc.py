"""A fake OpenID Connect identity provider for the single sign-on tests: a real
HTTP server on 127.0.0.1 in a thread, serving discovery, authorize, token,
userinfo and JWKS, with an RSA key generated when it starts.

A test says who logs in next (``fake.next_user = {...}``) and can make the
provider misbehave: sign with a key it does not publish, or name another issuer.
Also: helpers that configure a SocialApp linked to an organisation, for OIDC and
SAML."""

import base64
import json
import secrets
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from allauth.socialaccount.models import SocialApp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from kollegan.accounts.models import Organisation
from kollegan.sso.models import OrganisationLogin

CLIENT_ID = "kollegan-test-client"
CLIENT_SECRET = "kollegan-test-secret"
KID = "fake-key-1"


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeOIDCProvider:
    def __init__(self) -> None:
        self.key = _new_key()
        self.other_key = _new_key()
        self.client_id = CLIENT_ID
        self.client_secret = CLIENT_SECRET
        self.next_user: dict = {}
        # Misbehaviour switches, reset by reset().
        self.sign_with_other_key = False
        self.issuer_override: str | None = None
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        self.requests: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> "FakeOIDCProvider":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        self.next_user = {}
        self.sign_with_other_key = False
        self.issuer_override = None
        self.codes.clear()
        self.access_tokens.clear()
        self.requests.clear()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- what the endpoints answer --------------------------------------------------------

    def discovery(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "scopes_supported": ["openid", "profile", "email"],
        }

    def jwks(self) -> dict:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def id_token(self, claims: dict, nonce: str | None) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer_override or self.url,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "jti": secrets.token_hex(8),
            **claims,
        }
        if nonce:
            payload["nonce"] = nonce
        key = self.other_key if self.sign_with_other_key else self.key
        return jwt.encode(payload, key, algorithm="RS256", headers={"kid": KID})

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if query.get("client_id") != self.client_id or not query.get("redirect_uri"):
            return 400, {}, b"unknown client"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "claims": dict(self.next_user),
            "nonce": query.get("nonce"),
            "redirect_uri": query["redirect_uri"],
        }
        params = {"code": code}
        if "state" in query:
            params["state"] = query["state"]
        separator = "&" if "?" in query["redirect_uri"] else "?"
        return 302, {"Location": query["redirect_uri"] + separator + urlencode(params)}, b""

    def token(self, form: dict[str, str], basic_auth: str | None) -> tuple[int, dict]:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if basic_auth:
            client_id, _, secret = base64.b64decode(basic_auth).decode().partition(":")
        if client_id != self.client_id or secret != self.client_secret:
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        access_token = secrets.token_urlsafe(16)
        self.access_tokens[access_token] = grant["claims"]
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "id_token": self.id_token(grant["claims"], grant["nonce"]),
        }

    # --- HTTP -----------------------------------------------------------------------------

    def _handler_class(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                return

            def _send(self, status: int, body, headers: dict | None = None) -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                if not isinstance(body, bytes):
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                parts = urlsplit(self.path)
                provider.requests.append(f"GET {parts.path}")
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path == "/.well-known/openid-configuration":
                    self._send(200, provider.discovery())
                elif parts.path == "/jwks":
                    self._send(200, provider.jwks())
                elif parts.path == "/authorize":
                    status, headers, body = provider.authorize(query)
                    self._send(status, body, headers)
                elif parts.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    claims = provider.access_tokens.get(token)
                    if claims is None:
                        self._send(401, {"error": "invalid_token"})
                    else:
                        self._send(200, claims)
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self):
                parts = urlsplit(self.path)
                provider.requests.append(f"POST {parts.path}")
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if parts.path == "/token":
                    auth = self.headers.get("Authorization", "")
                    basic = auth.removeprefix("Basic ") if auth.startswith("Basic ") else None
                    status, body = provider.token(form, basic)
                    self._send(status, body)
                else:
                    self._send(404, {"error": "not_found"})

        return Handler


# --- Configuring Kollegan -----------------------------------------------------------------


def configure_oidc(
    organisation: Organisation,
    server_url: str,
    *,
    provider_id: str = "lycksele",
    label: str = "Logga in med Lycksele kommuns konto",
    **fields,
) -> OrganisationLogin:
    app = SocialApp.objects.create(
        provider="openid_connect",
        provider_id=provider_id,
        name=f"{organisation.name} (OIDC)",
        client_id=CLIENT_ID,
        secret=CLIENT_SECRET,
        settings={"server_url": server_url},
    )
    return OrganisationLogin.objects.create(
        organisation=organisation, social_app=app, label=label, **fields
    )


def self_signed_certificate() -> str:
    """A certificate body (PEM without the armour lines) as an IdP's x509cert."""
    key = _new_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.example.se")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    return "".join(line for line in pem.splitlines() if "CERTIFICATE" not in line)


def configure_saml(
    organisation: Organisation,
    *,
    slug: str = "lycksele",
    label: str = "Logga in med SITHS-kort",
    sso_url: str = "https://idp.example.se/sso",
    advanced: dict | None = None,
) -> OrganisationLogin:
    app = SocialApp.objects.create(
        provider="saml",
        provider_id="https://idp.example.se/entity",
        name=f"{organisation.name} (SAML)",
        client_id=slug,
        settings={
            "idp": {
                "entity_id": "https://idp.example.se/entity",
                "sso_url": sso_url,
                "x509cert": self_signed_certificate(),
            },
            "attribute_mapping": {
                "uid": "urn:oid:1.2.752.29.6.2.1",
                "email": "urn:oid:0.9.2342.19200300.100.1.3",
                "first_name": "urn:oid:2.5.4.42",
                "last_name": "urn:oid:2.5.4.4",
            },
            "advanced": advanced or {},
        },
    )
    return OrganisationLogin.objects.create(organisation=organisation, social_app=app, label=label)
