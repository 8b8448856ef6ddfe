"""The ground truth written beside the exports (`World`, read back with `load_truth`), and the
identities, address-book cards and shared inboxes it is made of.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple


@dataclass(frozen=True)
class OwnerTruth:
    name: str
    emails: tuple
    linkedin_url: str
    timezone: str
    owner_type: str = "typical"  # the owner's habits: a key of OWNER_TYPES


@dataclass(frozen=True)
class PersonTruth:
    person_id: str
    full_name: str
    company: str
    group: str
    trajectory: str
    latent: float
    latent_28d_ago: float
    latent_weekly: tuple  # the last TRUTH_WEEKS weekly values, oldest first
    is_real_tie: bool
    faded: bool
    warmed: bool


@dataclass(frozen=True)
class Identity:
    """A key under which a person appears in the data. A key can belong to two people (two
    "John Smith" LinkedIn names); shared inboxes are listed in `World.shared_inboxes` instead."""

    kind: str  # "email" (lower-cased, as written), "linkedin_url" or "linkedin_name"
    key: str
    person_id: str


class Card(NamedTuple):
    """A card of the owner's address book, before it is written in some app's format."""

    given: str
    family: str
    full_name: str
    organization: str | None
    title: str | None
    emails: tuple
    phone: str | None
    linkedin_url: str | None
    uid: str
    who: str  # person id, or "shared" for a shared inbox's card
    app: str  # which app wrote it: apple, google (vCard), outlook, google_csv


CARD_APPS = ("apple", "google", "outlook", "google_csv")


def _role_name(address: str) -> str:
    return address.split("@")[0].title()


def _uuid(rng: random.Random) -> str:
    h = rng.randbytes(16).hex().upper()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(frozen=True)
class AutomatedSender:
    address: str  # lower-cased address, or a LinkedIn profile URL for sponsored messages
    kind: str


@dataclass(frozen=True)
class SharedInbox:
    address: str
    company: str
    person_ids: tuple


@dataclass(frozen=True)
class Awaiting:
    """A direct e-mail thread or LinkedIn conversation that waits at `end`: its last message
    before `end` asks for an answer (no "thanks!", no FYI) and is at most 30 days old, whether the
    answer comes later or never. Cold outreach by recruiters is not something the owner owes."""

    thread: str  # Gmail thread id (decimal, as X-GM-THRID) or LinkedIn conversation id
    person_id: str
    waiting_on: str  # "me" or "them"
    since: str  # ISO datetime (UTC) of the unanswered message
    channel: str  # "email" or "linkedin"


@dataclass(frozen=True)
class World:
    """The ground truth of a generated world (what truth.json holds)."""

    seed: int
    end: str  # ISO date: the world's "today"
    now: str  # ISO datetime: history ends here (midnight UTC at the start of `end`)
    owner: OwnerTruth
    people: tuple
    identities: tuple
    automated_senders: tuple
    shared_inboxes: tuple
    resources: tuple  # meeting-room addresses in the calendar
    awaiting_reply: tuple
    counts: dict

    def person(self, person_id: str) -> PersonTruth:
        """The person with this id."""
        for p in self.people:
            if p.person_id == person_id:
                return p
        raise KeyError(person_id)

    def write_json(self, path: Path) -> None:
        """Write truth.json: stable key order, one record per line, streamed."""
        with open(path, "w", encoding="utf-8") as f:
            items = list(self.__dict__.items())
            f.write("{\n")
            for i, (key, value) in enumerate(items):
                f.write(f"{json.dumps(key)}: ")
                if isinstance(value, tuple) and value and not isinstance(value[0], str):
                    f.write("[\n")
                    for j, record in enumerate(value):
                        f.write(json.dumps(_plain(record), ensure_ascii=False))
                        f.write(",\n" if j < len(value) - 1 else "\n")
                    f.write("]")
                else:
                    f.write(json.dumps(_plain(value), ensure_ascii=False))
                f.write(",\n" if i < len(items) - 1 else "\n")
            f.write("}\n")

    @classmethod
    def load(cls, path: Path | str) -> World:
        """Read a truth.json written by `generate_world`."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            seed=data["seed"], end=data["end"], now=data["now"],
            owner=OwnerTruth(data["owner"]["name"], tuple(data["owner"]["emails"]),
                             data["owner"]["linkedin_url"], data["owner"]["timezone"],
                             data["owner"].get("owner_type", "typical")),
            people=tuple(PersonTruth(**{**p, "latent_weekly": tuple(p["latent_weekly"])})
                         for p in data["people"]),
            identities=tuple(Identity(**i) for i in data["identities"]),
            automated_senders=tuple(AutomatedSender(**a) for a in data["automated_senders"]),
            shared_inboxes=tuple(SharedInbox(**{**s, "person_ids": tuple(s["person_ids"])})
                                 for s in data["shared_inboxes"]),
            resources=tuple(data["resources"]),
            awaiting_reply=tuple(Awaiting(**a) for a in data["awaiting_reply"]),
            counts=data["counts"],
        )


def _plain(obj):
    if isinstance(obj, (OwnerTruth, PersonTruth, Identity, AutomatedSender, SharedInbox, Awaiting)):
        return {k: _plain(v) for k, v in obj.__dict__.items()}
    if isinstance(obj, (tuple, list)):
        return [_plain(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


def load_truth(path: Path | str) -> World:
    """The ground truth of a generated world, read from its truth.json."""
    return World.load(path)
