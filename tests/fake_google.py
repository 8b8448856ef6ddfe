"""A local fake of the Gmail v1 and Calendar v3 APIs, for end-to-end, fault and speed tests.

Stdlib only. It answers the requests google-api-python-client makes when a service is built with
`client_options={"api_endpoint": url}` (`connectors.google_api.build_service(..., api_endpoint=url,
credentials="anonymous")`), batch requests included:

    with FakeGoogle(messages=synthetic_messages(120)) as url:      # "http://127.0.0.1:<port>/"
        gmail = build_service("gmail", "v1", credentials="anonymous", api_endpoint=url)

Paths served (the client puts `gmail/v1/` after the endpoint for Gmail, and nothing for Calendar:
there `api_endpoint` replaces `calendar/v3/`; both forms are accepted for Calendar):

- GET  gmail/v1/users/me/profile
- GET  gmail/v1/users/me/labels                   every label a message carries (system ones typed "system")
- GET  gmail/v1/users/me/messages                 maxResults (<= 500), pageToken, labelIds, includeSpamTrash
- GET  gmail/v1/users/me/messages/{id}            format=metadata|minimal, metadataHeaders (repeated)
- GET  gmail/v1/users/me/history                  startHistoryId, historyTypes, labelId, maxResults, pageToken
- POST batch (also batch/gmail/v1, batch/calendar/v3): multipart/mixed of application/http parts
- GET  [calendar/v3/]calendars/{calendarId}/events  singleEvents, maxResults (<= 2500), pageToken,
       timeMin, timeMax, showDeleted, orderBy=startTime, syncToken

Faults: a quota in units per second (token bucket) answered with 429 rateLimitExceeded, per batch
part or for the whole batch; `fail_next` injects 5xx (or any status) for the next N calls;
`fault_rate` fails that share of all calls (batch parts included) at random with 500 or 429; any `q`
parameter is refused with 403 as the gmail.metadata scope does. Every call is counted per endpoint.

Run it by hand (e.g. for the speed benchmark):

    python -m tests.fake_google --port 8765 --messages 1000 --events 200 --quota 250
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import email.parser
import email.policy
import email.utils
import itertools
import json
import random
import socket
import threading
import time
import urllib.parse
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OWNER = "me@example.com"
UTC = dt.timezone.utc

# Quota units per call (Gmail's "Usage limits"); a batch costs the sum of its parts, the POST nothing.
DEFAULT_UNITS = {"profile": 1, "labels.list": 1, "messages.list": 5, "messages.get": 5, "history.list": 2,
                 "events.list": 1}
ENDPOINTS = ("profile", "labels.list", "messages.list", "messages.get", "history.list", "events.list", "batch")
MAX_BATCH_PARTS = 100  # Gmail's server limit
HISTORY_TYPES = ("messageAdded", "messageDeleted", "labelAdded", "labelRemoved")
_HISTORY_KEY = {"messageAdded": "messagesAdded", "messageDeleted": "messagesDeleted",
                "labelAdded": "labelsAdded", "labelRemoved": "labelsRemoved"}
_STATUS_NAME = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 410: "GONE",
                429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "UNAVAILABLE", 503: "UNAVAILABLE",
                504: "DEADLINE_EXCEEDED"}
_REASON_PHRASE = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 410: "Gone",
                  429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
                  503: "Service Unavailable", 504: "Gateway Timeout"}


class ApiError(Exception):
    """An error answer in Google's JSON shape."""

    def __init__(self, status: int, message: str, reason: str, *, domain: str = "global",
                 extra: dict | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.reason, self.domain = status, message, reason, domain
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self) -> dict:
        item = {"message": self.message, "domain": self.domain, "reason": self.reason, **self.extra}
        return {"error": {"code": self.status, "message": self.message, "errors": [item],
                          "status": _STATUS_NAME.get(self.status, "UNKNOWN")}}


def _fault(status: int, reason: str | None = None) -> ApiError:
    if status == 429 or reason in ("rateLimitExceeded", "userRateLimitExceeded"):
        return ApiError(status, "Too many concurrent requests for user.", reason or "rateLimitExceeded")
    if status == 503:
        return ApiError(503, "The service is currently unavailable.", reason or "backendError")
    if status >= 500:
        return ApiError(status, "Internal error encountered.", reason or "backendError")
    return ApiError(status, f"Injected error {status}.", reason or "injected")


# --- synthetic data ----------------------------------------------------------------------------

_FIRST = ["Anna", "Jörg", "Chloé", "Ravi", "Mei", "Olu", "Sven", "María", "Tom", "Zoë", "Ahmed", "Kim"]
_LAST = ["Schmidt", "Dubois", "Patel", "Chen", "Okafor", "Larsen", "García", "Brown", "Novak", "Ito"]
_TOPICS = ["Quarterly plan", "Lunch next week?", "Draft contract", "Intro: data team", "Offsite agenda",
           "Invoice 2291", "Your feedback", "Hiring update", "Café meetup", "Slides for Monday"]


def _encode_name(name: str) -> str:
    """An RFC 2047 encoded-word for a non-ASCII display name, as Gmail leaves it (undecoded)."""
    if name.isascii():
        return f'"{name}"' if "," in name else name
    return email.utils.formataddr((name, "x@x"), charset="utf-8").rsplit(" <", 1)[0]


def _address(name: str, addr: str) -> str:
    return f"{_encode_name(name)} <{addr}>"


