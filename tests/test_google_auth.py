"""Google authorization: the installed-app flow and the stored token, all offline.

The flow is a fake standing in for `InstalledAppFlow` (no browser, no loopback server), token
refreshes are monkeypatched, and any HTTP request through `requests` fails the test: nothing
here may reach Google."""
from __future__ import annotations

import datetime as dt
import json
import os
import stat
import webbrowser

import google.auth.exceptions
import oauthlib.oauth2
import pytest
import requests.adapters
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.helpers import credentials_from_session

from connectors import SourceError, google_auth
from connectors.google_auth import SCOPE_SEND, SCOPES_READ, authorize, load_credentials, scopes_for, token_path

METADATA = "https://www.googleapis.com/auth/gmail.metadata"
READONLY = "https://www.googleapis.com/auth/gmail.readonly"
CALENDAR = "https://www.googleapis.com/auth/calendar.readonly"
TOKEN_URI = "https://oauth2.googleapis.com/token"


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """No request leaves the machine, no browser opens, and the token lives in a scratch folder."""
    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to reach the network")

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", refuse)
    monkeypatch.setattr(webbrowser, "get", lambda *args: object())  # a browser "exists"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


class FakeFlow:
    """Records what `authorize` asked of the flow and answers with real credentials."""

    def __init__(self, scopes, granted=None, error=None):
        self.scopes = list(scopes)
        self.granted = self.scopes if granted is None else list(granted)
        self.error = error
        self.run_with = None

    def run_local_server(self, **kwargs):
        self.run_with = kwargs
        if self.error:
            raise self.error
        return Credentials("ya29.first-access-token", refresh_token="1//refresh-token", token_uri=TOKEN_URI,
                           client_id="123.apps.googleusercontent.com", client_secret="client-secret",
                           scopes=self.scopes, granted_scopes=self.granted,
                           expiry=dt.datetime(2999, 1, 1))


@pytest.fixture
def flows(monkeypatch):
    """Replaces `InstalledAppFlow.from_client_secrets_file`; `flows.made` lists the flows built,
    `flows.granted` / `flows.error` shape what the next one answers."""
    class Flows:
        made: list[tuple[str, FakeFlow]] = []
        granted = None
        error = None

    def from_client_secrets_file(path, scopes):
        flow = FakeFlow(scopes, Flows.granted, Flows.error)
        Flows.made.append((path, flow))
        return flow

    Flows.made = []
    monkeypatch.setattr(google_auth.InstalledAppFlow, "from_client_secrets_file", from_client_secrets_file)
    return Flows


def store_token(scopes, *, expiry="2999-01-01T00:00:00Z", mode=0o600):
    path = token_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "token": "ya29.stored-access-token", "refresh_token": "1//refresh-token", "token_uri": TOKEN_URI,
        "client_id": "123.apps.googleusercontent.com", "client_secret": "client-secret",
        "scopes": list(scopes), "expiry": expiry}))
    path.chmod(mode)
    return path


def mode_of(path):
    return stat.S_IMODE(path.stat().st_mode)


def one_line(error: pytest.ExceptionInfo) -> str:
    message = str(error.value)
    assert "\n" not in message
    return message


# token_path

def test_token_path_is_in_xdg_config_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert token_path() == tmp_path / "xdg" / "tiekeeper" / "google-token.json"


def test_token_path_defaults_to_dot_config_in_home(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert token_path() == tmp_path / "home" / ".config" / "tiekeeper" / "google-token.json"


def test_token_path_ignores_a_relative_xdg_config_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/config")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert token_path() == tmp_path / "home" / ".config" / "tiekeeper" / "google-token.json"


# scopes

def test_read_scopes_are_gmail_metadata_and_calendar_readonly_only():
    assert SCOPES_READ == (METADATA, CALENDAR)
    assert scopes_for() == (METADATA, CALENDAR)


def test_send_scope_is_added_only_when_sending():
    assert SCOPE_SEND == "https://www.googleapis.com/auth/gmail.send"
    assert scopes_for(send=True) == (METADATA, CALENDAR, SCOPE_SEND)
    assert SCOPE_SEND not in scopes_for(send=False)


def test_no_scope_set_combines_gmail_metadata_with_gmail_readonly():
    for send in (False, True):
        assert READONLY not in scopes_for(send=send)
        assert "https://mail.google.com/" not in scopes_for(send=send)


# authorize

def test_authorize_asks_for_the_read_scopes_and_stores_the_token_0600_in_a_0700_folder(flows, tmp_path):
    path = authorize(tmp_path / "client_secret.json")

    assert path == token_path() == tmp_path / "config" / "tiekeeper" / "google-token.json"
    [(secrets, flow)] = flows.made
    assert secrets == str(tmp_path / "client_secret.json")
    assert flow.scopes == [METADATA, CALENDAR]
    assert {k: flow.run_with[k] for k in ("host", "port", "open_browser")} == {
        "host": "localhost", "port": 0, "open_browser": True}
    assert "{url}" in flow.run_with["authorization_prompt_message"]
    assert mode_of(path) == 0o600
    assert mode_of(path.parent) == 0o700
    stored = json.loads(path.read_text())
    assert {k: stored[k] for k in ("token", "refresh_token", "client_id", "scopes")} == {
        "token": "ya29.first-access-token", "refresh_token": "1//refresh-token",
        "client_id": "123.apps.googleusercontent.com", "scopes": sorted([METADATA, CALENDAR])}
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_authorize_with_send_also_asks_for_gmail_send(flows, tmp_path):
    authorize(tmp_path / "client_secret.json", send=True, port=8765)

    [(_, flow)] = flows.made
    assert flow.scopes == [METADATA, CALENDAR, SCOPE_SEND]
    assert flow.run_with["port"] == 8765
    assert json.loads(token_path().read_text())["scopes"] == sorted([METADATA, CALENDAR, SCOPE_SEND])


def test_authorize_does_not_open_a_browser_when_told_not_to(flows, tmp_path):
    authorize(tmp_path / "client_secret.json", open_browser=False)
    assert flows.made[0][1].run_with["open_browser"] is False


def test_authorize_only_prints_the_address_when_no_browser_can_open(flows, tmp_path, monkeypatch):
    def no_browser(*args):
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "get", no_browser)
    authorize(tmp_path / "client_secret.json")
    assert flows.made[0][1].run_with["open_browser"] is False


