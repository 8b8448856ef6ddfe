"""The user's Google authorization: the OAuth installed-app flow, and the token it leaves behind.

`authorize` runs the flow once (`tiekeeper auth google`) and stores the authorized-user JSON (a
refresh token, as good as a password) outside the repository, in the XDG config folder, mode
0600. `load_credentials` reads it back for the Gmail and Calendar connectors, refreshing and
rewriting it when the access token has expired.

Scopes are the narrowest that work: `gmail.metadata` (headers and labels, no bodies) and
`calendar.readonly`, plus `gmail.send` only for sending the report through Gmail. Never
`gmail.readonly` beside `gmail.metadata`: a token holding both is treated as metadata-only by
Gmail, so it gains nothing and still rejects `q`.
"""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path

import google.auth.exceptions
import google.auth.transport.requests
import oauthlib.oauth2
import requests
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import InstalledAppFlow

from connectors import SourceError, command
from connectors.token_files import browser_available, config_folder, one_line, readable_by_others, write_private

GMAIL_METADATA = "https://www.googleapis.com/auth/gmail.metadata"
CALENDAR_READONLY = "https://www.googleapis.com/auth/calendar.readonly"
SCOPES_READ = (GMAIL_METADATA, CALENDAR_READONLY)
SCOPE_SEND = "https://www.googleapis.com/auth/gmail.send"
# Gmail scopes that must not sit beside gmail.metadata in one token (see the module docstring).
_CLASHING = ("https://www.googleapis.com/auth/gmail.readonly", "https://www.googleapis.com/auth/gmail.modify",
             "https://mail.google.com/")
REVOKE_URL = "https://myaccount.google.com/permissions"
_PROMPT = ("Open this address in a browser to let tiekeeper read your Gmail headers and calendar "
           "(Google then redirects to this machine's localhost):\n{url}")


def token_path() -> Path:
    """`$XDG_CONFIG_HOME/tiekeeper/google-token.json`, by default under `~/.config` (`config_folder`)."""
    return config_folder() / "google-token.json"


def scopes_for(*, send: bool = False) -> tuple[str, ...]:
    """The scopes `tiekeeper auth google` asks for: reading, plus sending only when asked."""
    return SCOPES_READ + (SCOPE_SEND,) if send else SCOPES_READ


def auth_command(*, send: bool = False) -> str:
    """The command that (re)creates the token, as the user types it."""
    return f"{command()} auth google --send" if send else f"{command()} auth google"


def authorize(client_secrets: Path, *, send: bool = False, open_browser: bool = True, port: int = 0) -> Path:
    """Runs the OAuth installed-app flow and stores the token at `token_path()`; returns that path.

    `client_secrets` is the JSON of an OAuth client of type "Desktop app" from the Google Cloud
    console. Google redirects to a server on localhost:`port` (0: any free port). The address to
    open is always printed; a browser is opened too when `open_browser` and one can be found.
    Raises `SourceError` (one line) when the secrets are unusable, the user refuses, or Google
    grants other scopes than asked (an unticked box on the consent screen, or an old
    `gmail.readonly` grant merged in)."""
    scopes = scopes_for(send=send)
    client_secrets = Path(client_secrets).expanduser()
    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(client_secrets), scopes=list(scopes))
    except FileNotFoundError:
        raise SourceError(f"{client_secrets}: no such file; download the JSON of an OAuth client of type "
                          f"\"Desktop app\" from the Google Cloud console (APIs & Services > Credentials)") from None
    except (ValueError, KeyError, UnicodeDecodeError) as exc:  # json.JSONDecodeError is a ValueError
        raise SourceError(f"{client_secrets}: not the client secrets JSON of a \"Desktop app\" OAuth client "
                          f"({one_line(exc)})") from None
    if open_browser and not browser_available():
        open_browser = False
    try:
        with _scope_changes_allowed():
            credentials = flow.run_local_server(host="localhost", port=port, open_browser=open_browser,
                                                authorization_prompt_message=_PROMPT, prompt="consent")
    except oauthlib.oauth2.OAuth2Error as exc:
        raise SourceError(f"Google did not authorize tiekeeper ({one_line(exc.description or exc.error)}); "
                          f"run `{auth_command(send=send)}` again and allow access") from None
    except requests.exceptions.RequestException as exc:
        raise SourceError(f"cannot reach Google to finish the authorization ({one_line(exc)}); "
                          f"check the network and run `{auth_command(send=send)}` again") from None
    except OSError as exc:
        where = f"localhost:{port}" if port else "localhost"
        raise SourceError(f"cannot listen on {where} for Google's redirect ({one_line(exc)})") from None
    _check_granted(credentials.granted_scopes or scopes, scopes, send=send)
    if not credentials.refresh_token:
        raise SourceError(f"Google returned no refresh token; revoke tiekeeper's access at {REVOKE_URL} "
                          f"and run `{auth_command(send=send)}` again")
    path = token_path()
    _write_token(path, credentials, granted=credentials.granted_scopes or scopes)
    return path


