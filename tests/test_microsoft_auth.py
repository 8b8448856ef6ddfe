"""Microsoft authorization through MSAL, offline: MSAL's own `http_client` hook stands in for
login.microsoftonline.com (discovery, device code, token and refresh endpoints), so MSAL's real code
runs every flow and keeps its real token cache, and nothing here can reach Microsoft."""
from __future__ import annotations

import base64
import json
import os
import stat
import time
import urllib.parse

import pytest

from connectors import SourceError
from connectors.microsoft_auth import SCOPES, access_token, authorize, token_path, token_provider

CLIENT = "11111111-2222-3333-4444-555555555555"
TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"
LOGIN = "https://login.microsoftonline.com/common"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class Response:
    def __init__(self, status: int, body: dict):
        self.status_code, self.text, self.headers = status, json.dumps(body), {}

    def raise_for_status(self):
        if self.status_code >= 400:
            raise RuntimeError(self.status_code)


class FakeLogin:
    """The endpoints MSAL calls, answering as Microsoft's identity platform does."""

    def __init__(self, *, granted: tuple[str, ...] = SCOPES, expires_in: int = 3600):
        self.granted, self.expires_in = granted, expires_in
        self.revoked = False
        self.requests: list[tuple[str, str, dict]] = []  # (method, url, form data)
        self.issued = 0

    def get(self, url, params=None, headers=None, **kwargs):
        self.requests.append(("GET", url, dict(params or {})))
        if "/discovery/instance" in url:
            return Response(200, {"tenant_discovery_endpoint": f"{LOGIN}/v2.0/.well-known/openid-configuration",
                                  "metadata": [{"preferred_network": "login.microsoftonline.com",
                                                "preferred_cache": "login.windows.net",
                                                "aliases": ["login.microsoftonline.com", "login.windows.net"]}]})
        if url.endswith("/.well-known/openid-configuration"):
            return Response(200, {"authorization_endpoint": f"{LOGIN}/oauth2/v2.0/authorize",
                                  "token_endpoint": f"{LOGIN}/oauth2/v2.0/token",
                                  "device_authorization_endpoint": f"{LOGIN}/oauth2/v2.0/devicecode",
                                  "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0"})
        return Response(404, {"error": "not_found"})

    def post(self, url, params=None, data=None, headers=None, **kwargs):
        form = dict(urllib.parse.parse_qsl(data) if isinstance(data, str) else data or {})
        self.requests.append(("POST", url, form))
        if url.endswith("/devicecode"):
            return Response(200, {"device_code": "DEVICE", "user_code": "ABCD-EFGH", "expires_in": 900, "interval": 0,
                                  "verification_uri": "https://microsoft.com/devicelogin",
                                  "message": "To sign in, use a web browser to open the page "
                                             "https://microsoft.com/devicelogin and enter the code ABCD-EFGH."})
        if url.endswith("/token"):
            if form.get("grant_type") == "refresh_token" and self.revoked:
                return Response(400, {"error": "invalid_grant", "error_description":
                                      "AADSTS50173: The provided grant has expired due to it being revoked.\r\n"
                                      "Trace ID: 1"})
            return Response(200, self.token())
        return Response(404, {"error": "not_found"})

    def token(self) -> dict:
        self.issued += 1
        now = int(time.time())
        claims = {"aud": CLIENT, "iss": f"https://login.microsoftonline.com/{TENANT}/v2.0", "iat": now,
                  "exp": now + 3600, "oid": "00000000-0000-0000-0000-000000000001", "tid": TENANT,
                  "preferred_username": "jane@contoso.example", "name": "Jane Doe", "sub": "x"}
        return {"token_type": "Bearer", "scope": " ".join((*self.granted, "openid", "profile", "offline_access")),
                "expires_in": self.expires_in, "access_token": f"access-{self.issued}",
                "refresh_token": f"refresh-{self.issued}", "id_token": f"{_b64({'alg': 'none'})}.{_b64(claims)}.",
                "client_info": _b64({"uid": "00000000-0000-0000-0000-000000000001", "utid": TENANT})}


