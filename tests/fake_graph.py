"""A local fake of the Microsoft Graph endpoints the Outlook connectors use, for end-to-end, fault and
speed tests. Stdlib only; serves on loopback, root `http://127.0.0.1:<port>/v1.0`:

- GET  /me/mailFolders/{well-known name}             ?$select=id (404 when the mailbox has none)
- GET  /me/mailFolders/delta                         every folder, then changes; @removed folders
- GET  /me/mailFolders/{id}/messages/delta           $select, Prefer odata.maxpagesize; nextLink/deltaLink;
                                                     new or moved-in items whole, changed ones with only
                                                     what changed (as Exchange does), @removed items
- GET  /me/messages/{id}                             $select
- GET  /me/calendarView/delta                        startDateTime, endDateTime; occurrences and exceptions
- GET  /me/events/{id}                               $select (series masters, for their uid)
- POST /$batch                                       at most 20 GET parts; dependsOn chains (424 after a
                                                     failed dependency)

What Mail.ReadBasic forbids is refused: selecting body, bodyPreview, uniqueBody, attachments or extended
properties answers 403. Limits as Outlook documents them per app and mailbox: `requests_per_second`
(a token bucket; each batch part counts) and at most 4 requests at once (HTTP requests in flight, and
batch parts without a dependsOn beyond the fourth), both answered with 429 and Retry-After.
`expire_delta_tokens()` makes every token handed out answer 410 (syncStateNotFound); `fault_rate`
fails that share of calls at random with 503 or 429. Every call is counted (`counts`, `log`).

    python -m tests.fake_graph --port 8766 --world OUT_DIR     # a world written with outlook=True
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import itertools
import json
import random
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable

from tests.fake_google import LoopbackServer, _json_answer, serve_until_interrupted

UTC = dt.timezone.utc
MAX_BATCH = 20
MAX_CONCURRENT = 4
MAX_PAGE = 1000
FORBIDDEN = {"body", "bodypreview", "uniquebody", "attachments", "singlevalueextendedproperties",
             "multivalueextendedproperties", "extensions"}
STATE_FIELDS = ("importance", "isRead", "flag", "categories", "inferenceClassification", "parentFolderId")


class GraphFault(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after

    def answer(self) -> tuple[int, dict, dict]:
        headers = {"Retry-After": f"{self.retry_after:g}"} if self.retry_after is not None else {}
        return self.status, {"error": {"code": self.code, "message": self.message}}, headers


class _Item:
    """A message with its history: which folder it was in after each change, when fields changed."""

    def __init__(self, resource: dict, seq: int):
        self.resource = resource
        self.moves: list[tuple[int, str | None]] = [(seq, resource["parentFolderId"])]
        self.changed: dict[str, int] = {}
        self.created = seq

    def folder_at(self, seq: int) -> str | None:
        folder = None
        for when, where in self.moves:
            if when > seq:
                break
            folder = where
        return folder


class FakeGraph(LoopbackServer):
    """The fake server and its mailbox and calendar; `with FakeGraph(...) as root:` gives the root URL
    ending in /v1.0. All methods are thread-safe.

    - `folders`: [{"id", "displayName", "parentFolderId", "wellKnownName"}] (`connectors.demo.outlook_graph`)
    - `messages`: Graph message resources with `id` and `parentFolderId`
    - `events`: calendarView items (occurrences with `seriesMasterId`, `originalStart`); `masters`: the
      series masters, by id, for `/me/events/{id}`
    - `requests_per_second`: None for no limit; `clock` its clock; `retry_after` the seconds a 429 says
    - `max_page_size`: the largest page, whatever Prefer asks
    """

    def __init__(self, *, folders: Iterable[dict] = (), messages: Iterable[dict] = (), events: Iterable[dict] = (),
                 masters: dict[str, dict] | None = None, requests_per_second: float | None = None,
                 burst: float | None = None, retry_after: float = 1.0, max_page_size: int = MAX_PAGE,
                 fault_rate: float = 0.0, fault_seed: int = 0, clock: Callable[[], float] = time.monotonic,
                 host: str = "127.0.0.1", port: int = 0):
        self.host, self.port = host, port
        self._lock = threading.RLock()
        self._seq = 0
        self.folders: dict[str, dict] = {}
        self.folder_changed: dict[str, int] = {}
        self.folder_removed: dict[str, int] = {}
        for folder in folders:
            self.add_folder(folder)
        self.items: dict[str, _Item] = {}
        for message in messages:
            self.items[message["id"]] = _Item(copy.deepcopy(message), self._tick())
        self.events: dict[str, dict] = {}
        self.event_changed: dict[str, int] = {}
        self.event_removed: dict[str, int] = {}
        for event in events:
            self.put_event(event)
        self.masters = dict(masters or {})
        self.max_page_size, self.retry_after, self._clock = max_page_size, retry_after, clock
        self.set_limit(requests_per_second, burst)
        self._throttle_next = 0
        self.fault_rate, self._fault_rng = fault_rate, random.Random(fault_seed)
        self._tokens_valid_from = 0
        self._pages: dict[str, tuple[list, str]] = {}
        self._page_ids = itertools.count(1)
        self.in_flight = self.max_in_flight = 0
        self.reset_stats()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/v1.0"

    def _tick(self) -> int:
        self._seq += 1
        return self._seq

    # -- stats ---------------------------------------------------------------------------------

    def reset_stats(self) -> None:
        with self._lock:
            self.counts: Counter = Counter()  # calls per endpoint, batch parts by their own endpoint
            self.http_requests = 0
            self.log: list[dict] = []  # {"endpoint", "status", "in_batch"}

    def calls(self, endpoint: str | None = None) -> int:
        with self._lock:
            return self.http_requests if endpoint is None else self.counts[endpoint]

    def throttled(self) -> int:
        with self._lock:
            return sum(1 for entry in self.log if entry["status"] == 429)

    # -- mutations -----------------------------------------------------------------------------

    def add_folder(self, folder: dict) -> None:
        with self._lock:
            self.folders[folder["id"]] = dict(folder)
            self.folder_changed[folder["id"]] = self._tick()

    def remove_folder(self, folder_id: str) -> None:
        """Removes a folder and every message in it."""
        with self._lock:
            del self.folders[folder_id]
            self.folder_removed[folder_id] = self._tick()
            for item_id in [i for i, item in self.items.items() if item.resource["parentFolderId"] == folder_id]:
                self.delete_message(item_id)

    def add_message(self, message: dict) -> None:
        with self._lock:
            self.items[message["id"]] = _Item(copy.deepcopy(message), self._tick())

    def delete_message(self, item_id: str) -> None:
        with self._lock:
            item = self.items[item_id]
            item.moves.append((self._tick(), None))
            item.resource["parentFolderId"] = None

    def move_message(self, item_id: str, folder_id: str) -> None:
        with self._lock:
            item = self.items[item_id]
            seq = self._tick()
            item.moves.append((seq, folder_id))
            item.resource["parentFolderId"] = folder_id
            item.changed["parentFolderId"] = seq

    def change_message(self, item_id: str, **fields) -> None:
        """Changes state fields (isRead, flag, categories, importance, inferenceClassification)."""
        with self._lock:
            item = self.items[item_id]
            seq = self._tick()
            for name, value in fields.items():
                item.resource[name] = value
                item.changed[name] = seq

    def messages(self) -> list[dict]:
        """The messages in the mailbox now (deleted ones excluded)."""
        with self._lock:
            return [copy.deepcopy(i.resource) for i in self.items.values() if i.resource["parentFolderId"]]

    def put_event(self, event: dict) -> None:
        with self._lock:
            self.events[event["id"]] = copy.deepcopy(event)
            self.event_changed[event["id"]] = self._tick()
            self.event_removed.pop(event["id"], None)

    def remove_event(self, event_id: str) -> None:
        with self._lock:
            del self.events[event_id]
            self.event_removed[event_id] = self._tick()

    def set_limit(self, requests_per_second: float | None, burst: float | None = None) -> None:
        """Sets (None: removes) the request rate; the bucket starts full, one second's worth by default."""
        with self._lock:
            self.requests_per_second = requests_per_second
            self._burst = burst or requests_per_second or 0
            self._bucket, self._bucket_at = self._burst, self._clock()

    def throttle_next(self, requests: int) -> None:
        """The next `requests` requests answer 429 with Retry-After whatever the rate: throttling
        that does not depend on how fast this machine runs today."""
        with self._lock:
            self._throttle_next = requests

    def expire_delta_tokens(self) -> None:
        """Every delta token handed out so far answers 410 from now on."""
        with self._lock:
            self._tokens_valid_from = self._tick()

    # -- HTTP ----------------------------------------------------------------------------------

    def handle_http(self, method: str, target: str, headers: dict, body: bytes) -> tuple[int, dict, bytes]:
        with self._lock:
            self.http_requests += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            crowded = self.in_flight > MAX_CONCURRENT
        try:
            if crowded:
                status, payload, extra = GraphFault(429, "ApplicationThrottled", "Too many concurrent requests",
                                                    self.retry_after).answer()
                self._log("concurrency", status, False)
                return _json_answer(status, payload, extra)
            path, _, query = target.partition("?")
            if method == "POST" and path == "/v1.0/$batch":
                status, payload, extra = self._batch(body)
            else:
                status, payload, extra = self.call(method, path, query, headers, in_batch=False)
            return _json_answer(status, payload, extra)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _batch(self, body: bytes) -> tuple[int, dict, dict]:
        with self._lock:
            self.counts["batch"] += 1
        try:
            requests = json.loads(body or b"{}").get("requests") or []
        except ValueError:
            requests = []
        if not 1 <= len(requests) <= MAX_BATCH:
            self._log("batch", 400, False)
            return 400, {"error": {"code": "BadRequest", "message": f"a batch holds 1 to {MAX_BATCH} requests"}}, {}
        statuses: dict[str, int] = {}
        responses = []
        unchained = 0
        for request in requests:
            depends = request.get("dependsOn") or []
            if not depends:
                unchained += 1
            if any(statuses.get(d, 424) >= 400 for d in depends):
                status, extra = 424, {}
                payload = {"error": {"code": "FailedDependency", "message": "dependency failed"}}
                self._log("dependency", 424, True)
            elif unchained > MAX_CONCURRENT:  # more than 4 would run at once against the mailbox
                status, payload, extra = GraphFault(429, "ApplicationThrottled", "MailboxConcurrency limit",
                                                    self.retry_after).answer()
                self._log("concurrency", 429, True)
            else:
                path, _, query = request["url"].partition("?")
                status, payload, extra = self.call(request.get("method", "GET"), "/v1.0" + path, query,
                                                   {k.lower(): v for k, v in (request.get("headers") or {}).items()},
                                                   in_batch=True)
            statuses[request["id"]] = status
            responses.append({"id": request["id"], "status": status, "headers": extra, "body": payload})
        self._log("batch", 200, False)
        return 200, {"responses": responses}, {}

    def call(self, method: str, path: str, query: str, headers: dict, *, in_batch: bool) -> tuple[int, dict, dict]:
        params = {k: v[0] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
        endpoint, route = self._route(method, path)
        with self._lock:
            self.counts[endpoint or "unknown"] += 1
        try:
            if route is None:
                raise GraphFault(404, "ResourceNotFound", f"no such resource: {method} {path}")
            self._charge()
            if self.fault_rate and self._fault_rng.random() < self.fault_rate:
                status = self._fault_rng.choice((503, 429))
                raise GraphFault(status, "ServiceUnavailable" if status == 503 else "ApplicationThrottled",
                                 "injected fault", self.retry_after if status == 429 else None)
            self._check_select(params.get("$select", ""))
            with self._lock:
                payload = route(params, _page_size(headers.get("prefer", ""), self.max_page_size))
            status, extra = 200, {}
        except GraphFault as fault:
            status, payload, extra = fault.answer()
        self._log(endpoint or "unknown", status, in_batch)
        return status, payload, extra

    def _log(self, endpoint: str, status: int, in_batch: bool) -> None:
        with self._lock:
            self.log.append({"endpoint": endpoint, "status": status, "in_batch": in_batch})

    def _charge(self) -> None:
        with self._lock:
            if self._throttle_next:
                self._throttle_next -= 1
                raise GraphFault(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.",
                                 self.retry_after)
            if self.requests_per_second is None:
                return
            now = self._clock()
            self._bucket = min(self._burst, self._bucket + (now - self._bucket_at) * self.requests_per_second)
            self._bucket_at = now
            if self._bucket < 1:
                raise GraphFault(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.",
                                 self.retry_after)
            self._bucket -= 1

    @staticmethod
    def _check_select(select: str) -> None:
        wanted = {name.strip().lower() for name in select.split(",") if name.strip()}
        if wanted & FORBIDDEN:
            raise GraphFault(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")

    def _route(self, method: str, path: str):
        if method != "GET" or not path.startswith("/v1.0/me/"):
            return None, None
        parts = [urllib.parse.unquote(p) for p in path[len("/v1.0/me/"):].split("/")]
        if parts == ["mailFolders", "delta"]:
            return "mailFolders.delta", self._folders_delta
        if len(parts) == 2 and parts[0] == "mailFolders":
            return "mailFolders.get", lambda params, size: self._well_known(parts[1])
        if len(parts) == 4 and parts[0] == "mailFolders" and parts[2:] == ["messages", "delta"]:
            return "messages.delta", lambda params, size: self._messages_delta(parts[1], params, size)
        if len(parts) == 2 and parts[0] == "messages":
            return "messages.get", lambda params, size: self._message(parts[1], params)
        if parts == ["calendarView", "delta"]:
            return "calendarView.delta", self._calendar_delta
        if len(parts) == 2 and parts[0] == "events":
            return "events.get", lambda params, size: self._master(parts[1])
        return None, None

    # -- answers -------------------------------------------------------------------------------

    def _link(self, path: str, **params) -> str:
        return f"{self.url}{path}?{urllib.parse.urlencode(params)}"

    def _paged(self, path: str, params: dict, size: int, make: Callable[[], list]) -> dict:
        """A page of the snapshot `make()` (taken on the first page); the last page has the deltaLink,
        whose token carries the first request's parameters ($select, the window) as Graph's do."""
        skip = params.get("$skiptoken")
        if skip:
            if skip not in self._pages:
                raise GraphFault(400, "InvalidSkipToken", "unknown $skiptoken")
            items, carried = self._pages.pop(skip)
        else:
            items = make()
            carried = {k: v for k, v in params.items() if k not in ("$skiptoken", "$deltatoken")}
        page, rest = items[:size], items[size:]
        out: dict = {"value": page}
        if rest:
            token = f"s{next(self._page_ids)}"
            self._pages[token] = (rest, carried)
            out["@odata.nextLink"] = self._link(path, **{"$skiptoken": token})
        else:
            token = json.dumps({"seq": self._seq, "p": carried}, sort_keys=True, separators=(",", ":"))
            out["@odata.deltaLink"] = self._link(path, **{"$deltatoken": token})
        return out

    def _since(self, params: dict) -> tuple[int | None, dict]:
        """(the sequence a delta token was made at, or None; the parameters it carries plus these)."""
        raw = params.get("$deltatoken")
        if raw is None:
            return None, params
        token = json.loads(raw)
        if token["seq"] < self._tokens_valid_from:
            raise GraphFault(410, "SyncStateNotFound", "The sync state generation is not found. Start a new sync.")
        return token["seq"], {**token["p"], **{k: v for k, v in params.items() if k != "$deltatoken"}}

    def _well_known(self, name: str) -> dict:
        for folder in self.folders.values():
            if folder.get("wellKnownName") == name.lower() or folder["id"] == name:
                return {"id": folder["id"], "displayName": folder["displayName"]}
        raise GraphFault(404, "ErrorFolderNotFound", f"The specified folder {name} could not be found.")

    def _folders_delta(self, params: dict, size: int) -> dict:
        since, _ = self._since(params)

        def make():
            out = [{"id": f["id"], "displayName": f["displayName"], "parentFolderId": f["parentFolderId"]}
                   for f in self.folders.values() if since is None or self.folder_changed[f["id"]] > since]
            if since is not None:
                out += [{"id": i, "@removed": {"reason": "deleted"}} for i, seq in self.folder_removed.items()
                        if seq > since]
            return out
        return self._paged("/me/mailFolders/delta", params, size, make)

    def _messages_delta(self, folder_id: str, params: dict, size: int) -> dict:
        if folder_id not in self.folders:
            raise GraphFault(404, "ErrorItemNotFound", "The specified folder could not be found.")
        since, params = self._since(params)
        select = params.get("$select", "")
        if params.get("$skiptoken") in self._pages:
            select = self._pages[params["$skiptoken"]][1].get("$select", "")

        def make():
            out = []
            for item in self.items.values():
                now_here = item.resource["parentFolderId"] == folder_id
                was_here = since is not None and item.folder_at(since) == folder_id
                if since is None:
                    if now_here:
                        out.append(_selected(item.resource, select))
                elif now_here and not was_here:
                    out.append(_selected(item.resource, select))
                elif now_here:
                    fields = [f for f, seq in item.changed.items() if seq > since]
                    if fields:  # Exchange sends only what changed, with the id and folder
                        out.append({"@odata.type": "#microsoft.graph.message", "id": item.resource["id"],
                                    **{f: copy.deepcopy(item.resource[f]) for f in {*fields, "parentFolderId"}}})
                elif was_here:
                    out.append({"@odata.type": "#microsoft.graph.message", "id": item.resource["id"],
                                "@removed": {"reason": "deleted"}})
            return out
        return self._paged(f"/me/mailFolders/{folder_id}/messages/delta", params, size, make)

    def _message(self, item_id: str, params: dict) -> dict:
        item = self.items.get(item_id)
        if item is None or not item.resource["parentFolderId"]:
            raise GraphFault(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        return _selected(item.resource, params.get("$select", ""))

    def _calendar_delta(self, params: dict, size: int) -> dict:
        since, params = self._since(params)
        if params.get("$skiptoken") in self._pages:
            params = {**self._pages[params["$skiptoken"]][1], **params}
        if "startDateTime" not in params or "endDateTime" not in params:
            raise GraphFault(400, "ErrorInvalidParameter", "startDateTime and endDateTime are required")
        low, high = (dt.datetime.fromisoformat(params[k].replace("Z", "+00:00"))
                     for k in ("startDateTime", "endDateTime"))

        def inside(event: dict) -> bool:
            start = dt.datetime.fromisoformat(event["start"]["dateTime"][:19]).replace(tzinfo=UTC)
            end = dt.datetime.fromisoformat(event["end"]["dateTime"][:19]).replace(tzinfo=UTC)
            return end > low and start < high

        def make():
            out = [copy.deepcopy(e) for i, e in self.events.items()
                   if inside(e) and (since is None or self.event_changed[i] > since)]
            if since is not None:
                out += [{"id": i, "@removed": {"reason": "deleted"}} for i, seq in self.event_removed.items()
                        if seq > since]
            return out
        return self._paged("/me/calendarView/delta", params, size, make)

    def _master(self, event_id: str) -> dict:
        master = self.masters.get(event_id)
        if master is None:
            raise GraphFault(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        return {k: v for k, v in master.items() if k in ("id", "uid", "iCalUId")}


def _selected(resource: dict, select: str) -> dict:
    names = [n.strip() for n in select.split(",") if n.strip()]
    out = {"@odata.type": "#microsoft.graph.message", "id": resource["id"]}
    for name in names or [k for k in resource if k not in ("body", "bodyPreview")]:
        if name in resource:
            out[name] = copy.deepcopy(resource[name])
    return out


def _page_size(prefer: str, maximum: int) -> int:
    for part in prefer.split(","):
        key, _, value = part.strip().partition("=")
        if key == "odata.maxpagesize" and value.isdigit():
            return max(1, min(int(value), maximum))
    return min(10, maximum)  # Graph's default page of messages


# --- synthetic data ------------------------------------------------------------------------------

def synthetic_mailbox(n: int, *, seed: int = 0) -> tuple[list[dict], list[dict]]:
    """(folders, messages): `n` deterministic messages in Inbox (60%), Archive (25%) and Sent Items,
    for speed runs; `connectors.demo.outlook_graph` writes realistic ones from a world."""
    from connectors.demo.outlook_graph import FOLDERS
    folders = [{"id": i, "displayName": d, "parentFolderId": p, "wellKnownName": w} for i, d, p, w in FOLDERS]
    rng = random.Random(seed)
    start = dt.datetime(2024, 1, 1, tzinfo=UTC)
    messages = []
    for k in range(n):
        roll = rng.random()
        folder = "AAMkFolderInbox" if roll < 0.6 else "AAMkFolderArchive" if roll < 0.85 else "AAMkFolderSent"
        sent = folder == "AAMkFolderSent"
        peer = {"emailAddress": {"name": f"Person {k % 997}", "address": f"person{k % 997}@example.org"}}
        me = {"emailAddress": {"name": "Me Myself", "address": "me@example.com"}}
        when = (start + dt.timedelta(minutes=7 * k)).strftime("%Y-%m-%dT%H:%M:%SZ")
        messages.append({
            "id": f"AAMkItem{seed:04d}{k:010d}", "parentFolderId": folder,
            "internetMessageId": f"<m{k}.s{seed}@example.org>",
            "conversationId": f"AAQkADconv{seed}x{k // 3}", "subject": f"Topic {k // 3}", "from": me if sent else peer,
            "sender": me if sent else peer, "toRecipients": [peer if sent else me], "ccRecipients": [],
            "bccRecipients": [], "replyTo": [], "sentDateTime": when, "receivedDateTime": when,
            "importance": "normal", "isRead": sent or rng.random() < 0.8, "isDraft": False,
            "flag": {"flagStatus": "notFlagged"}, "categories": [],
            "inferenceClassification": "focused" if rng.random() < 0.7 else "other", "hasAttachments": False,
            "internetMessageHeaders": [] if sent else [{"name": "Message-ID", "value": f"<m{k}.s{seed}@example.org>"}],
            "body": {"contentType": "text", "content": "never read"}})
    return folders, messages


# --- seeding from a world ----------------------------------------------------------------------------

def graph_events(events, *, owner: str = "me@example.com") -> tuple[list[dict], dict[str, dict]]:
    """calendarView items and their series masters for `CalendarEvent`s the .ics connector read
    (occurrences of a series get one master, `iCalUId` unique per occurrence as Graph gives it)."""
    import hashlib
    items, masters = [], {}
    for event in events:
        key = hashlib.sha256(f"{event.uid}/{event.recurrence_id}".encode()).hexdigest()[:24]
        item = {
            "id": f"AAMkEvent{key}", "type": "singleInstance", "iCalUId": f"040000008200E00074C5B7101A82E008{key}",
            "subject": event.summary, "isAllDay": event.is_all_day, "isCancelled": event.status == "CANCELLED",
            "start": {"dateTime": _local(event.start_at), "timeZone": "UTC"},
            "end": {"dateTime": _local(event.end_at), "timeZone": "UTC"},
            "originalStartTimeZone": event.timezone or "UTC",
            "lastModifiedDateTime": (event.last_modified or dt.datetime(2024, 1, 1, tzinfo=UTC))
            .astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
            "organizer": {"emailAddress": {"name": event.organizer.name or "", "address": event.organizer.email}}
            if event.organizer else {"emailAddress": {"name": "Me", "address": owner}},
            "attendees": [{"type": {"OPT-PARTICIPANT": "optional"}.get(
                               a.role or "", "resource" if a.cutype == "RESOURCE" else "required"),
                           "status": {"response": {"ACCEPTED": "accepted", "DECLINED": "declined",
                                                   "TENTATIVE": "tentativelyAccepted"}.get(a.partstat or "", "none")},
                           "emailAddress": {"name": a.name or "", "address": a.email}} for a in event.attendees],
        }
        if event.is_all_day:  # an all-day event is its dates at midnight, whatever the zone asked
            local = [m.astimezone(_zone(event.timezone)).date() for m in (event.start_at, event.end_at)]
            item["start"]["dateTime"], item["end"]["dateTime"] = (f"{d.isoformat()}T00:00:00.0000000" for d in local)
        if event.recurrence_id is not None:
            master_id = "AAMkSeries" + hashlib.sha256(event.uid.encode()).hexdigest()[:24]
            masters[master_id] = {"id": master_id, "iCalUId": event.uid}
            item.update(type="occurrence", seriesMasterId=master_id,
                        originalStart=event.recurrence_id.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        else:
            item["iCalUId"] = event.uid
        items.append(item)
    return items, masters


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000")


def _zone(name: str | None):
    import zoneinfo
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def main(argv: list[str] | None = None) -> int:
    from pathlib import Path

    from connectors.demo.outlook_graph import load_graph_mailbox
    parser = argparse.ArgumentParser(prog="python -m tests.fake_graph", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--world", type=Path, required=True, help="a world folder written with outlook=True")
    parser.add_argument("--requests-per-second", type=float, default=None)
    args = parser.parse_args(argv)
    folders, messages = load_graph_mailbox(args.world / "Outlook")
    fake = FakeGraph(folders=folders, messages=messages, requests_per_second=args.requests_per_second, port=args.port)
    serve_until_interrupted(fake, lambda root: [
        f"fake Microsoft Graph at {root} ({len(messages)} messages); Ctrl-C stops",
        f'  [sources.outlook] api_endpoint = "{root}"  credentials = "anonymous"'])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
