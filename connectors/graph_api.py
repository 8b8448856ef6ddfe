"""Microsoft Graph for the Outlook connectors: plain GETs and `$batch`, within the mailbox's limits.

Graph's documented limits for Outlook (mail and calendar) are per app and mailbox: 10,000 requests
in 10 minutes and 4 requests at once. `GraphClient` sends one HTTP request at a time, paces every
request (each part of a batch counts) with a `RateLimiter`, and chains the parts of a `$batch` with
`dependsOn` into at most `MAX_IN_FLIGHT` chains, so no more than 4 of them run at once. 429 and
503/504 (and other 5xx, and dropped connections) are retried after the server's Retry-After, else
with exponential backoff; a batch's failed parts come back as `Retry` for the caller to send again
in its next batch (`api_calls.retry_in_batches`).

`root` is Graph's `https://graph.microsoft.com/v1.0`, or a local emulator's URL ending in `/v1.0`;
`token()` gives the access token (None: an emulator, no Authorization header).
"""
from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import requests

from connectors import SourceError, TransientSourceError
from connectors.api_calls import RETRY_TRIES, RateLimiter, Retry, with_backoff
from connectors.records import Address

GRAPH_ROOT = "https://graph.microsoft.com/v1.0"
MAX_BATCH = 20  # Graph's limit of requests in one $batch
MAX_IN_FLIGHT = 4  # Outlook's limit of concurrent requests per app and mailbox
REQUESTS_PER_SECOND = 16.0  # just under Outlook's 10,000 requests per 10 minutes per app and mailbox
TIMEOUT = (10, 120)  # connect, read (seconds)
REAUTHORIZE = "run `tiekeeper auth microsoft` again"
_RETRYABLE = {424, 429, 500, 502, 503, 504}  # 424: a batch part whose predecessor in its chain failed
_FRACTION = re.compile(r"(\.\d{6})\d+")  # Graph writes 7 fractional digits; Python reads 6


class GraphError(Exception):
    """An error answer from Graph: the HTTP status, Graph's error code and message."""

    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None):
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after

    @property
    def retryable(self) -> bool:
        return self.status in _RETRYABLE


class Answer(NamedTuple):
    """One batch part's answer."""

    status: int
    body: dict


class GraphClient:
    def __init__(self, root: str, token: Callable[[], str] | None, *, limiter: RateLimiter | None = None,
                 sleep: Callable[[float], None] = time.sleep, session: requests.Session | None = None):
        self.root = root.rstrip("/")
        self.token = token
        self.limiter = limiter or RateLimiter(REQUESTS_PER_SECOND)
        self.sleep = sleep
        self.session = session or requests.Session()

    def absolute(self, url: str) -> str:
        return url if url.startswith(("http://", "https://")) else self.root + url

    def relative(self, url: str) -> str:
        """A URL as a batch part names it: relative to the version root (`/me/...`)."""
        if url.startswith(self.root):
            return url[len(self.root):]
        if url.startswith(("http://", "https://")):  # Graph's own links name graph.microsoft.com
            return "/" + url.split("/v1.0/", 1)[1] if "/v1.0/" in url else url
        return url

    def get(self, url: str, headers: dict | None = None) -> dict:
        """The JSON answer of GET `url` (absolute, or relative to the root), retried while it fails
        transiently; a `GraphError` otherwise."""
        return self._retrying(lambda: self._send("GET", self.absolute(url), headers=headers, units=1))

    def batch(self, parts: list[tuple[str, str, dict | None]]) -> dict[str, Answer | Retry]:
        """One `$batch` of GET parts `(id, url, headers)`: each part's `Answer`, or a `Retry` when
        it failed transiently. The whole batch is sent again while it fails transiently."""
        if not 1 <= len(parts) <= MAX_BATCH:
            raise ValueError(f"a batch holds 1 to {MAX_BATCH} requests")
        requests_ = []
        for n, (part_id, url, headers) in enumerate(parts):
            request = {"id": part_id, "method": "GET", "url": self.relative(url)}
            if headers:
                request["headers"] = headers
            if n >= MAX_IN_FLIGHT:  # chains of parts: at most MAX_IN_FLIGHT run at once
                request["dependsOn"] = [parts[n - MAX_IN_FLIGHT][0]]
            requests_.append(request)
        body = self._retrying(lambda: self._send("POST", self.root + "/$batch", json_body={"requests": requests_},
                                                 units=len(parts)))
        answers: dict[str, Answer | Retry] = {}
        for response in body.get("responses", []):
            status = int(response.get("status", 500))
            payload = response.get("body") if isinstance(response.get("body"), dict) else {}
            if status in _RETRYABLE:
                answers[response["id"]] = Retry(_error(status, payload, response.get("headers") or {}),
                                                _seconds((response.get("headers") or {}).get("Retry-After")))
            else:
                answers[response["id"]] = Answer(status, payload)
        for part_id, _, _ in parts:  # a part the server did not answer is sent again
            answers.setdefault(part_id, Retry(GraphError(500, "missingPart", "no answer in the batch")))
        return answers

    def _retrying(self, call: Callable[[], Any]) -> Any:
        def when(error: BaseException) -> float | None | bool:
            if isinstance(error, GraphError):
                return error.retry_after if error.retryable else False
            return None if isinstance(error, (requests.ConnectionError, requests.Timeout)) else False
        return with_backoff(call, retry_after=when, sleep=self.sleep, tries=RETRY_TRIES)

    def _send(self, method: str, url: str, *, headers: dict | None = None, json_body: dict | None = None,
              units: int) -> dict:
        self.limiter.acquire(units)
        all_headers = {"Accept": "application/json", **(headers or {})}
        if self.token is not None:
            all_headers["Authorization"] = f"Bearer {self.token()}"
        response = self.session.request(method, url, headers=all_headers, json=json_body, timeout=TIMEOUT)
        try:
            payload = response.json() if response.content else {}
        except ValueError:
            payload = {}
        if response.status_code >= 400:
            raise _error(response.status_code, payload if isinstance(payload, dict) else {}, response.headers)
        return payload