def make_message(id: str, *, thread_id: str | None = None, subject: str = "Hello",
                 sender: str = "Anna Schmidt <anna.schmidt@example.org>", to: str | list[str] = OWNER,
                 cc: str | list[str] | None = None, date: dt.datetime | None = None,
                 message_id: str | None = None, in_reply_to: str | None = None,
                 references: str | None = None, labels: Iterable[str] = ("INBOX",),
                 extra_headers: Iterable[tuple[str, str]] = (), history_id: int | None = None,
                 internal_date: int | None = None, size_estimate: int = 2048) -> dict:
    """A Gmail message resource (the form `messages.get?format=full` would give, without a body).

    `id` and `thread_id` are hex strings; `date` (aware) gives both the Date header and
    `internalDate`; header values are kept exactly as given (RFC 2047 words are not decoded)."""
    date = date or dt.datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    to_list = [to] if isinstance(to, str) else list(to)
    headers = [("Delivered-To", OWNER), ("Date", email.utils.format_datetime(date)), ("From", sender),
               ("To", ", ".join(to_list))]
    if cc:
        headers.append(("Cc", cc if isinstance(cc, str) else ", ".join(cc)))
    headers += [("Subject", subject), ("Message-ID", message_id or f"<{id}@mail.example.org>")]
    if in_reply_to:
        headers.append(("In-Reply-To", in_reply_to))
    if references or in_reply_to:
        headers.append(("References", references or in_reply_to))
    headers += list(extra_headers)
    headers.append(("MIME-Version", "1.0"))
    message = {
        "id": id, "threadId": thread_id or id, "labelIds": list(labels),
        "internalDate": str(internal_date if internal_date is not None else int(date.timestamp() * 1000)),
        "sizeEstimate": size_estimate,
        "payload": {"partId": "", "mimeType": "multipart/alternative", "filename": "",
                    "headers": [{"name": n, "value": v} for n, v in headers]},
    }
    if history_id is not None:
        message["historyId"] = str(history_id)
    return message


# Takeout's label names of Gmail's system labels (the API gives their ids).
TAKEOUT_LABEL_IDS = {"Inbox": "INBOX", "Sent": "SENT", "Spam": "SPAM", "Trash": "TRASH", "Unread": "UNREAD",
                     "Important": "IMPORTANT", "Starred": "STARRED", "Draft": "DRAFT",
                     "Category Personal": "CATEGORY_PERSONAL", "Category Social": "CATEGORY_SOCIAL",
                     "Category Promotions": "CATEGORY_PROMOTIONS", "Category Updates": "CATEGORY_UPDATES",
                     "Category Forums": "CATEGORY_FORUMS"}


def message_from_mbox(msg, *, labels: Iterable[str] | None = None) -> dict:
    """A message resource for a Takeout mbox message (`mailbox.mboxMessage`): the decimal id of its
    From_ line and X-GM-THRID become hex ids, its headers (except Takeout's X-GM-*/X-Gmail-*) are kept."""
    from_line = msg.get_from() or ""
    decimal_id = from_line.split("@", 1)[0].split()[0] if from_line else ""
    if not decimal_id.isdigit():
        raise ValueError(f"no Gmail id in the From_ line {from_line!r}")
    thread = (msg.get("X-GM-THRID") or decimal_id).strip()
    if labels is None:
        names = [n.strip() for n in (msg.get("X-Gmail-Labels") or "").split(",") if n.strip()]
        labels = [TAKEOUT_LABEL_IDS.get(n, n) for n in names if n not in ("Opened", "Archived")]
    headers = [{"name": k, "value": str(v)} for k, v in msg.items()
               if not k.lower().startswith(("x-gm-", "x-gmail-"))]
    try:  # Gmail's internalDate is when it accepted the message; a broken Date says nothing of it
        parsed = email.utils.parsedate_to_datetime(msg["Date"]) if msg.get("Date") else None
    except (TypeError, ValueError):
        parsed = None
    millis = int(parsed.timestamp() * 1000) if parsed is not None and parsed.tzinfo else 0
    return {"id": format(int(decimal_id), "x"), "threadId": format(int(thread), "x"), "labelIds": list(labels),
            "internalDate": str(millis), "sizeEstimate": len(msg.as_bytes()),
            "payload": {"partId": "", "mimeType": msg.get_content_type(), "filename": "", "headers": headers}}


def synthetic_messages(n: int, *, seed: int = 0, start: dt.datetime = dt.datetime(2024, 1, 1, tzinfo=UTC)
                       ) -> list[dict]:
    """`n` deterministic messages, oldest first: threads of 1-4 messages, some sent by the owner,
    some newsletters (List-Id), some with encoded names and Cc; ids are 16-digit hex, increasing."""
    rng = random.Random(seed)
    messages: list[dict] = []
    base = 0x18C0000000000000 + seed * 0x100000000000
    when = start
    thread: dict[str, Any] | None = None
    for i in range(n):
        hex_id = format(base + (i + 1) * 0x10000 + rng.randrange(0x10000), "x")
        when += dt.timedelta(minutes=rng.randrange(5, 600))
        person = (f"{rng.choice(_FIRST)} {rng.choice(_LAST)}")
        addr = person.lower().replace(" ", ".").encode("ascii", "ignore").decode() + "@example.org"
        if thread is None or thread["left"] == 0:
            thread = {"id": hex_id, "subject": rng.choice(_TOPICS) + f" #{i}", "left": rng.randrange(0, 4),
                      "last": None, "refs": [], "peer": _address(person, addr)}
            subject, in_reply_to, refs = thread["subject"], None, None
        else:
            thread["left"] -= 1
            subject = "Re: " + thread["subject"]
            in_reply_to, refs = thread["last"], " ".join(thread["refs"])
        sent = rng.random() < 0.3
        newsletter = not sent and rng.random() < 0.1
        mid = f"<m{i}.s{seed}@{'example.com' if sent else 'example.org'}>"
        extra = []
        if newsletter:
            extra = [("List-Id", "Weekly digest <digest.example.net>"),
                     ("List-Unsubscribe", "<mailto:unsub@example.net>"), ("Precedence", "bulk")]
        message = make_message(
            hex_id, thread_id=thread["id"], subject=subject,
            sender=_address("Me Myself", OWNER) if sent else thread["peer"],
            to=thread["peer"] if sent else _address("Me Myself", OWNER),
            cc=_address("Kim Ito", "kim.ito@example.org") if rng.random() < 0.2 else None,
            date=when, message_id=mid, in_reply_to=in_reply_to, references=refs or None,
            labels=["SENT"] if sent else (["INBOX", "CATEGORY_UPDATES"] if newsletter else
                                          ["INBOX", "CATEGORY_PERSONAL"] + (["UNREAD"] if rng.random() < 0.3 else [])),
            extra_headers=extra, size_estimate=rng.randrange(800, 90000))
        thread["last"] = mid
        thread["refs"].append(mid)
        messages.append(message)
    return messages