def load_credentials(*, need_send: bool = False) -> Credentials:
    """The stored Google credentials, with a fresh access token.

    An expired access token is refreshed and the token file rewritten. Raises `SourceError` (one
    line naming the command to run) when there is no token, it lacks a scope the caller needs
    (`gmail.send` when `need_send`), Google refuses the refresh (revoked or expired), or the file
    is readable by other users: that is refused, not fixed, since the token may already have
    been copied; the user checks, runs `chmod 600`, and revokes if in doubt."""
    path = token_path()
    try:
        mode = readable_by_others(path)
    except FileNotFoundError:
        raise SourceError(f"{path}: no Google authorization yet; run `{auth_command(send=need_send)}`") from None
    if mode is not None:
        raise SourceError(f"{path}: readable by other users (mode {mode:04o}); this token is a password: "
                          f"run `chmod 600 {path}` (and if someone may have copied it, revoke it at {REVOKE_URL})")
    try:
        credentials = Credentials.from_authorized_user_file(str(path))
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: not a Google authorization tiekeeper can use ({one_line(exc)}); "
                          f"run `{auth_command(send=need_send)}` again") from None
    granted = set(credentials.scopes or ())
    send = need_send or SCOPE_SEND in granted  # re-authorizing must not drop a send scope held
    missing = [scope for scope in scopes_for(send=need_send) if scope not in granted]
    if missing:
        raise SourceError(f"{path}: the Google authorization lacks {', '.join(map(_short, missing))}; "
                          f"run `{auth_command(send=send)}` again")
    if not credentials.valid:
        try:
            credentials.refresh(google.auth.transport.requests.Request())
        except google.auth.exceptions.RefreshError as exc:
            raise SourceError(f"{path}: the Google authorization has expired or was revoked ({_reason(exc)}); "
                              f"run `{auth_command(send=send)}` again") from None
        except google.auth.exceptions.TransportError as exc:
            raise SourceError(f"cannot reach Google to refresh the authorization ({_reason(exc)}); "
                              f"check the network and run again") from None
        _write_token(path, credentials, granted=credentials.scopes)
    return credentials


def _check_granted(granted, asked: tuple[str, ...], *, send: bool) -> None:
    """Refuses a grant that lacks an asked scope or holds one that spoils `gmail.metadata`."""
    granted = set(granted.split() if isinstance(granted, str) else granted)
    missing = [scope for scope in asked if scope not in granted]
    if missing:
        raise SourceError(f"Google granted no access to {', '.join(map(_short, missing))} (a box left unticked?); "
                          f"run `{auth_command(send=send)}` again and allow all that it asks for")
    clashing = sorted(granted & set(_CLASHING))
    if clashing:
        raise SourceError(f"this Google account also granted {', '.join(map(_short, clashing))} to this client, "
                          f"which spoils gmail.metadata; revoke the client's access at {REVOKE_URL} "
                          f"and run `{auth_command(send=send)}` again")


def _write_token(path: Path, credentials: Credentials, *, granted) -> None:
    """Writes the authorized-user JSON, readable by the user alone (`write_private`)."""
    info = json.loads(credentials.to_json())
    info["scopes"] = sorted(granted)  # what Google granted, not what was asked
    write_private(path, json.dumps(info, indent=2) + "\n", what="Google authorization")


@contextmanager
def _scope_changes_allowed():
    """Lets oauthlib accept a grant whose scopes differ from those asked, which it otherwise
    rejects with a bare `Warning`, so that `_check_granted` can say what differs."""
    previous = os.environ.get("OAUTHLIB_RELAX_TOKEN_SCOPE")
    os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("OAUTHLIB_RELAX_TOKEN_SCOPE", None)
        else:
            os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = previous



def _short(scope: str) -> str:
    return scope.rsplit("/", 1)[-1] or scope


def _reason(error: google.auth.exceptions.GoogleAuthError) -> str:
    """google-auth errors carry the message first and the server's answer after it."""
    return one_line(error.args[0] if error.args else error)

