"""The user's Microsoft authorization for Outlook mail and calendar: MSAL's public-client flows, and
the token cache they leave behind.

`authorize` runs once (`tiekeeper auth microsoft`): the browser flow where a browser can open
(Microsoft redirects to a loopback port on this machine), else the device-code flow (a code to type
at microsoft.com/devicelogin from any device). The client is the user's own app registration (its
Application (client) ID in the config); the authority `common` takes work/school and personal
accounts. MSAL's token cache (a refresh token, as good as a password) lives beside Google's token,
in the XDG config folder, mode 0600. `access_token` reads it back for the connectors; MSAL refreshes
an expired access token by itself, and the cache is written back when it changed.

Scopes are the narrowest delegated ones that give headers without bodies: `Mail.ReadBasic` (every
message property except body, preview and attachments), `Calendars.Read` (which calendarView/delta
names as its least privileged permission), `User.Read`; MSAL adds `offline_access` (the refresh
token), `openid` and `profile` itself and refuses them when asked for explicitly.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import msal

from connectors import SourceError
from connectors.token_files import browser_available, config_folder, one_line, readable_by_others, write_private

SCOPES = ("Mail.ReadBasic", "Calendars.Read", "User.Read")
LOGIN = "https://login.microsoftonline.com"
DEFAULT_TENANT = "common"  # work/school and personal accounts; "organizations", "consumers" or a tenant id narrow it
AUTH_COMMAND = "tiekeeper auth microsoft"
REVOKE_URL = "https://myapps.microsoft.com (work or school) or https://account.live.com/consent/Manage (personal)"


def token_path() -> Path:
    """`$XDG_CONFIG_HOME/tiekeeper/microsoft-token.json`, beside Google's token."""
    return config_folder() / "microsoft-token.json"


def authorize(client_id: str, *, tenant: str = DEFAULT_TENANT, device_code: bool = False, open_browser: bool = True,
              show: Callable[[str], None] = print, http_client=None, authority: str | None = None) -> str:
    """Signs the user in and stores MSAL's token cache at `token_path()`; returns the account's name.

    The browser flow runs when a browser can open and neither `device_code` nor `not open_browser`
    says otherwise; else the device-code flow, whose instructions `show` prints. `http_client` and
    `authority` replace MSAL's transport and Microsoft's login URL (for tests). Raises `SourceError`
    (one line) when the user refuses, the client id is not a public client that may sign in this
    kind of account, or Microsoft grants fewer permissions than asked."""
    cache = msal.SerializableTokenCache()
    app = _app(client_id, tenant, cache, http_client, authority)
    if device_code or not open_browser or not browser_available():
        flow = app.initiate_device_flow(scopes=list(SCOPES))
        if "user_code" not in flow:
            raise SourceError(f"Microsoft refused to start the sign-in ({_reason(flow)}); check the client id and "
                              f"that the app registration allows public client flows")
        show(flow["message"])
        result = app.acquire_token_by_device_flow(flow)
    else:
        show("Opening a browser to sign in to Microsoft (it redirects to this machine's localhost) ...")
        result = app.acquire_token_interactive(list(SCOPES), prompt="select_account")
    if "access_token" not in result:
        raise SourceError(f"Microsoft did not authorize tiekeeper ({_reason(result)}); run `{AUTH_COMMAND}` again "
                          f"and allow access")
    granted = {scope.rsplit("/", 1)[-1].lower() for scope in str(result.get("scope", "")).split()}
    missing = [scope for scope in SCOPES if scope.lower() not in granted]
    if missing:
        raise SourceError(f"Microsoft granted no {', '.join(missing)} (not consented, or not allowed by the "
                          f"organisation); run `{AUTH_COMMAND}` again and allow all that it asks for")
    write_private(token_path(), cache.serialize(), what="Microsoft authorization")
    claims = result.get("id_token_claims") or {}
    return str(claims.get("preferred_username") or claims.get("name") or "your account")


def access_token(client_id: str, *, tenant: str = DEFAULT_TENANT, http_client=None,
                 authority: str | None = None) -> str:
    """A valid access token from the stored cache (see `token_provider`)."""
    return token_provider(client_id, tenant=tenant, http_client=http_client, authority=authority)()


def token_provider(client_id: str, *, tenant: str = DEFAULT_TENANT, http_client=None,
                   authority: str | None = None) -> Callable[[], str]:
    """A function giving a valid access token whenever called: MSAL hands out the cached one and
    refreshes it when it is about to expire (a long first sync outlives an hour's token), and the
    cache is written back when it changed.

    Raises `SourceError` (one line naming the command to run) when there is no authorization yet,
    the cache is readable by other users (refused, not fixed: it may have been copied), or Microsoft
    refuses the refresh (revoked, expired, password changed, consent withdrawn)."""
    path = token_path()
    try:
        mode = readable_by_others(path)
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(f"{path}: no Microsoft authorization yet; run `{AUTH_COMMAND}`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: cannot read the Microsoft authorization ({one_line(exc)})") from None
    if mode is not None:
        raise SourceError(f"{path}: readable by other users (mode {mode:04o}); this token cache is a password: run "
                          f"`chmod 600 {path}` (and if someone may have copied it, revoke tiekeeper's access at "
                          f"{REVOKE_URL})")
    cache = msal.SerializableTokenCache()
    try:
        cache.deserialize(text)
    except ValueError as exc:
        raise SourceError(f"{path}: not a Microsoft authorization tiekeeper can use ({one_line(exc)}); "
                          f"run `{AUTH_COMMAND}` again") from None
    app = _app(client_id, tenant, cache, http_client, authority)
    accounts = app.get_accounts()
    if not accounts:
        raise SourceError(f"{path}: no signed-in account for client {client_id}; run `{AUTH_COMMAND}`")

    def token() -> str:
        result = app.acquire_token_silent_with_error(list(SCOPES), account=accounts[0])
        if not result or "access_token" not in result:
            reason = _reason(result) if result else "no usable token left"
            raise SourceError(f"{path}: the Microsoft authorization has expired or was revoked ({reason}); "
                              f"run `{AUTH_COMMAND}` again")
        if cache.has_state_changed:
            write_private(path, cache.serialize(), what="Microsoft authorization")
            cache.has_state_changed = False
        return result["access_token"]

    return token


def _app(client_id: str, tenant: str, cache, http_client, authority: str | None) -> msal.PublicClientApplication:
    try:
        return msal.PublicClientApplication(client_id, authority=authority or f"{LOGIN}/{tenant}", token_cache=cache,
                                            http_client=http_client)
    except ValueError as exc:  # a malformed authority or tenant
        raise SourceError(f"cannot use the Microsoft tenant {tenant!r} ({one_line(exc)})") from None


def _reason(result: dict) -> str:
    text = result.get("error_description") or result.get("error") or "no reason given"
    return one_line(str(text).split("\n")[0].split(" Trace ID:")[0])