def make_event(id: str, *, summary: str = "Meeting", start: dt.datetime | dt.date,
               end: dt.datetime | dt.date | None = None, time_zone: str | None = "Europe/Berlin",
               attendees: Iterable[str | dict] = (),
               organizer: str = OWNER, status: str = "confirmed", ical_uid: str | None = None,
               sequence: int = 0, **fields: Any) -> dict:
    """A Calendar event resource: `start`/`end` datetimes (aware) give a timed event, dates an
    all-day one (`end` exclusive, default the next day); attendees are e-mails or attendee dicts."""
    def when(value):
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                raise ValueError("event times must be timezone-aware")
            out = {"dateTime": value.isoformat()}
            if time_zone:
                out["timeZone"] = time_zone
            return out
        return {"date": value.isoformat()}
    if end is None:
        end = start + (dt.timedelta(hours=1) if isinstance(start, dt.datetime) else dt.timedelta(days=1))
    event = {"kind": "calendar#event", "id": id, "status": status, "summary": summary,
             "start": when(start), "end": when(end), "iCalUID": ical_uid or f"{id}@google.com",
             "sequence": sequence, "eventType": "default",
             "creator": {"email": organizer},
             "organizer": {"email": organizer, **({"self": True} if organizer == OWNER else {})}}
    people = [{"email": a, "responseStatus": "needsAction"} if isinstance(a, str) else dict(a) for a in attendees]
    if people:
        event["attendees"] = people
    event.update(fields)
    return event


def recurring_instances(master_id: str, *, summary: str, first_start: dt.datetime, duration: dt.timedelta,
                        count: int, every: dt.timedelta = dt.timedelta(weeks=1), time_zone: str = "Europe/Berlin",
                        attendees: Iterable[str | dict] = (), organizer: str = OWNER) -> list[dict]:
    """The instances `singleEvents=true` gives for a series: ids `<master>_<YYYYMMDDTHHMMSSZ>`, one
    iCalUID, `recurringEventId` and `originalStartTime` on each."""
    zone = zoneinfo.ZoneInfo(time_zone)
    local = first_start.astimezone(zone)
    out = []
    for k in range(count):
        start = (local.replace(tzinfo=None) + every * k).replace(tzinfo=zone)  # wall-clock recurrence
        stamp = start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        event = make_event(f"{master_id}_{stamp}", summary=summary, start=start, end=start + duration,
                           time_zone=time_zone, attendees=attendees, organizer=organizer,
                           ical_uid=f"{master_id}@google.com", recurringEventId=master_id,
                           originalStartTime={"dateTime": start.isoformat(), "timeZone": time_zone})
        out.append(event)
    return out


