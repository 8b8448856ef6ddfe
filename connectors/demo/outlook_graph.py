"""Writes the simulated mailbox as an Outlook / Microsoft 365 mailbox would show it through Microsoft
Graph: message resources in folders, for the local Graph emulator (tests/fake_graph.py) to serve.

The owner is Outlook-flavoured here: the messages the owner sends carry Exchange-style Message-IDs
(`<AM6PR05MB1234...@AM6PR05MB1234.eurprd05.prod.outlook.com>`, the replies to them pointing at
those), every message has a conversationId (one per thread), and the Focused Inbox sorts incoming
mail into focused and other. Folders: Inbox (with a user folder "Projects" inside it), Sent Items,
Archive, Junk Email; a message the owner sends to themself is two items, one in Sent Items and one
in the Inbox. Written beside the Takeout mbox of the same mailbox, with its own random stream, so
the mbox stays byte-identical whether or not this is written.

    Outlook/folders.json      [{"id", "displayName", "parentFolderId", "wellKnownName"}, ...]
    Outlook/messages.jsonl    one Graph message resource a line, body included (a reader must not select it)
"""
from __future__ import annotations

import base64
import hashlib
import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path

from connectors.demo.world import UTC, Addr, Mail

FOLDERS = [  # id, display name, parent, well-known name
    ("AAMkFolderInbox", "Inbox", "AAMkFolderRoot", "inbox"),
    ("AAMkFolderSent", "Sent Items", "AAMkFolderRoot", "sentitems"),
    ("AAMkFolderArchive", "Archive", "AAMkFolderRoot", "archive"),
    ("AAMkFolderJunk", "Junk Email", "AAMkFolderRoot", "junkemail"),
    ("AAMkFolderDeleted", "Deleted Items", "AAMkFolderRoot", "deleteditems"),
    ("AAMkFolderDrafts", "Drafts", "AAMkFolderRoot", "drafts"),
    ("AAMkFolderProjects", "Projects", "AAMkFolderInbox", None),
]
_OTHER_KINDS = {"newsletter", "notification", "list", "calendar", "bounce", "announcement"}
_PODS = ("AM6PR", "DB9PR", "VI1PR", "PAXPR")


class GraphMailboxWriter:
    """Converts each `Mail` of the stream passing through `tee` into Graph message resources."""

    def __init__(self, folder: Path, *, seed: int):
        self.folder = Path(folder)
        self.rng = random.Random(f"tiekeeper-demo/{seed}/outlook-graph")
        self.seed = seed
        self.exchange_ids: dict[str, str] = {}  # the owner's Message-IDs as Exchange writes them
        self.count = 0

    def tee(self, mails: Iterable[Mail]) -> Iterator[Mail]:
        """Yields `mails` unchanged, writing each as Graph resources on the way."""
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "folders.json").write_text(json.dumps(
            [{"id": i, "displayName": n, "parentFolderId": p, "wellKnownName": w} for i, n, p, w in FOLDERS],
            indent=1), encoding="utf-8")
        with open(self.folder / "messages.jsonl", "w", encoding="utf-8") as out:
            for mail in mails:
                for resource in self.resources(mail):
                    out.write(json.dumps(resource, ensure_ascii=False, sort_keys=True) + "\n")
                    self.count += 1
                yield mail

    def resources(self, m: Mail) -> list[dict]:
        rng = self.rng
        from_owner = m.sender.who == "owner"
        message_id = self._exchange_id(m.message_id) if from_owner else m.message_id
        if m.direction == "self":
            folders = ["AAMkFolderSent", "AAMkFolderInbox"]
        elif from_owner:
            folders = ["AAMkFolderSent"]
        elif m.category == "Spam":
            folders = ["AAMkFolderJunk"]
        else:
            roll = rng.random()
            folders = ["AAMkFolderInbox" if roll < 0.55 else "AAMkFolderArchive" if roll < 0.93
                       else "AAMkFolderProjects"]
        other = not from_owner and (m.category not in ("", "Category Personal") or m.kind in _OTHER_KINDS)
        headers = []
        if not from_owner:  # Exchange keeps the transport headers of received mail only
            headers = [("Message-ID", message_id), ("Subject", m.subject)]
            if m.in_reply_to:
                headers.append(("In-Reply-To", self.exchange_ids.get(m.in_reply_to, m.in_reply_to)))
            if m.references:
                headers.append(("References", " ".join(self.exchange_ids.get(r, r) for r in m.references)))
            headers += list(m.headers)
        base = {
            "@odata.type": "#microsoft.graph.message",
            "internetMessageId": message_id,
            "conversationId": self._conversation(m.thread_id),
            "subject": m.subject,
            "from": _recipient(m.sender), "sender": _recipient(m.sender),
            "toRecipients": [_recipient(a) for a in m.to], "ccRecipients": [_recipient(a) for a in m.cc],
            "bccRecipients": [], "replyTo": [],
            "sentDateTime": _stamp(m.sent_at), "receivedDateTime": _stamp(m.received_at),
            "importance": "high" if m.human and rng.random() < 0.03 else "normal",
            "isRead": from_owner or rng.random() >= (0.06 if m.human else 0.3),
            "isDraft": False,
            "flag": {"flagStatus": "flagged" if rng.random() < 0.03 else "notFlagged"},
            "categories": ["Red category"] if rng.random() < 0.02 else [],
            "inferenceClassification": "other" if other else "focused",
            "hasAttachments": m.human and rng.random() < 0.2,
            "internetMessageHeaders": [{"name": n, "value": v} for n, v in headers],
            "body": {"contentType": "text", "content": m.text},
            "bodyPreview": m.text[:255],
        }
        out = []
        for folder in folders:
            item_id = "AAMkItem" + hashlib.sha256(f"{self.seed}/{m.gmail_id}/{folder}".encode()).hexdigest()[:40]
            out.append({**base, "id": item_id, "parentFolderId": folder,
                        "isRead": base["isRead"] or folder == "AAMkFolderSent"})
        return out

    def _exchange_id(self, original: str) -> str:
        digest = hashlib.sha256(f"{self.seed}/{original}".encode()).digest()
        host = f"{_PODS[digest[0] % 4]}{10 + digest[1] % 89}MB{1000 + int.from_bytes(digest[2:4], 'big') % 9000}"
        exchange = f"<{host}{digest[4:20].hex().upper()}@{host}.eurprd{1 + digest[20] % 9:02d}.prod.outlook.com>"
        self.exchange_ids[original] = exchange
        return exchange

    def _conversation(self, thread_id: int) -> str:
        digest = hashlib.sha256(f"{self.seed}/thread/{thread_id}".encode()).digest()
        return "AAQkAD" + base64.urlsafe_b64encode(digest[:30]).decode().rstrip("=")


def load_graph_mailbox(folder: Path) -> tuple[list[dict], list[dict]]:
    """(folders, messages) as `GraphMailboxWriter` wrote them."""
    folder = Path(folder)
    folders = json.loads((folder / "folders.json").read_text(encoding="utf-8"))
    with open(folder / "messages.jsonl", encoding="utf-8") as lines:
        messages = [json.loads(line) for line in lines]
    return folders, messages


def _recipient(a: Addr) -> dict:
    return {"emailAddress": {"name": a.name or a.email, "address": a.email}}


def _stamp(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
