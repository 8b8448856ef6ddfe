"""Outlook and Microsoft 365 mail through Microsoft Graph, headers only (`Mail.ReadBasic`), incrementally.

Per folder that matters (Inbox, Sent Items, Archive and the user's folders; never Junk Email,
Deleted Items, Drafts, Outbox, Conversation History or Sync Issues, nor folders named in
`skip_folders`, nor any folder inside those), `messages/delta` with a `$select` of only the header
fields, `Prefer: IdType="ImmutableId"` so that a message keeps its id when moved. Every folder's next
page goes into one `$batch` (up to 20 folders a round trip), so a run without changes costs one
request for the folder list and one per 20 folders.

- The folder list itself is kept with `mailFolders/delta`; the ids of the well-known folders are
  looked up once (one batch) and kept in the cursor.
- `@odata.nextLink` pages; each folder's `@odata.deltaLink` goes into the cursor, which is yielded
  last, so it is stored only when the whole run got through.
- `@removed` items are yielded as `OutlookRemoved` (a move to another folder shows up there as an
  added item with the same id); a folder gone or no longer synced as `OutlookFolderGone`.
- A changed item may come with only the properties that changed (read, flagged, moved): it is
  yielded as `OutlookMessageChange`, or fetched whole when it is not stored.
- An expired delta token (410) resyncs that folder by itself: `OutlookFolderGone`, then a full delta.

Graph gives no message size under Mail.ReadBasic (the size is an extended property, which that
permission excludes), so `size_bytes` is None.
"""
from __future__ import annotations

import collections
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import NamedTuple

from connectors import SourceError
from connectors.api_calls import Retry, retry_in_batches
from connectors.graph_api import (
    GRAPH_FAILURES,
    MAX_BATCH,
    Answer,
    GraphClient,
    GraphError,
    graph_address,
    graph_addresses,
    graph_error,
    graph_instant,
)
from connectors.mail_headers import first_message_id, header_text, message_ids
from connectors.records import OutlookMessage, OutlookMessageChange, Rejected, Skipped, rejected

log = logging.getLogger(__name__)

API = "Microsoft Graph (Outlook mail)"
PAGE_SIZE = 250  # Prefer: odata.maxpagesize; Graph may send fewer
SELECT = ",".join((
    "internetMessageId", "conversationId", "from", "sender", "toRecipients", "ccRecipients", "bccRecipients",
    "replyTo", "sentDateTime", "receivedDateTime", "subject", "importance", "isRead", "isDraft", "flag",
    "categories", "inferenceClassification", "hasAttachments", "parentFolderId", "internetMessageHeaders"))
HEADERS = {"Prefer": f'odata.maxpagesize={PAGE_SIZE}, IdType="ImmutableId"'}
# Well-known folders, and the label each gives its messages (None: never synced).
WELL_KNOWN = {"inbox": "Inbox", "sentitems": "Sent", "archive": "Archive", "deleteditems": None,
              "junkemail": None, "drafts": None, "outbox": None, "conversationhistory": None,
              "syncissues": None, "scheduled": None}
_FULL_KEYS = ("internetMessageId", "sentDateTime", "subject", "from")  # absent from a changes-only item
DRAFT = "draft message"


class OutlookRemoved(NamedTuple):
    """An item gone from a folder (deleted, or moved away): remove it if it is still stored there."""

    item_id: str
    folder_id: str


class OutlookFolderGone(NamedTuple):
    """Every stored item of this folder goes: the folder was removed, is skipped now, or resyncs."""

    folder_id: str
    reason: str  # short and stable: counted in ingest_runs


class OutlookCursor(NamedTuple):
    """The state for the next run (JSON): always the last item of a complete run."""

    state: str


Record = OutlookMessage | OutlookMessageChange | OutlookRemoved | OutlookFolderGone | Rejected | Skipped | OutlookCursor