def test_authorize_replaces_an_existing_token_and_tightens_its_mode(flows, tmp_path):
    old = store_token([METADATA], mode=0o644)
    authorize(tmp_path / "client_secret.json")
    assert json.loads(old.read_text())["token"] == "ya29.first-access-token"
    assert mode_of(old) == 0o600


def test_authorize_refuses_a_grant_without_a_scope_and_stores_nothing(flows, tmp_path):
    flows.granted = [METADATA]  # the calendar box was left unticked on the consent screen
    with pytest.raises(SourceError) as error:
        authorize(tmp_path / "client_secret.json")
    assert one_line(error) == ("Google granted no access to calendar.readonly (a box left unticked?); "
                               "run `tiekeeper auth google` again and allow all that it asks for")
    assert not token_path().exists()


def test_authorize_refuses_a_grant_holding_gmail_readonly_beside_gmail_metadata(flows, tmp_path):
    flows.granted = [METADATA, CALENDAR, READONLY]  # an older grant merged in by Google
    with pytest.raises(SourceError) as error:
        authorize(tmp_path / "client_secret.json")
    assert "gmail.readonly" in one_line(error)
    assert "https://myaccount.google.com/permissions" in str(error.value)
    assert not token_path().exists()


def test_authorize_turns_oauthlibs_scope_change_into_the_one_line_error(monkeypatch, tmp_path):
    """oauthlib itself raises a bare Warning when Google grants fewer scopes than asked; this
    drives the real client with Google's token answer to check `authorize` gets past it."""
    client = {"client_id": "123.apps.googleusercontent.com", "client_secret": "client-secret",
              "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": TOKEN_URI}
    answer = json.dumps({"access_token": "ya29.a", "refresh_token": "1//r", "expires_in": 3599,
                         "token_type": "Bearer", "scope": METADATA})

    def from_client_secrets_file(path, scopes):
        flow = google_auth.InstalledAppFlow.from_client_config({"installed": client}, scopes=scopes)

        def run_local_server(**kwargs):
            session = flow.oauth2session
            session.token = session._client.parse_request_body_response(answer, scope=session.scope)
            return credentials_from_session(session, client)

        flow.run_local_server = run_local_server
        return flow

    monkeypatch.setattr(google_auth.InstalledAppFlow, "from_client_secrets_file", from_client_secrets_file)
    with pytest.raises(SourceError, match=r"^Google granted no access to calendar\.readonly "):
        authorize(tmp_path / "client_secret.json")
    assert "OAUTHLIB_RELAX_TOKEN_SCOPE" not in os.environ


def test_authorize_reports_a_refusal_on_the_consent_screen(flows, tmp_path):
    flows.error = oauthlib.oauth2.AccessDeniedError(description="The user denied access")
    with pytest.raises(SourceError) as error:
        authorize(tmp_path / "client_secret.json", send=True)
    assert one_line(error) == ("Google did not authorize tiekeeper (The user denied access); "
                               "run `tiekeeper auth google --send` again and allow access")


def test_authorize_reports_missing_client_secrets(tmp_path):
    with pytest.raises(SourceError) as error:
        authorize(tmp_path / "nowhere.json")
    assert one_line(error).startswith(f"{tmp_path / 'nowhere.json'}: no such file; download the JSON of an "
                                      "OAuth client of type \"Desktop app\"")


def test_authorize_reports_client_secrets_of_a_service_account(tmp_path):
    secrets = tmp_path / "service_account.json"
    secrets.write_text(json.dumps({"type": "service_account", "client_email": "x@y.iam.gserviceaccount.com"}))
    with pytest.raises(SourceError) as error:
        authorize(secrets)
    assert one_line(error).startswith(f"{secrets}: not the client secrets JSON of a \"Desktop app\" OAuth client")


