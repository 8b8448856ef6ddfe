"""The Gmail API, metadata only: one `MailMessage` per message, read from its headers.

Works with the `gmail.metadata` scope: messages are fetched with `format=metadata` and the headers
the metrics need, never `full` or `raw`, and `q` is never sent (that scope rejects it).

- First run (no cursor): `users.getProfile` gives the historyId to store (taken before listing, so
  no change falls in a gap), `users.messages.list` pages through every id (spam and trash
  included, as in a Takeout export), and the messages are fetched by batch requests.
- Later runs: `users.history.list` from the stored historyId: added messages are fetched; a message
  whose labels changed is fetched only if it is not stored yet, else its new labels (which the history
  entry carries) are yielded as `LabelsChanged`; a deleted message is yielded as `MessageDeleted`. An
  expired historyId (404) falls back to a full sync.
- A full sync that finds messages stored by an earlier run of this connector (a resumed sync, or a
  resync after an expired historyId) does not fetch them again: their labels are reconciled from
  one listing per label (`messages.list?labelIds=`, 500 ids for 5 units, where fetching costs 5 units
  a message), and those no longer listed are yielded as `MessageDeleted`.
- Failed parts of a batch go into the next batch (`api_calls.retry_in_batches`), not one by one.

Records are those of the mbox connector, so a message seen both in a Takeout export and through
the API is one message: `gmail_id` and `thread_id` are the API's hex ids in decimal, as Takeout
writes them. The last item yielded is the new `GmailCursor`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from googleapiclient.errors import HttpError

from connectors import google_api
from connectors.api_calls import Retry, retry_in_batches
from connectors.google_api import API_FAILURES, api_error, is_retryable, new_batch, retry_after, with_backoff
from connectors.mail_headers import first_message_id, header_addresses, header_text, message_ids, parse_date
from connectors.records import MailMessage, Rejected, Skipped, rejected

log = logging.getLogger(__name__)

API = "Gmail API"
USER = "me"
METADATA_HEADERS = ["From", "To", "Cc", "Bcc", "Reply-To", "Date", "Subject", "Message-ID",
                    "In-Reply-To", "References", "List-Id", "List-Unsubscribe", "Precedence",
                    "Auto-Submitted", "Delivered-To"]
PAGE_SIZE = 500  # the maximum for messages.list and history.list
MAX_BATCH = 50  # Gmail allows 100 calls per batch but advises against more than 50
HISTORY_TYPES = ["messageAdded", "messageDeleted", "labelAdded", "labelRemoved"]
# Quota units per call (Gmail "Usage limits"); a batch costs the sum of its parts.
UNITS_GET = 5
UNITS_LIST = 5
UNITS_HISTORY = 2
UNITS_PROFILE = 1
UNITS_LABELS = 1
# System label ids named as Takeout names them, so that rules and models read one vocabulary
# ('Sent', 'Spam', 'Important', 'Category Updates', ...) whichever way a message came.
LABEL_NAMES = {"INBOX": "Inbox", "SENT": "Sent", "SPAM": "Spam", "TRASH": "Trash", "UNREAD": "Unread",
               "IMPORTANT": "Important", "STARRED": "Starred", "DRAFT": "Draft", "CHAT": "Chat",
               "CATEGORY_PERSONAL": "Category Personal", "CATEGORY_SOCIAL": "Category Social",
               "CATEGORY_PROMOTIONS": "Category Promotions", "CATEGORY_UPDATES": "Category Updates",
               "CATEGORY_FORUMS": "Category Forums"}

DELETED = "deleted before it was fetched"
ALREADY_STORED = "already stored"
HISTORY_EXPIRED = "history expired: full sync"

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


class GmailCursor(NamedTuple):
    """Where the next incremental run starts: store it with the records of this run."""

    history_id: str


class MessageDeleted(NamedTuple):
    """A message deleted for good in Gmail (not moved to Trash): remove it from what is stored."""

    gmail_id: str  # decimal, as `MailMessage.gmail_id`


class LabelsChanged(NamedTuple):
    """The whole current label set of a stored message (Takeout's names, as `MailMessage.labels`)."""

    gmail_id: str
    labels: list[str]


Record = MailMessage | Rejected | Skipped | GmailCursor | MessageDeleted | LabelsChanged


def sync_gmail(service, *, cursor: str | None, limiter, progress: Callable[[int, int], None] | None = None,
               batch_size: int = MAX_BATCH, known_ids: Callable[[list[str]], set[str]] | None = None,
               mirrored_ids: Callable[[], set[str]] | None = None,
               sleep: Callable[[float], None] = time.sleep) -> Iterator[Record]:
    """Yields the Gmail messages that are new or changed since `cursor` (all of them when `cursor`
    is None), then one `GmailCursor` to store for the next run.

    `service` is a Gmail v1 service (`google_api.build_service("gmail", "v1", ...)`); `limiter` is
    asked for the quota units of every call before it is made (`RateLimiter`). A message deleted
    between listing and fetching is `Skipped`; one whose headers cannot be read is `Rejected`.
    On a full sync, `known_ids(decimal ids)` returns those already stored, which are then
    `Skipped` instead of fetched, so an interrupted run resumes where it stopped. `mirrored_ids()`
    returns the decimal ids stored from this API before: their label changes and deletions are
    yielded as `LabelsChanged` and `MessageDeleted` instead of fetching them. `progress(fetched,
    total)` is called after each batch. `sleep` is the backoff's sleep. Raises `SourceError` when
    the API refuses the run (scope, authorization, retries exhausted).
    """
    if not 1 <= batch_size <= MAX_BATCH:
        raise ValueError(f"batch_size must be between 1 and {MAX_BATCH}")
    sync = _Sync(service, limiter, progress, batch_size, known_ids, mirrored_ids, sleep)
    try:
        if cursor is not None:
            changes = sync.history(cursor)
            if changes is not None:
                yield from changes.labels_changed
                yield from sync.fetch(changes.fetch)
                yield from changes.deleted
                yield GmailCursor(changes.history_id)
                return
            log.warning("Gmail historyId %s has expired: doing a full sync", cursor)
            yield Skipped("gmail:history", HISTORY_EXPIRED)
        yield from sync.full()
    except API_FAILURES as error:
        raise api_error(API, error) from None


class _Changes(NamedTuple):
    fetch: list[str]  # hex ids, in the order the history gave them
    labels_changed: list[LabelsChanged]
    deleted: list[MessageDeleted]
    history_id: str


class _Sync:
    def __init__(self, service, limiter, progress, batch_size, known_ids, mirrored_ids, sleep):
        self.service = service
        self.messages = service.users().messages()
        self.limiter = limiter
        self.progress = progress
        self.batch_size = batch_size
        self.known_ids = known_ids
        self.mirrored_ids = mirrored_ids
        self.sleep = sleep

    def call(self, request, units: int) -> Any:
        """`request.execute()`, charged to the quota and retried on each attempt."""
        def attempt():
            self.limiter.acquire(units)
            return request.execute()
        return with_backoff(attempt, sleep=self.sleep)

    def full(self) -> Iterator[Record]:
        profile = self.call(self.service.users().getProfile(userId=USER), UNITS_PROFILE)
        ids: dict[str, None] = {}  # in listing order; a message moved while paging is listed twice
        listed_ids: set[str] = set()
        page_token = None
        while True:
            page = self.call(self.messages.list(userId=USER, maxResults=PAGE_SIZE, pageToken=page_token,
                                                includeSpamTrash=True), UNITS_LIST)
            listed = [message["id"] for message in page.get("messages", []) if message["id"] not in listed_ids]
            listed_ids.update(listed)
            known = self.known_ids([_decimal(i) for i in listed]) if self.known_ids and listed else set()
            for hex_id in listed:
                if _decimal(hex_id) in known:
                    yield Skipped(_origin(hex_id), ALREADY_STORED)
                else:
                    ids[hex_id] = None
            page_token = page.get("nextPageToken")
            if not page_token:
                break
        yield from self.reconcile(listed_ids)
        yield from self.fetch(list(ids))
        yield GmailCursor(str(profile["historyId"]))

    def reconcile(self, listed: set[str]) -> Iterator[LabelsChanged | MessageDeleted]:
        """For the messages stored by earlier runs: their current labels, from one listing per label,
        and a deletion for each that is no longer listed."""
        mirrored = self.mirrored_ids() if self.mirrored_ids else set()
        if not mirrored:
            return
        present = {_decimal(hex_id): hex_id for hex_id in listed}
        stored = [decimal for decimal in mirrored if decimal in present]
        if stored:
            labelled = self.labelled()
            for decimal in sorted(stored):
                labels = labelled.get(present[decimal], [])
                yield LabelsChanged(decimal, [LABEL_NAMES.get(label, label) for label in labels])
        for decimal in sorted(mirrored - present.keys()):
            yield MessageDeleted(decimal)

    def labelled(self) -> dict[str, list[str]]:
        """Hex message id -> its label ids, from `labels.list` and one `messages.list` per label."""
        answer = self.call(self.service.users().labels().list(userId=USER), UNITS_LABELS)
        labels: dict[str, list[str]] = {}
        for label in answer.get("labels", []):
            page_token = None
            while True:
                page = self.call(self.messages.list(userId=USER, labelIds=[label["id"]], maxResults=PAGE_SIZE,
                                                    pageToken=page_token, includeSpamTrash=True), UNITS_LIST)
                for message in page.get("messages", []):
                    labels.setdefault(message["id"], []).append(label["id"])
                page_token = page.get("nextPageToken")
                if not page_token:
                    break
        return labels

    def history(self, cursor: str) -> _Changes | None:
        """What changed since `cursor`; None when the cursor has expired."""
        added: dict[str, None] = {}  # hex ids, in order
        relabelled: dict[str, list[str] | None] = {}  # hex id -> its labels after the last change, if given
        deleted: dict[str, None] = {}
        history_id = cursor
        page_token = None
        while True:
            request = self.service.users().history().list(
                userId=USER, startHistoryId=cursor, historyTypes=HISTORY_TYPES, maxResults=PAGE_SIZE,
                pageToken=page_token)
            try:
                page = self.call(request, UNITS_HISTORY)
            except HttpError as error:
                if error.resp.status == 404:
                    return None
                raise
            for entry in page.get("history", []):
                for change in entry.get("messagesAdded", []):
                    added[change["message"]["id"]] = None
                for key in ("labelsAdded", "labelsRemoved"):
                    for change in entry.get(key, []):
                        message = change["message"]
                        relabelled[message["id"]] = message.get("labelIds")
                for change in entry.get("messagesDeleted", []):
                    deleted[change["message"]["id"]] = None
            history_id = str(page.get("historyId", history_id))
            page_token = page.get("nextPageToken")
            if not page_token:
                break
        mirrored = self.mirrored_ids() if self.mirrored_ids and relabelled else set()
        fetch = dict(added)
        labels_changed = []
        for hex_id, labels in relabelled.items():
            if hex_id in added or hex_id in deleted:
                continue
            if labels is not None and _decimal(hex_id) in mirrored:
                labels_changed.append(LabelsChanged(_decimal(hex_id), [LABEL_NAMES.get(x, x) for x in labels]))
            else:
                fetch[hex_id] = None
        return _Changes([i for i in fetch if i not in deleted], labels_changed,
                        [MessageDeleted(_decimal(i)) for i in deleted], history_id)

    def fetch(self, ids: list[str]) -> Iterator[MailMessage | Rejected | Skipped]:
        """The records of messages `ids` (hex), fetched `batch_size` at a time; the parts of a batch that
        fail go into the next one."""
        total = len(ids)
        batches = retry_in_batches(ids, self.fetch_batch, batch_size=self.batch_size, sleep=self.sleep,
                                   tries=google_api.RETRY_TRIES)
        for done, (_, result) in enumerate(batches, 1):
            yield result if isinstance(result, Skipped) else _record(result)
            if self.progress is not None and (done % self.batch_size == 0 or done == total):
                self.progress(done, total)

    def fetch_batch(self, chunk: list[str]) -> dict[str, dict | Skipped | Retry]:
        """One batch request for the message resources of `chunk`, by id. A batch refused as a whole
        is sent again (`with_backoff`); a part that failed transiently is a `Retry`."""
        results: dict[str, dict | Skipped | Retry] = {}

        def collect(hex_id: str, response: Any, error: HttpError | None) -> None:
            if error is None:
                results[hex_id] = response
            elif error.resp.status == 404:
                results[hex_id] = Skipped(_origin(hex_id), DELETED)
            elif is_retryable(error):
                results[hex_id] = Retry(error, retry_after(error))
            else:
                raise api_error(API, error)

        def attempt():
            results.clear()
            self.limiter.acquire(UNITS_GET * len(chunk))
            batch = new_batch(self.service, collect)
            for hex_id in chunk:
                batch.add(self.get(hex_id), request_id=hex_id)
            batch.execute()

        with_backoff(attempt, sleep=self.sleep)
        return results

    def get(self, hex_id: str):
        return self.messages.get(userId=USER, id=hex_id, format="metadata", metadataHeaders=METADATA_HEADERS)


def _record(message: dict) -> MailMessage | Rejected:
    origin = _origin(str(message.get("id")))
    try:
        return _message(message, origin)
    except Exception as error:  # noqa: BLE001 - one unreadable message must not stop a mailbox
        return rejected(origin, f"cannot read the headers ({type(error).__name__}: {error})",
                        json.dumps(message, ensure_ascii=False))


def _message(message: dict, origin: str) -> MailMessage:
    """A `MailMessage` from a message resource in metadata format."""
    headers = message.get("payload", {}).get("headers", [])
    fields: dict[str, list[str]] = {}
    for header in headers:
        fields.setdefault(header["name"].lower(), []).append(_unfold(header["value"]))
    block = "".join(f"{header['name']}: {header['value']}\n" for header in headers)
    get = fields.get
    date = get("date")
    sent_at = parse_date(date[0]) if date else None
    if sent_at is None and message.get("internalDate"):
        sent_at = EPOCH + dt.timedelta(milliseconds=int(message["internalDate"]))
    senders = header_addresses(get("from"))
    references = get("references")
    return MailMessage(
        message_id=first_message_id(get("message-id")),
        header_hash=hashlib.sha256(block.encode("utf-8")).hexdigest(),
        gmail_id=_decimal(message["id"]),
        thread_id=_decimal(message["threadId"]) if message.get("threadId") else None,
        in_reply_to=first_message_id(get("in-reply-to")),
        references=message_ids(references[0]) if references else [],
        sent_at=sent_at,
        from_addr=senders[0] if senders else None,
        reply_to=header_addresses(get("reply-to")),
        to=header_addresses(get("to")),
        cc=header_addresses(get("cc")),
        bcc=header_addresses(get("bcc")),
        subject=header_text(get("subject")),
        labels=[LABEL_NAMES.get(label, label) for label in message.get("labelIds", [])],
        list_id=header_text(get("list-id")) or None,
        has_list_unsubscribe="list-unsubscribe" in fields,
        precedence=(header_text(get("precedence")) or "").lower() or None,
        auto_submitted=(header_text(get("auto-submitted")) or "").lower() or None,
        size_bytes=message.get("sizeEstimate"),
        origin=origin,
    )


def _decimal(hex_id: str) -> str:
    """Gmail's hex message or thread id in the decimal form Takeout uses."""
    return str(int(hex_id, 16))


def _origin(hex_id: str) -> str:
    return f"gmail:{hex_id}"


def _unfold(value: str) -> str:
    return value.replace("\r\n", "").replace("\n", "") if "\n" in value else value