def sync_outlook(client: GraphClient, *, cursor: str | None, skip_folders: tuple[str, ...] = (),
                 stored_items: Callable[[list[str]], set[str]] | None = None,
                 progress: Callable[[int], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> Iterator[Record]:
    """Yields what changed in the mailbox since `cursor` (everything when None), then an `OutlookCursor`.

    `skip_folders`: display names of further folders not to read (with the folders inside them).
    `stored_items(item ids)` returns those already stored, so that a changes-only item not stored
    yet is fetched whole. `progress(n)` is told the items of each page. Raises `SourceError` when
    Graph refuses the run (authorization, permissions, retries exhausted).
    """
    state = json.loads(cursor) if cursor else {}
    try:
        yield from _Sync(client, state, {name.casefold() for name in skip_folders}, stored_items, progress,
                         sleep).run()
    except GRAPH_FAILURES as error:
        raise graph_error(API, error) from None


class _Sync:
    def __init__(self, client, state, skip_names, stored_items, progress, sleep):
        self.client, self.state, self.skip_names = client, state, skip_names
        self.stored_items, self.progress, self.sleep = stored_items, progress, sleep

    def run(self) -> Iterator[Record]:
        well_known = self.state.get("well_known") or self.well_known()
        folders, folders_link, removed = self.folders()
        synced = self.synced(folders, well_known)
        links: dict[str, str] = dict(self.state.get("messages", {}))
        for folder_id in sorted(set(links) - set(synced)):
            reason = "folder removed" if folder_id in removed or folder_id not in folders else "folder skipped"
            yield OutlookFolderGone(folder_id, reason)
            del links[folder_id]
        changed: dict[str, OutlookMessageChange] = {}
        work = collections.deque((folder_id, links.get(folder_id) or _initial(folder_id)) for folder_id in synced)
        for (folder_id, url), answer in retry_in_batches(work, self.send, batch_size=MAX_BATCH, sleep=self.sleep):
            if answer.status == 410:
                if url == _initial(folder_id):
                    raise SourceError(f"{API}: folder {synced[folder_id]!r}: a full sync was refused (HTTP 410)")
                log.info("Outlook folder %s: delta token expired; syncing it fully", synced[folder_id])
                yield OutlookFolderGone(folder_id, "delta token expired: folder resynced")
                work.append((folder_id, _initial(folder_id)))
                continue
            if answer.status == 404:  # removed since the folder list was read
                yield OutlookFolderGone(folder_id, "folder removed")
                links.pop(folder_id, None)
                continue
            if answer.status >= 400:
                raise _answer_error(answer)
            items = answer.body.get("value", [])
            for item in items:
                record = _item(item, folder_id, synced[folder_id])
                if isinstance(record, OutlookMessageChange):
                    changed[record.item_id] = record
                yield record
            if self.progress is not None:
                self.progress(len(items))
            if answer.body.get("@odata.nextLink"):
                work.append((folder_id, answer.body["@odata.nextLink"]))
            elif answer.body.get("@odata.deltaLink"):
                links[folder_id] = answer.body["@odata.deltaLink"]
        yield from self.fetch_unstored(changed, synced)
        new_state = {"version": 1, "well_known": well_known, "folders_link": folders_link,
                     "folders": folders, "messages": {k: links[k] for k in sorted(links) if k in synced}}
        yield OutlookCursor(json.dumps(new_state, sort_keys=True))

    def send(self, chunk: list[tuple[str, str]]) -> dict[tuple[str, str], Answer | Retry]:
        answers = self.client.batch([(str(n), url, HEADERS) for n, (_, url) in enumerate(chunk)])
        return {key: answers[str(n)] for n, key in enumerate(chunk)}

    def well_known(self) -> dict[str, str]:
        """The ids of the well-known folders this mailbox has (an Outlook.com one has no Archive, say)."""
        names = list(WELL_KNOWN)
        found: dict[str, str] = {}
        for name, answer in retry_in_batches(
                names, lambda chunk: self.client.batch([(n, f"/me/mailFolders/{n}?$select=id", None) for n in chunk]),
                batch_size=MAX_BATCH, sleep=self.sleep):
            if answer.status == 200 and answer.body.get("id"):
                found[name] = answer.body["id"]
            elif answer.status in (401, 403):
                raise _answer_error(answer)
        if "inbox" not in found:
            raise SourceError(f"{API}: the mailbox has no Inbox (is this account's mailbox on Exchange Online?)")
        return found

    def folders(self) -> tuple[dict[str, list], str, set[str]]:
        """Every folder, {id: [display name, parent id]}, kept current with mailFolders/delta; the new
        delta link; the ids of folders removed since the last run."""
        folders = {k: list(v) for k, v in self.state.get("folders", {}).items()}
        url = self.state.get("folders_link")
        removed: set[str] = set()
        if url is None:
            folders = {}
            url = "/me/mailFolders/delta?$select=displayName,parentFolderId"
        while True:
            try:
                page = self.client.get(url)
            except GraphError as error:
                if error.status != 410 or "folders_link" not in self.state:
                    raise
                log.info("Outlook folder list: delta token expired; reading it again")
                self.state.pop("folders_link")
                return self.folders()
            for item in page.get("value", []):
                if "@removed" in item:
                    folders.pop(item["id"], None)
                    removed.add(item["id"])
                else:
                    old = folders.get(item["id"], [None, None])
                    folders[item["id"]] = [item.get("displayName", old[0]), item.get("parentFolderId", old[1])]
            if page.get("@odata.nextLink"):
                url = page["@odata.nextLink"]
            else:
                return folders, page.get("@odata.deltaLink"), removed

    def synced(self, folders: dict[str, list], well_known: dict[str, str]) -> dict[str, str]:
        """The folders to read, {id: label}: all but the skipped ones and those inside them."""
        kind = {folder_id: name for name, folder_id in well_known.items()}
        skipped = {folder_id for folder_id, (name, _) in folders.items()
                   if (folder_id in kind and WELL_KNOWN[kind[folder_id]] is None)
                   or (name or "").casefold() in self.skip_names}

        def excluded(folder_id: str, depth: int = 0) -> bool:
            if folder_id in skipped:
                return True
            parent = folders.get(folder_id, [None, None])[1]
            return parent in folders and depth < 64 and excluded(parent, depth + 1)

        return {folder_id: WELL_KNOWN.get(kind.get(folder_id, "")) or name or folder_id
                for folder_id, (name, _) in sorted(folders.items()) if not excluded(folder_id)}

    def fetch_unstored(self, changed: dict[str, OutlookMessageChange], synced: dict[str, str]) -> Iterator[Record]:
        """Items that came as changes only but are not stored (an earlier run failed): fetched whole."""
        if not changed:
            return
        stored = self.stored_items(list(changed)) if self.stored_items else set(changed)
        missing = [item_id for item_id in changed if item_id not in stored]

        def send(chunk: list[str]) -> dict[str, Answer | Retry]:
            return self.client.batch([(item_id, f"/me/messages/{item_id}?$select={SELECT}", HEADERS)
                                      for item_id in chunk])

        for item_id, answer in retry_in_batches(missing, send, batch_size=MAX_BATCH, sleep=self.sleep):
            if answer.status == 404:
                continue  # deleted meanwhile: the folder's next delta says so
            if answer.status >= 400:
                raise _answer_error(answer)
            folder_id = answer.body.get("parentFolderId") or changed[item_id].folder_id
            yield _item(answer.body, folder_id, synced.get(folder_id))


def _initial(folder_id: str) -> str:
    return f"/me/mailFolders/{folder_id}/messages/delta?$select={SELECT}"


def _answer_error(answer: Answer) -> GraphError:
    error = answer.body.get("error") if isinstance(answer.body.get("error"), dict) else {}
    return GraphError(answer.status, str(error.get("code") or "unknown"), str(error.get("message") or ""))


# --- items to records ------------------------------------------------------------------------------

def _item(item: dict, folder_id: str, folder: str | None) -> Record:
    item_id = item.get("id")
    origin = f"outlook:{item_id}"
    if not item_id:
        return rejected(origin, "an item without an id", json.dumps(item, ensure_ascii=False))
    if "@removed" in item:
        return OutlookRemoved(item_id, folder_id)
    try:
        if not any(key in item for key in _FULL_KEYS):
            return _change(item, origin)
        if item.get("isDraft"):
            return Skipped(origin, DRAFT)
        return _message(item, folder_id, folder, origin)
    except Exception as error:  # noqa: BLE001 - one unreadable message must not stop a mailbox
        return rejected(origin, f"cannot read the message ({type(error).__name__}: {error})",
                        json.dumps(item, ensure_ascii=False))


def _change(item: dict, origin: str) -> OutlookMessageChange:
    flag = item.get("flag")
    return OutlookMessageChange(
        item_id=item["id"], folder_id=item.get("parentFolderId"), importance=item.get("importance"),
        is_read=item.get("isRead"), flag_status=flag.get("flagStatus") if isinstance(flag, dict) else None,
        categories=item.get("categories"), inference_classification=item.get("inferenceClassification"),
        origin=origin)


def _message(item: dict, folder_id: str, folder: str | None, origin: str) -> OutlookMessage:
    headers: dict[str, list[str]] = {}
    for header in item.get("internetMessageHeaders") or []:
        headers.setdefault(header["name"].lower(), []).append(header["value"])
    if headers:
        block = "".join(f"{h['name']}: {h['value']}\n" for h in item["internetMessageHeaders"])
    else:  # a sent item has no headers: its addressing fields stand for them
        block = json.dumps({key: item.get(key) for key in ("internetMessageId", "from", "toRecipients",
                                                           "ccRecipients", "sentDateTime", "subject")},
                           sort_keys=True, ensure_ascii=False)
    get = headers.get
    references = get("references")
    sender = graph_address(item.get("from")) or graph_address(item.get("sender"))
    flag = item.get("flag") if isinstance(item.get("flag"), dict) else {}
    return OutlookMessage(
        message_id=first_message_id([item["internetMessageId"]]) if item.get("internetMessageId")
        else first_message_id(get("message-id")),
        header_hash=hashlib.sha256(block.encode("utf-8")).hexdigest(),
        thread_id=item.get("conversationId"),
        in_reply_to=first_message_id(get("in-reply-to")),
        references=message_ids(references[0]) if references else [],
        sent_at=graph_instant(item.get("sentDateTime")),
        from_addr=sender,
        reply_to=graph_addresses(item.get("replyTo")),
        to=graph_addresses(item.get("toRecipients")),
        cc=graph_addresses(item.get("ccRecipients")),
        bcc=graph_addresses(item.get("bccRecipients")),
        subject=item.get("subject"),
        list_id=header_text(get("list-id")) or None,
        has_list_unsubscribe="list-unsubscribe" in headers,
        precedence=(header_text(get("precedence")) or "").lower() or None,
        auto_submitted=(header_text(get("auto-submitted")) or "").lower() or None,
        size_bytes=None,
        item_id=item["id"],
        folder_id=item.get("parentFolderId") or folder_id,
        folder=folder,
        received_at=graph_instant(item.get("receivedDateTime")),
        importance=item.get("importance"),
        is_read=item.get("isRead"),
        flag_status=flag.get("flagStatus"),
        categories=list(item.get("categories") or []),
        inference_classification=item.get("inferenceClassification"),
        has_attachments=item.get("hasAttachments"),
        origin=origin,
    )