# load_credentials

def test_load_without_a_token_says_to_authorize():
    with pytest.raises(SourceError) as error:
        load_credentials()
    assert one_line(error) == f"{token_path()}: no Google authorization yet; run `tiekeeper auth google`"


def test_load_for_sending_without_a_token_says_to_authorize_with_send():
    with pytest.raises(SourceError) as error:
        load_credentials(need_send=True)
    assert one_line(error).endswith("run `tiekeeper auth google --send`")


def test_load_returns_a_valid_token_as_stored_without_refreshing(monkeypatch):
    path = store_token([METADATA, CALENDAR])
    before = path.read_text()
    monkeypatch.setattr(Credentials, "refresh", lambda self, request: pytest.fail("refreshed a valid token"))

    credentials = load_credentials()

    assert (credentials.token, credentials.refresh_token) == ("ya29.stored-access-token", "1//refresh-token")
    assert sorted(credentials.scopes) == sorted([METADATA, CALENDAR])
    assert path.read_text() == before


def test_load_for_sending_refuses_a_token_without_gmail_send():
    store_token([METADATA, CALENDAR])
    with pytest.raises(SourceError) as error:
        load_credentials(need_send=True)
    assert one_line(error) == (f"{token_path()}: the Google authorization lacks gmail.send; "
                               "run `tiekeeper auth google --send` again")


def test_load_refuses_a_token_without_a_read_scope_and_keeps_its_send_scope_in_the_advice():
    store_token([METADATA, SCOPE_SEND])
    with pytest.raises(SourceError) as error:
        load_credentials()
    assert one_line(error) == (f"{token_path()}: the Google authorization lacks calendar.readonly; "
                               "run `tiekeeper auth google --send` again")


def test_load_refreshes_an_expired_token_and_writes_it_back_0600(monkeypatch):
    path = store_token([METADATA, CALENDAR], expiry="2020-01-01T00:00:00Z")
    refreshed_until = dt.datetime(2999, 1, 1, 12, 0, 0)

    def refresh(self, request):
        self.token, self.expiry = "ya29.refreshed-access-token", refreshed_until

    monkeypatch.setattr(Credentials, "refresh", refresh)
    credentials = load_credentials()

    assert credentials.token == "ya29.refreshed-access-token" and credentials.valid
    stored = json.loads(path.read_text())
    assert {k: stored[k] for k in ("token", "expiry", "refresh_token", "scopes")} == {
        "token": "ya29.refreshed-access-token", "expiry": "2999-01-01T12:00:00Z",
        "refresh_token": "1//refresh-token", "scopes": sorted([METADATA, CALENDAR])}
    assert mode_of(path) == 0o600
    assert load_credentials().token == "ya29.refreshed-access-token"  # read back without refreshing


def test_load_with_a_revoked_token_says_to_authorize_again(monkeypatch):
    path = store_token([METADATA, CALENDAR], expiry="2020-01-01T00:00:00Z")

    def refresh(self, request):
        raise google.auth.exceptions.RefreshError("invalid_grant: Token has been expired or revoked.",
                                                  {"error": "invalid_grant"})

    monkeypatch.setattr(Credentials, "refresh", refresh)
    with pytest.raises(SourceError) as error:
        load_credentials()
    assert one_line(error) == (f"{path}: the Google authorization has expired or was revoked "
                               "(invalid_grant: Token has been expired or revoked.); run `tiekeeper auth google` again")


def test_load_refuses_a_token_other_users_can_read_and_leaves_it_alone():
    path = store_token([METADATA, CALENDAR], mode=0o644)
    with pytest.raises(SourceError) as error:
        load_credentials()
    assert one_line(error) == (
        f"{path}: readable by other users (mode 0644); this token is a password: run `chmod 600 {path}` "
        "(and if someone may have copied it, revoke it at https://myaccount.google.com/permissions)")
    assert mode_of(path) == 0o644


def test_load_refuses_a_group_readable_token():
    store_token([METADATA, CALENDAR], mode=0o640)
    with pytest.raises(SourceError, match=r"mode 0640.*chmod 600"):
        load_credentials()


def test_load_reports_a_damaged_token_file():
    path = store_token([METADATA, CALENDAR])
    path.write_text("{not json")
    with pytest.raises(SourceError) as error:
        load_credentials()
    assert one_line(error).startswith(f"{path}: not a Google authorization tiekeeper can use (")
    assert one_line(error).endswith("run `tiekeeper auth google` again")


def test_a_token_stored_by_authorize_loads_without_a_refresh(flows, tmp_path, monkeypatch):
    authorize(tmp_path / "client_secret.json", send=True)
    monkeypatch.setattr(Credentials, "refresh", lambda self, request: pytest.fail("refreshed a valid token"))
    credentials = load_credentials(need_send=True)
    assert credentials.token == "ya29.first-access-token"
    assert sorted(credentials.scopes) == sorted([METADATA, CALENDAR, SCOPE_SEND])
