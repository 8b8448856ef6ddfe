"""What the Google API connectors (Gmail, Calendar) share: building a service, quota, retries.

Services are built from the discovery documents shipped inside google-api-python-client (no
network call for discovery), against Google or any local emulator given as `api_endpoint`.
Every call goes through a `RateLimiter` (the per-user quota, in quota units) and `with_backoff`
(truncated exponential backoff with jitter on the errors Google says to retry); both, and the
retrying of failed batch parts, are shared with the Microsoft Graph connectors (`api_calls`).
"""
from __future__ import annotations

import json
import random
import time
import urllib.parse
from collections.abc import Callable
from typing import Any, TypeVar

import google.auth.exceptions
import googleapiclient.errors
import httplib2
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest, build_http

from connectors import SourceError, TransientSourceError, api_calls, command
from connectors.api_calls import MAX_DELAY, RETRY_TRIES, RateLimiter, backoff_delay  # noqa: F401 - shared

ANONYMOUS = "anonymous"  # credentials for a local emulator: no Authorization header at all
_RATE_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"}
# Connection faults worth another try; a refused connection or an unknown host is not retried.
_TRANSIENT = (TimeoutError, ConnectionResetError, ConnectionAbortedError, BrokenPipeError)
# What a call can fail with, besides a bug: `api_error` turns each into the one line for the user.
API_FAILURES = (googleapiclient.errors.Error, google.auth.exceptions.GoogleAuthError,
                httplib2.HttpLib2Error, OSError)

T = TypeVar("T")


def build_service(api: str, version: str, *, credentials: Any = None, api_endpoint: str | None = None,
                  http: Any = None):
    """A googleapiclient service for `api` `version` (e.g. "gmail", "v1") from the discovery
    document shipped with the client library.

    `credentials` is a google-auth credentials object (the user's OAuth token) or `ANONYMOUS` for
    an emulator; `api_endpoint` replaces Google's root URL (for Calendar it also replaces the
    `calendar/v3/` part of the path). `http` (an httplib2.Http or a test mock) replaces the
    transport and then takes no credentials.
    """
    if credentials == ANONYMOUS:
        credentials, http = None, http or build_http()
    options = {"api_endpoint": api_endpoint} if api_endpoint else None
    return build(api, version, http=http, credentials=credentials, client_options=options,
                 static_discovery=True, cache_discovery=False)


def new_batch(service, callback: Callable[[str, Any, HttpError | None], None]) -> BatchHttpRequest:
    """A batch request posted to the service's own endpoint.

    `service.new_batch_http_request()` always posts to Google's root URL, ignoring `api_endpoint`;
    this one posts to `<api_endpoint>/<batchPath>` when an endpoint was given.
    """
    document = service._rootDesc  # the client keeps the discovery document only here
    google_base = urllib.parse.urljoin(document["rootUrl"], document["servicePath"])
    root = document["rootUrl"] if service._baseUrl == google_base else service._baseUrl
    return BatchHttpRequest(callback=callback,
                            batch_uri=urllib.parse.urljoin(root, document.get("batchPath", "batch")))


def error_reasons(error: HttpError) -> set[str]:
    """The `reason`s in a Google error body: `errors[].reason` (classic) and `details[].reason`."""
    try:
        body = json.loads(error.content.decode("utf-8"))["error"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return set()
    reasons = set()
    for key in ("errors", "details"):
        items = body.get(key) if isinstance(body, dict) else None
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("reason"), str):
                reasons.add(item["reason"])
    return reasons


def is_retryable(error: BaseException) -> bool:
    """Whether Google says to retry: 429, 5xx, a 403 for a rate limit, or a dropped connection.
    Other 403s (a scope that does not allow the request, a daily limit) never succeed on retry."""
    if isinstance(error, HttpError):
        status = error.resp.status
        return status == 429 or status >= 500 or (
            status == 403 and bool(error_reasons(error) & _RATE_LIMIT_REASONS))
    return isinstance(error, _TRANSIENT)


def with_backoff(call: Callable[[], T], *, sleep: Callable[[float], None] = time.sleep,
                 tries: int | None = None, jitter: Callable[[], float] = random.random) -> T:
    """`call()`, retried with `backoff_delay` while it fails with a retryable error; after `tries`
    attempts, or on any other error, the error is raised as it is."""
    def when(error: BaseException) -> float | None | bool:
        if not isinstance(error, (HttpError, *_TRANSIENT)) or not is_retryable(error):
            return False
        return retry_after(error)
    return api_calls.with_backoff(call, retry_after=when, sleep=sleep, tries=tries or RETRY_TRIES, jitter=jitter)


def retry_after(error: BaseException) -> float | None:
    """The Retry-After of an HTTP error answer, in seconds; None when absent."""
    value = error.resp.get("retry-after") if isinstance(error, HttpError) else None
    try:
        return float(value) if value else None
    except ValueError:  # an HTTP date: rare enough to fall back to the usual delay
        return None


def api_error(api: str, error: BaseException) -> SourceError:
    """The one-line `SourceError` for an API failure that ends a run."""
    if isinstance(error, google.auth.exceptions.RefreshError) or (
            isinstance(error, HttpError) and error.resp.status == 401):
        return SourceError(f"{api}: the Google authorization has expired or was revoked "
                           f"(run `{command()} auth google` again)")
    if isinstance(error, HttpError):
        status = error.resp.status
        message = " ".join(str(error.reason or "").split()) or "no reason given"
        advice = ""
        if is_retryable(error):
            advice = " (still failing after retries; run again later, it resumes where it stopped)"
        elif status == 403:
            advice = f" (check the scopes granted: run `{command()} auth google` again)"
        kind = TransientSourceError if is_retryable(error) else SourceError
        return kind(f"{api}: request refused with HTTP {status}: {message}{advice}")
    detail = " ".join(str(error).split())
    if isinstance(error, (OSError, httplib2.HttpLib2Error)):
        return TransientSourceError(f"{api}: cannot reach the server ({type(error).__name__}: {detail})")
    return SourceError(f"{api}: unexpected answer from the server ({type(error).__name__}: {detail})")