@pytest.fixture(autouse=True)
def config_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def sign_in(login: FakeLogin, **kwargs) -> str:
    shown = []
    account = authorize(CLIENT, device_code=True, show=shown.append, http_client=login, **kwargs)
    assert "ABCD-EFGH" in shown[0]
    return account


def test_device_code_sign_in_asks_for_the_narrow_scopes_and_keeps_the_cache_0600_in_a_0700_folder(tmp_path):
    login = FakeLogin()
    assert sign_in(login) == "jane@contoso.example"
    asked = next(form for method, url, form in login.requests if url.endswith("/devicecode"))
    assert set(asked["scope"].split()) == {*SCOPES, "openid", "profile", "offline_access"}
    assert token_path() == tmp_path / "config" / "tiekeeper" / "microsoft-token.json"
    assert stat.S_IMODE(token_path().stat().st_mode) == 0o600
    assert stat.S_IMODE(token_path().parent.stat().st_mode) == 0o700
    assert "refresh-1" in token_path().read_text()


def test_a_stored_access_token_is_used_without_asking_microsoft():
    login = FakeLogin()
    sign_in(login)
    login.requests.clear()
    assert access_token(CLIENT, http_client=login) == "access-1"
    assert not [r for r in login.requests if r[0] == "POST"]


def test_an_expired_access_token_is_refreshed_and_the_cache_written_back_0600():
    login = FakeLogin(expires_in=60)  # MSAL treats a token expiring within 5 minutes as expired
    sign_in(login)
    assert access_token(CLIENT, http_client=login) == "access-2"
    refresh = [form for method, url, form in login.requests if form.get("grant_type") == "refresh_token"]
    assert refresh and refresh[0]["refresh_token"] == "refresh-1"
    assert "refresh-2" in token_path().read_text()
    assert stat.S_IMODE(token_path().stat().st_mode) == 0o600


def test_a_revoked_grant_says_which_command_to_run():
    login = FakeLogin(expires_in=60)
    sign_in(login)
    login.revoked = True
    with pytest.raises(SourceError) as error:
        access_token(CLIENT, http_client=login)
    assert str(error.value) == (f"{token_path()}: the Microsoft authorization has expired or was revoked "
                                "(AADSTS50173: The provided grant has expired due to it being revoked.); "
                                "run `tiekeeper auth microsoft` again")


def test_without_a_sign_in_the_connectors_say_to_authorize():
    with pytest.raises(SourceError, match=r"no Microsoft authorization yet; run `tiekeeper auth microsoft`$"):
        access_token(CLIENT, http_client=FakeLogin())


def test_a_cache_other_users_can_read_is_refused_and_left_alone():
    login = FakeLogin()
    sign_in(login)
    os.chmod(token_path(), 0o644)
    with pytest.raises(SourceError, match=r"readable by other users \(mode 0644\).*chmod 600"):
        access_token(CLIENT, http_client=login)
    assert stat.S_IMODE(token_path().stat().st_mode) == 0o644


def test_a_grant_without_mail_readbasic_is_refused_and_nothing_is_stored():
    with pytest.raises(SourceError, match=r"granted no Mail.ReadBasic"):
        sign_in(FakeLogin(granted=("Calendars.Read", "User.Read")))
    assert not token_path().exists()


def test_a_damaged_cache_says_to_authorize_again():
    token_path().parent.mkdir(parents=True)
    token_path().write_text("{not json")
    os.chmod(token_path(), 0o600)
    with pytest.raises(SourceError, match=r"not a Microsoft authorization tiekeeper can use .*auth microsoft` again$"):
        access_token(CLIENT, http_client=FakeLogin())


def test_a_long_sync_gets_a_fresh_token_whenever_the_last_one_is_about_to_expire():
    login = FakeLogin(expires_in=60)  # each token is within MSAL's 5 minutes of expiry at once
    sign_in(login)
    token = token_provider(CLIENT, http_client=login)
    assert [token(), token()] == ["access-2", "access-3"]
    assert "refresh-3" in token_path().read_text()