def _error(status: int, payload: dict, headers) -> GraphError:
    error = payload.get("error") if isinstance(payload.get("error"), dict) else {}
    return GraphError(status, str(error.get("code") or "unknown"), " ".join(str(error.get("message") or "").split()),
                      _seconds(headers.get("Retry-After") if hasattr(headers, "get") else None))


def _seconds(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def graph_error(api: str, error: BaseException) -> SourceError:
    """The one-line `SourceError` for a Graph failure that ends a run."""
    if isinstance(error, GraphError):
        if error.status == 401:
            return SourceError(f"{api}: the Microsoft authorization has expired or was revoked ({REAUTHORIZE})")
        if error.status == 403:
            return SourceError(f"{api}: request refused with HTTP 403 {error.code}: "
                               f"{error.message or 'no reason given'} "
                               f"(check the permissions granted: {REAUTHORIZE})")
        if error.retryable:
            return TransientSourceError(f"{api}: request refused with HTTP {error.status} {error.code} (still failing "
                                        f"after retries; run again later, it resumes where it stopped)")
        return SourceError(f"{api}: request refused with HTTP {error.status} {error.code}: "
                           f"{error.message or 'no reason given'}")
    if isinstance(error, requests.RequestException):
        detail = " ".join(str(error).split())
        return TransientSourceError(f"{api}: cannot reach the server ({type(error).__name__}: {detail})")
    return SourceError(f"{api}: unexpected answer from the server ({type(error).__name__}: "
                       f"{' '.join(str(error).split())})")


GRAPH_FAILURES = (GraphError, requests.RequestException, json.JSONDecodeError)


def graph_address(recipient: dict | None) -> Address | None:
    """A Graph recipient (`{"emailAddress": {"name", "address"}}`) as an `Address`; None for an
    Exchange-internal address (a legacy DN such as /O=EXCHANGELABS/...), which is no e-mail address."""
    email = ((recipient or {}).get("emailAddress") or {})
    address = (email.get("address") or "").strip().lower()
    local, at, domain = address.rpartition("@")
    if not (local and at and domain) or address.startswith("/o="):
        return None
    return Address(address, (email.get("name") or "").strip() or None)


def graph_addresses(recipients: list | None) -> list[Address]:
    return [a for a in (graph_address(r) for r in recipients or []) if a is not None]


def graph_instant(text: str | None) -> dt.datetime | None:
    """A Graph DateTimeOffset (`2025-01-06T09:00:00Z`, up to 7 fractional digits) as an aware UTC
    datetime; a time without an offset is UTC. Raises ValueError when unreadable."""
    if not text:
        return None
    value = dt.datetime.fromisoformat(_FRACTION.sub(r"\1", text).replace("Z", "+00:00"))
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)