def synthetic_events(n: int, *, seed: int = 0, start: dt.date = dt.date(2025, 1, 6),
                     time_zone: str = "Europe/Berlin") -> list[dict]:
    """About `n` deterministic events: timed ones with attendees, all-day ones, and one weekly
    series of 10 instances for every 25 events."""
    rng = random.Random(seed)
    zone = zoneinfo.ZoneInfo(time_zone)
    events: list[dict] = []
    i = 0
    while len(events) < n:
        day = start + dt.timedelta(days=i // 3)
        if i % 25 == 0 and n - len(events) >= 10:
            first = dt.datetime.combine(day, dt.time(10, 0), tzinfo=zone)
            events += recurring_instances(f"series{seed}x{i}", summary=f"Weekly sync {i}", first_start=first,
                                          duration=dt.timedelta(minutes=30), count=10, time_zone=time_zone,
                                          attendees=[f"peer{i % 7}@example.org"])
        elif i % 7 == 3:
            events.append(make_event(f"allday{seed}x{i}", summary=f"Conference {i}", start=day,
                                     end=day + dt.timedelta(days=rng.randrange(1, 3))))
        else:
            begin = dt.datetime.combine(day, dt.time(rng.randrange(8, 18), rng.choice([0, 30])), tzinfo=zone)
            people = [{"email": f"{rng.choice(_FIRST).lower()}.{k}@example.org".encode("ascii", "ignore").decode(),
                       "responseStatus": rng.choice(["accepted", "declined", "tentative", "needsAction"])}
                      for k in range(rng.randrange(0, 4))]
            events.append(make_event(f"event{seed}x{i}", summary=f"Meeting {i}", start=begin,
                                     end=begin + dt.timedelta(minutes=rng.choice([30, 45, 60])),
                                     time_zone=time_zone, attendees=people))
        i += 1
    return events[:n] if len(events) > n else events


# --- the fake ----------------------------------------------------------------------------------

class _Calendar:
    def __init__(self, summary: str, time_zone: str):
        self.summary, self.time_zone = summary, time_zone
        self.events: dict[str, dict] = {}
        self.changed: dict[str, int] = {}  # event id -> change sequence of its last change


class LoopbackServer:
    """Serves `handle_http(method, target, headers, body)` on 127.0.0.1 from a background thread."""

    host: str
    port: int
    _server = None
    _thread = None

    def start(self) -> str:
        """Starts serving on a background thread; returns the base URL."""
        fake = self

        class Handler(_Handler):
            pass
        Handler.fake = fake
        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=type(self).__name__, daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = self._thread = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class FakeGoogle(LoopbackServer):
    """The fake server and its data. Use it as a context manager (`with FakeGoogle(...) as url:`)
    or `start()` / `stop()`. All methods are thread-safe.

    - `messages`: message resources (`make_message`, `synthetic_messages`, `message_from_mbox`);
      those without a historyId get increasing ones. `history_start` is the first historyId.
    - `calendars`: {calendar id: list of events} (`make_event`, `recurring_instances`,
      `synthetic_events`); every calendar has summary = its id and time zone `calendar_time_zone`.
    - `quota`: units per second (None: unlimited), `burst` the bucket size (default one second's
      worth, full at start), `units` overrides `DEFAULT_UNITS`; `quota_mode` "parts" answers 429 to
      the batch parts over quota, "whole" answers 429 to the whole batch if its parts do not all fit.
      `retry_after` adds a Retry-After header (seconds) to 429 answers.
    - `clock`: the bucket's clock (a test can share a fake clock with the connector's sleep).
    - `metadata_scope`: refuse `q` (and format=full/raw) as the gmail.metadata scope does.
    - `max_page_size`: pages of every list endpoint hold at most this many items, whatever
      maxResults asks (to exercise paging with few items).
    - `fault_rate`: the share of calls (plain requests and batch parts, not the batch POST) that
      fail at random, half with 500 backendError, half with 429 rateLimitExceeded (`fault_seed`).
    """

    def __init__(self, *, messages: Iterable[dict] = (), calendars: dict[str, Iterable[dict]] | None = None,
                 calendar_time_zone: str = "Europe/Berlin", history_start: int = 100000,
                 quota: float | None = None, burst: float | None = None, units: dict | None = None,
                 quota_mode: str = "parts", retry_after: float | None = None,
                 clock: Callable[[], float] = time.monotonic, metadata_scope: bool = True,
                 max_page_size: int | None = None, fault_rate: float = 0.0, fault_seed: int = 0,
                 host: str = "127.0.0.1", port: int = 0):
        if quota_mode not in ("parts", "whole"):
            raise ValueError("quota_mode is 'parts' or 'whole'")
        self._lock = threading.RLock()
        self.host, self.port = host, port
        self.metadata_scope = metadata_scope
        self.max_page_size = max_page_size
        self.units = {**DEFAULT_UNITS, **(units or {})}
        self.quota_mode, self.retry_after = quota_mode, retry_after
        self._clock = clock
        self.set_quota(quota, burst)
        self._hid = history_start
        self.messages: dict[str, dict] = {}
        for message in messages:
            message = copy.deepcopy(message)
            if "historyId" not in message:
                self._hid += 1
                message["historyId"] = str(self._hid)
            else:
                self._hid = max(self._hid, int(message["historyId"]))
            self.messages[message["id"]] = message
        self.history: list[dict] = []  # entries with "id" (str) and one of the _HISTORY_KEY lists
        self.oldest_history_id = self._hid  # startHistoryId below this: 404
        self._cal_seq = 0
        self.calendars: dict[str, _Calendar] = {}
        for calendar_id, events in (calendars or {}).items():
            self.add_calendar(calendar_id, time_zone=calendar_time_zone)
            for event in events:
                self.add_event(calendar_id, event)
        self._sync_tokens: dict[str, tuple[str, int]] = {}
        self._pages: dict[str, tuple] = {}
        self._tokens = itertools.count(1)
        self._faults: list[dict] = []
        self.fault_rate = fault_rate
        self._fault_rng = random.Random(fault_seed)
        self._fresh = itertools.count(1)
        self.reset_stats()

    # -- stats and faults ---------------------------------------------------------------------

    def reset_stats(self) -> None:
        """Zeroes `counts`, `http_requests` and `log`."""
        with self._lock:
            self.counts: Counter = Counter()  # calls per endpoint name; batch parts counted by their own
            self.http_requests = 0  # HTTP requests received (a batch is one)
            self.log: list[dict] = []  # {"endpoint","method","path","status","in_batch"} per call

    def calls(self, endpoint: str | None = None) -> int:
        """HTTP requests received (endpoint None), or calls of one endpoint (batch parts included)."""
        with self._lock:
            return self.http_requests if endpoint is None else self.counts[endpoint]

    def fail_next(self, n: int, status: int = 503, *, endpoint: str | None = None, reason: str | None = None) -> None:
        """The next `n` calls answer `status` (a Google error body, `reason` in errors[]).

        `endpoint` None: the next n HTTP requests whatever they are (a batch fails whole);
        an endpoint name (`ENDPOINTS`): the next n calls of it, batch parts included."""
        with self._lock:
            self._faults.append({"left": n, "status": status, "endpoint": endpoint, "reason": reason})

    def set_quota(self, units_per_second: float | None, burst: float | None = None) -> None:
        """Sets (None: removes) the quota; the bucket starts full."""
        with self._lock:
            self.quota = units_per_second
            self._burst = (burst if burst is not None else units_per_second) or 0.0
            self._bucket = self._burst
            self._bucket_at = self._clock()

    # -- Gmail mutations ----------------------------------------------------------------------

    def _next_history(self) -> int:
        self._hid += 1 + next(self._fresh) % 3  # increasing, not contiguous, like Gmail's
        return self._hid

    @property
    def history_id(self) -> int:
        return self._hid

    def add_message(self, message: dict | None = None, **fields: Any) -> dict:
        """Adds a message (a resource, or `make_message(**fields)` with a fresh id when `id` is not
        given) and records a messageAdded history entry. Returns the stored resource."""
        with self._lock:
            if message is None:
                fields.setdefault("id", format(0x19A0000000000000 + next(self._fresh) * 0x10001, "x"))
                fields.setdefault("date", dt.datetime(2025, 6, 1, tzinfo=UTC) + dt.timedelta(minutes=next(self._fresh)))
                message = make_message(**fields)
            message = copy.deepcopy(message)
            if message["id"] in self.messages:
                raise ValueError(f"message {message['id']} exists")
            hid = self._next_history()
            message["historyId"] = str(hid)
            self.messages[message["id"]] = message
            self.history.append({"id": str(hid), "messages": [_ref(message)],
                                 "messagesAdded": [{"message": _ref(message, labels=True)}]})
            return copy.deepcopy(message)

    def change_labels(self, message_id: str, add: Iterable[str] = (), remove: Iterable[str] = ()) -> None:
        """Adds and removes labels, recording labelAdded / labelRemoved history entries."""
        with self._lock:
            message = self.messages[message_id]
            add = [x for x in add if x not in message["labelIds"]]
            remove = [x for x in remove if x in message["labelIds"]]
            for kind, labels in (("labelsAdded", add), ("labelsRemoved", remove)):
                if not labels:
                    continue
                if kind == "labelsAdded":
                    message["labelIds"] += labels
                else:
                    message["labelIds"] = [x for x in message["labelIds"] if x not in labels]
                hid = self._next_history()
                message["historyId"] = str(hid)
                self.history.append({"id": str(hid), "messages": [_ref(message)],
                                     kind: [{"message": _ref(message, labels=True), "labelIds": labels}]})

    def delete_message(self, message_id: str) -> None:
        """Deletes a message for good (messages.get then answers 404); records messageDeleted."""
        with self._lock:
            message = self.messages.pop(message_id)
            hid = self._next_history()
            self.history.append({"id": str(hid), "messages": [_ref(message)],
                                 "messagesDeleted": [{"message": _ref(message)}]})

    def expire_history(self) -> None:
        """Forgets all history: every historyId handed out so far answers 404 in history.list.
        (The historyId moves on by one, so a profile read afterwards gives a valid one.)"""
        with self._lock:
            self.history.clear()
            self._hid += 1
            self.oldest_history_id = self._hid

    # -- Calendar mutations -------------------------------------------------------------------

    def add_calendar(self, calendar_id: str, *, summary: str | None = None, time_zone: str = "Europe/Berlin") -> None:
        with self._lock:
            self.calendars.setdefault(calendar_id, _Calendar(summary or calendar_id, time_zone))

    def _touch(self, calendar_id: str, event: dict) -> None:
        self._cal_seq += 1
        calendar = self.calendars[calendar_id]
        event.setdefault("updated", _stamp(self._cal_seq))
        calendar.events[event["id"]] = event
        calendar.changed[event["id"]] = self._cal_seq

    def add_event(self, calendar_id: str, event: dict) -> None:
        """Adds (or replaces) an event; it shows up in the next incremental sync."""
        with self._lock:
            self._touch(calendar_id, copy.deepcopy(event))

    def update_event(self, calendar_id: str, event_id: str, **fields: Any) -> dict:
        """Changes fields of an event (sequence + 1, new `updated`)."""
        with self._lock:
            event = copy.deepcopy(self.calendars[calendar_id].events[event_id])
            event.update(fields)
            event["sequence"] = int(event.get("sequence", 0)) + 1
            event.pop("updated", None)
            self._touch(calendar_id, event)
            return copy.deepcopy(event)

    def cancel_event(self, calendar_id: str, event_id: str) -> None:
        """Cancels an event or one instance of a series: it then carries only what Google guarantees
        (id, status; recurringEventId and originalStartTime for an instance)."""
        with self._lock:
            old = self.calendars[calendar_id].events[event_id]
            event = {"kind": "calendar#event", "id": event_id, "status": "cancelled"}
            for key in ("recurringEventId", "originalStartTime"):
                if key in old:
                    event[key] = copy.deepcopy(old[key])
            self._touch(calendar_id, event)

    def expire_sync_tokens(self, calendar_id: str | None = None) -> None:
        """Every sync token handed out (for one calendar, or all) now answers 410 fullSyncRequired."""
        with self._lock:
            self._sync_tokens = {t: v for t, v in self._sync_tokens.items()
                                 if calendar_id is not None and v[0] != calendar_id}

    def events(self, calendar_id: str, *, include_cancelled: bool = False) -> list[dict]:
        """The events stored for a calendar (copies), cancelled ones only when asked."""
        with self._lock:
            return [copy.deepcopy(e) for e in self.calendars[calendar_id].events.values()
                    if include_cancelled or e.get("status") != "cancelled"]

    # -- request handling ---------------------------------------------------------------------

    def handle_http(self, method: str, target: str, headers: dict, body: bytes) -> tuple[int, dict, bytes]:
        """One HTTP request: (status, headers, body)."""
        path, _, query = target.partition("?")
        with self._lock:
            self.http_requests += 1
        if method == "POST" and path.rstrip("/") in ("/batch", "/batch/gmail/v1", "/batch/calendar/v3"):
            with self._lock:
                self.counts["batch"] += 1
            try:
                self._take_fault("batch", top=True)
                status, body_out, content_type = self._batch(headers.get("content-type", ""), body)
            except ApiError as error:
                self._log("batch", method, target, error.status, False)
                return _json_answer(error.status, error.body(), error.headers)
            self._log("batch", method, target, status, False)
            return status, {"Content-Type": content_type}, body_out
        status, payload, extra = self.call(method, path, query, in_batch=False)
        return _json_answer(status, payload, extra)

    def call(self, method: str, path: str, query: str, *, in_batch: bool,
             charged: bool = False) -> tuple[int, dict, dict]:
        """One API call (a plain request or a batch part): (status, JSON body, extra headers)."""
        params = urllib.parse.parse_qs(query, keep_blank_values=True)
        endpoint, route = self._route(method, path)
        with self._lock:
            if endpoint:
                self.counts[endpoint] += 1
        try:
            if endpoint is None:
                raise ApiError(404, f"Not found: {method} {path}", "notFound")
            self._take_fault(endpoint, top=not in_batch)
            if not charged:
                self._charge(self.units.get(endpoint, 0))
            with self._lock:
                result = route(params)
            status, payload, extra = 200, result, {}
        except ApiError as error:
            status, payload, extra = error.status, error.body(), error.headers
        self._log(endpoint or "unknown", method, path + ("?" + query if query else ""), status, in_batch)
        return status, payload, extra

    def _log(self, endpoint, method, path, status, in_batch):
        with self._lock:
            self.log.append({"endpoint": endpoint, "method": method, "path": path, "status": status,
                             "in_batch": in_batch})

    def _take_fault(self, endpoint: str, *, top: bool) -> None:
        with self._lock:
            if self.fault_rate and endpoint != "batch" and self._fault_rng.random() < self.fault_rate:
                raise _fault(self._fault_rng.choice((500, 429)))
            for fault in self._faults:
                if fault["left"] > 0 and (fault["endpoint"] == endpoint or (fault["endpoint"] is None and top)):
                    fault["left"] -= 1
                    raise _fault(fault["status"], fault["reason"])
            self._faults = [f for f in self._faults if f["left"] > 0]

    def _refill(self) -> None:
        now = self._clock()
        self._bucket = min(self._burst, self._bucket + (now - self._bucket_at) * self.quota)
        self._bucket_at = now

    def _charge(self, units: float) -> None:
        with self._lock:
            if self.quota is None or units <= 0:
                return
            self._refill()
            if self._bucket < units:
                raise self._quota_error()
            self._bucket -= units

    def _quota_error(self) -> ApiError:
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
        return ApiError(429, "Too many concurrent requests for user.", "rateLimitExceeded", headers=headers)

    def _route(self, method: str, path: str):
        if method != "GET":
            return None, None
        parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
        if parts[:2] == ["gmail", "v1"] and len(parts) >= 4 and parts[2] == "users":
            user, rest = parts[3], parts[4:]
            if user not in ("me", OWNER):
                return None, None
            if rest == ["profile"]:
                return "profile", self._profile
            if rest == ["labels"]:
                return "labels.list", self._labels_list
            if rest == ["messages"]:
                return "messages.list", self._messages_list
            if len(rest) == 2 and rest[0] == "messages":
                return "messages.get", lambda params: self._messages_get(rest[1], params)
            if rest == ["history"]:
                return "history.list", self._history_list
            return None, None
        if parts[:2] == ["calendar", "v3"]:
            parts = parts[2:]
        if len(parts) == 3 and parts[0] == "calendars" and parts[2] == "events":
            return "events.list", lambda params: self._events_list(parts[1], params)
        return None, None

    # -- Gmail --------------------------------------------------------------------------------

    def _no_q(self, params: dict) -> None:
        if self.metadata_scope and "q" in params:
            raise ApiError(403, "Metadata scope does not support 'q' parameter", "forbidden")

    def _profile(self, params: dict) -> dict:
        return {"emailAddress": OWNER, "messagesTotal": len(self.messages),
                "threadsTotal": len({m["threadId"] for m in self.messages.values()}),
                "historyId": str(self._hid)}

    def _labels_list(self, params: dict) -> dict:
        system = set(TAKEOUT_LABEL_IDS.values())
        ids = sorted({label for m in self.messages.values() for label in m["labelIds"]} | system)
        return {"labels": [{"id": i, "name": i, "type": "system" if i in system else "user"} for i in ids]}

    def _page_size(self, params: dict, default: int, maximum: int) -> int:
        try:
            size = int(params.get("maxResults", [default])[0])
        except ValueError:
            raise ApiError(400, "Invalid value for maxResults", "invalid") from None
        if size < 1:
            raise ApiError(400, "Invalid value for maxResults", "invalid")
        return min(size, maximum, self.max_page_size or maximum)

    def _page(self, params: dict, make: Callable[[], tuple[list, Any]], size: int) -> tuple[list, str | None, Any]:
        """(items of this page, nextPageToken, context) over a snapshot taken on the first page."""
        token = params.get("pageToken", [""])[0]
        if token:
            if token not in self._pages:
                raise ApiError(400, "Invalid pageToken", "invalid")
            items, offset, context = self._pages[token]
        else:
            (items, context), offset = make(), 0
        page = items[offset:offset + size]
        next_token = None
        if offset + size < len(items):
            next_token = f"p{next(self._tokens)}"
            self._pages[next_token] = (items, offset + size, context)
        return page, next_token, context

    def _messages_list(self, params: dict) -> dict:
        self._no_q(params)
        size = self._page_size(params, 100, 500)
        spam_trash = params.get("includeSpamTrash", ["false"])[0].lower() == "true"
        wanted = set(params.get("labelIds", []))

        def make():
            chosen = [m for m in self.messages.values()
                      if (spam_trash or not {"SPAM", "TRASH"} & set(m["labelIds"]))
                      and wanted <= set(m["labelIds"])]
            chosen.sort(key=lambda m: (int(m.get("internalDate", 0)), int(m["id"], 16)), reverse=True)
            return [{"id": m["id"], "threadId": m["threadId"]} for m in chosen], len(chosen)
        page, next_token, estimate = self._page(params, make, size)
        out: dict = {}
        if page:
            out["messages"] = page
        if next_token:
            out["nextPageToken"] = next_token
        out["resultSizeEstimate"] = estimate
        return out

    def _messages_get(self, message_id: str, params: dict) -> dict:
        message = self.messages.get(message_id)
        if message is None:
            raise ApiError(404, "Requested entity was not found.", "notFound")
        fmt = params.get("format", ["full"])[0]
        if fmt in ("full", "raw") and self.metadata_scope:
            raise ApiError(403, f"Metadata scope doesn't allow format {fmt.upper()}", "forbidden")
        out = {k: copy.deepcopy(v) for k, v in message.items() if k != "payload"}
        if fmt == "minimal":
            return out
        payload = {k: v for k, v in message.get("payload", {}).items() if k not in ("headers", "parts", "body")}
        names = {n.lower() for n in params.get("metadataHeaders", [])}
        headers = message.get("payload", {}).get("headers", [])
        payload["headers"] = [dict(h) for h in headers if not names or h["name"].lower() in names]
        out["payload"] = payload
        return out

    def _history_list(self, params: dict) -> dict:
        self._no_q(params)
        if "startHistoryId" not in params:
            raise ApiError(400, "Missing required parameter: startHistoryId", "required")
        try:
            start = int(params["startHistoryId"][0])
        except ValueError:
            raise ApiError(400, "Invalid startHistoryId", "invalid") from None
        if start < self.oldest_history_id:
            raise ApiError(404, "Requested entity was not found.", "notFound")
        size = self._page_size(params, 100, 500)
        types = params.get("historyTypes") or list(HISTORY_TYPES)
        keys = [_HISTORY_KEY[t] for t in types if t in _HISTORY_KEY]
        label = params.get("labelId", [None])[0]

        def make():
            chosen = []
            for entry in self.history:
                if int(entry["id"]) <= start:
                    continue
                kept = {k: copy.deepcopy(entry[k]) for k in keys if k in entry}
                if label is not None:
                    kept = {k: v for k, v in kept.items()
                            if any(label in c["message"].get("labelIds", []) or label in c.get("labelIds", [])
                                   for c in v)}
                if kept:
                    chosen.append({"id": entry["id"], "messages": copy.deepcopy(entry["messages"]), **kept})
            return chosen, None
        page, next_token, _ = self._page(params, make, size)
        out: dict = {}
        if page:
            out["history"] = page
        if next_token:
            out["nextPageToken"] = next_token
        out["historyId"] = str(self._hid)
        return out

    # -- Calendar -----------------------------------------------------------------------------

    def _events_list(self, calendar_id: str, params: dict) -> dict:
        calendar = self.calendars.get(calendar_id)
        if calendar is None:
            raise ApiError(404, "Not Found", "notFound")
        size = self._page_size(params, 250, 2500)
        sync = params.get("syncToken", [None])[0]
        if sync is not None and not params.get("pageToken"):
            clash = [p for p in ("timeMin", "timeMax", "orderBy", "q", "iCalUID", "updatedMin") if p in params]
            if clash:
                raise ApiError(400, f"Sync token cannot be combined with {clash[0]}", "invalid")
            if params.get("showDeleted", [""])[0].lower() == "false":
                raise ApiError(400, "showDeleted=false is not allowed with a sync token", "invalid")
            known = self._sync_tokens.get(sync)
            if known is None or known[0] != calendar_id:
                raise ApiError(410, "Sync token is no longer valid, a full sync is required.", "fullSyncRequired",
                               domain="calendar", extra={"locationType": "parameter", "location": "syncToken"})
        zone = zoneinfo.ZoneInfo(calendar.time_zone)

        def make():
            seq = self._cal_seq
            if sync is not None:
                since = self._sync_tokens[sync][1]
                chosen = [e for i, e in calendar.events.items() if calendar.changed[i] > since]
            else:
                show_deleted = params.get("showDeleted", ["false"])[0].lower() == "true"
                low, high = (_parse_time(params[p][0]) if p in params else None for p in ("timeMin", "timeMax"))
                chosen = []
                for event in calendar.events.values():
                    if event.get("status") == "cancelled":
                        if show_deleted:
                            chosen.append(event)
                        continue
                    begin, end = _event_bounds(event, zone)
                    if (low is None or end > low) and (high is None or begin < high):
                        chosen.append(event)
                if params.get("orderBy", [""])[0] == "startTime":
                    chosen.sort(key=lambda e: _event_bounds(e, zone)[0])
            return [copy.deepcopy(e) for e in chosen], seq
        page, next_token, seq = self._page(params, make, size)
        out = {"kind": "calendar#events", "summary": calendar.summary, "timeZone": calendar.time_zone,
               "updated": _stamp(self._cal_seq), "accessRole": "owner", "defaultReminders": [],
               "items": page}
        if next_token:
            out["nextPageToken"] = next_token
        else:
            token = f"CAL{seq}x{next(self._tokens)}="
            self._sync_tokens[token] = (calendar_id, seq)
            out["nextSyncToken"] = token
        return out

    # -- batch --------------------------------------------------------------------------------

    def _batch(self, content_type: str, body: bytes) -> tuple[int, bytes, str]:
        if not content_type.startswith("multipart/mixed"):
            raise ApiError(400, "Batch request must be multipart/mixed", "badRequest")
        message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
        parts = message.get_payload() if message.is_multipart() else []
        if not parts:
            raise ApiError(400, "Empty batch request", "badRequest")
        if len(parts) > MAX_BATCH_PARTS:
            raise ApiError(400, f"Inner request count exceeds the limit. Received: {len(parts)}, "
                                f"Limit: {MAX_BATCH_PARTS}", "badRequest")
        requests = []
        for part in parts:
            content_id = (part.get("Content-ID") or "").strip()
            text = part.get_payload()
            if isinstance(text, list):
                raise ApiError(400, "Nested multipart in a batch", "badRequest")
            request_line = text.lstrip("\r\n").split("\n", 1)[0].strip()
            try:
                method, target, _ = request_line.split(" ", 2)
            except ValueError:
                raise ApiError(400, f"Bad request line in batch part: {request_line!r}", "badRequest") from None
            split = urllib.parse.urlsplit(target)
            requests.append((content_id, method, split.path, split.query))
        charged = False
        if self.quota_mode == "whole" and self.quota is not None:
            cost = sum(self.units.get(self._route(m, p)[0] or "", 0) for _, m, p, _ in requests)
            self._charge(cost)  # raises the 429 for the whole batch
            charged = True
        boundary = f"batch_{next(self._tokens):08d}_fake"
        chunks = []
        for content_id, method, path, query in requests:
            status, payload, extra = self.call(method, path, query, in_batch=True, charged=charged)
            inner = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            inner_id = content_id[1:-1] if content_id.startswith("<") else content_id
            head = (f"--{boundary}\r\nContent-Type: application/http\r\n"
                    f"Content-ID: <response-{inner_id}>\r\n\r\n"
                    f"HTTP/1.1 {status} {_REASON_PHRASE.get(status, 'Error')}\r\n"
                    f"Content-Type: application/json; charset=UTF-8\r\n"
                    + "".join(f"{k}: {v}\r\n" for k, v in extra.items())
                    + f"Content-Length: {len(inner)}\r\n\r\n")
            chunks.append(head.encode("utf-8") + inner + b"\r\n")
        chunks.append(f"--{boundary}--\r\n".encode())
        return 200, b"".join(chunks), f"multipart/mixed; boundary={boundary}"


def _ref(message: dict, *, labels: bool = False) -> dict:
    out = {"id": message["id"], "threadId": message["threadId"]}
    if labels:
        out["labelIds"] = list(message["labelIds"])
    return out


def _stamp(seq: int) -> str:
    moment = dt.datetime(2025, 1, 1, tzinfo=UTC) + dt.timedelta(seconds=seq)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _parse_time(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, f"Bad Request: invalid time {text!r}", "badRequest") from None
    if value.tzinfo is None:
        raise ApiError(400, f"Bad Request: time without an offset {text!r}", "badRequest")
    return value


def _event_bounds(event: dict, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    def instant(value: dict) -> dt.datetime:
        if "dateTime" in value:
            return dt.datetime.fromisoformat(value["dateTime"].replace("Z", "+00:00"))
        return dt.datetime.combine(dt.date.fromisoformat(value["date"]), dt.time(), tzinfo=zone)
    begin = instant(event["start"])
    return begin, instant(event.get("end") or event["start"])


def _json_answer(status: int, payload: dict, extra: dict | None = None) -> tuple[int, dict, bytes]:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return status, {"Content-Type": "application/json; charset=UTF-8", **(extra or {})}, body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httplib2 uses it
    fake: LoopbackServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            status, out_headers, out = self.fake.handle_http(self.command, self.path, headers, body)
        except Exception as error:  # noqa: BLE001 - a bug in the fake answers 500 and is visible
            status, out_headers, out = _json_answer(500, ApiError(500, f"fake server bug: {error!r}",
                                                                  "backendError").body())
        self.send_response(status)
        for key, value in out_headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(out)))
        # headers and body in one write: two small writes stall ~40 ms each (Nagle + delayed ACK)
        self._headers_buffer.append(b"\r\n" + out)
        self.flush_headers()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_google", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--messages", type=int, default=1000, help="synthetic Gmail messages")
    parser.add_argument("--events", type=int, default=100, help="synthetic events in calendar 'primary'")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quota", type=float, default=None, help="quota units per second (default: none)")
    parser.add_argument("--burst", type=float, default=None)
    args = parser.parse_args(argv)
    fake = FakeGoogle(messages=synthetic_messages(args.messages, seed=args.seed),
                      calendars={"primary": synthetic_events(args.events, seed=args.seed)},
                      quota=args.quota, burst=args.burst, port=args.port)
    serve_until_interrupted(fake, lambda url: [
        f"fake Google APIs at {url} ({args.messages} messages, {args.events} events in 'primary', "
        f"quota {args.quota or 'unlimited'} units/s); Ctrl-C stops",
        f'  [sources.gmail] api_endpoint = "{url}"  credentials = "anonymous"'])
    return 0


def serve_until_interrupted(fake: LoopbackServer, banner: Callable[[str], list[str]]) -> None:
    """Serves until Ctrl-C, having printed `banner(url)`; then the calls each endpoint had."""
    url = fake.start()
    print("\n".join(banner(url)), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
        print(f"stopped; calls: {dict(fake.counts)}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
