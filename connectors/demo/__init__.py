"""A deterministic simulated world in the owner's real export formats, with its ground truth.

    from connectors.demo import generate_world
    paths = generate_world(Path("out"), people=300, seed=7, end=date(2025, 11, 20))

writes, under `out/`:

    tiekeeper.toml                                    owner and sources, paths relative to it
    truth.json                                        `World`: latent strengths, identities, ...
    Complete_LinkedInDataExport_11-20-2025.zip
    Takeout/Mail/All mail Including Spam and Trash.mbox
    Takeout/Calendar/<owner work address>.ics, Takeout/Calendar/Team.ics
    Outlook/folders.json, Outlook/messages.jsonl      only with outlook=True: the same mailbox as
                                                      Microsoft Graph shows an Outlook-flavoured owner
    Contacts/                                         address books (only with identity.address_book > 0)

Same arguments, byte-identical files. The demo, tests, benchmarks and the validation of identity
resolution and metrics (`connectors.demo.scoring`) all use it; see `connectors.demo.world` for how
behaviour follows latent tie strength.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import NamedTuple

from connectors.demo.address_book import write_address_books
from connectors.demo.google_ics import write_ics
from connectors.demo.linkedin_export import write_linkedin
from connectors.demo.outlook_graph import GraphMailboxWriter
from connectors.demo.takeout_mbox import write_mbox
from connectors.demo.world import HISTORY_WEEKS, AutomatedSender, Identity, IdentityKnobs, Simulation, World, load_truth

__all__ = ["IdentityKnobs", "World", "WorldPaths", "generate_world", "load_truth"]

MBOX_NAME = "All mail Including Spam and Trash.mbox"


class WorldPaths(NamedTuple):
    linkedin_zip: Path
    mbox: Path
    ics: list[Path]  # one file per calendar: the owner's primary calendar, then "Team"
    truth: Path
    config: Path
    outlook: Path | None = None  # the Graph mailbox folder (outlook=True)
    contacts: tuple = ()  # the address-book folder, when the world has one


def generate_world(out_dir: Path, *, people: int = 300, seed: int = 7, end: dt.date | dt.datetime,
                   mail_scale: float = 1.0, attachment_kb: float = 0.0, owner_type: str = "typical",
                   outlook: bool = False, history_weeks: int = HISTORY_WEEKS,
                   identity: IdentityKnobs = IdentityKnobs(),  # noqa: B008 - frozen dataclass: one shared default is safe
                   plain_bodies: bool = False) -> WorldPaths:
    """Simulate a world and write it into `out_dir` (created if missing).

    people: 50 to 50,000. end: the world's "now", an aware moment (the demo's: just before it runs)
    or a date (midnight UTC at its start); history covers the `history_weeks` weeks before it (104 to
    1,100; three years by default) and the calendar runs 60 days past it. owner_type: the owner's
    habits, a key of `world.OWNER_TYPES` ("typical", "fast_replier", "slow_replier", "never_thanks",
    "heavy_meeter", "linkedin_networker"): how they answer, mail, meet and use LinkedIn. mail_scale
    multiplies mail volume; attachment_kb is the
    mean size (KiB of base64 text, as written) of the attachments that 20% of human-written
    messages then carry (0: none). identity: how hard the world makes identity resolution
    (namesakes, addresses without names, job changes, role addresses, an address book).
    plain_bodies: every message body one short text/plain part, without an HTML alternative or the
    quoted thread (a mailbox of small messages, 0.8 KB each); the headers are the full world's.

    Sizes and times, measured on this project's 2-core machine (end=2025-11-20):
      people=300 (the demo)                              ~12k messages, 15 MB mbox, ~1 s
      people=2000                                        ~52k messages, 67 MB mbox, ~5 s
      people=5000, mail_scale=1.3, attachment_kb=48      ~100k messages, ~1.0 GB mbox, ~12 s
      people=50000                                       ~400k messages, 0.5 GB mbox, ~45 s
    and with end=2026-11-23, seed=1, plain_bodies=True (the shapes of benchmarks/bench_scale.py):
      people=5000, history_weeks=261, mail_scale=1.63    ~200k messages, 162 MB mbox, ~40 s, peak RSS 80 MB
      people=20000, history_weeks=1043, mail_scale=0.87  ~1.0M messages, 0.8 GB mbox, ~5 min, peak RSS 0.5 GB
    Every file is written as it is made (mail, calendar events, LinkedIn rows): memory holds the
    population with its weekly strengths, the calendar and LinkedIn data, and the messages in flight.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sim = Simulation(people, seed, end, mail_scale, owner_type, history_weeks, identity)
    seen = _Seen()
    calendar_dir = out_dir / "Takeout" / "Calendar"
    ics_paths, counts = write_ics(calendar_dir, sim.calendar(), sim.owner, sim.now, seen.note)
    zip_path, li_counts = write_linkedin(out_dir, sim.linkedin(), sim.owner, sim.end, seen.note)
    mbox_path = out_dir / "Takeout" / "Mail" / MBOX_NAME
    mails = sim.mail()
    graph = GraphMailboxWriter(out_dir / "Outlook", seed=seed) if outlook else None
    if graph is not None:
        mails = graph.tee(mails)
    mbox_counts = write_mbox(mbox_path, mails, sim.owner, seed=seed, attachment_kb=attachment_kb,
                             note=seen.note, plain_bodies=plain_bodies)
    contacts = ()
    if identity.address_book:
        cards = sim.address_book()
        contacts = tuple(write_address_books(out_dir, cards, seed, seen.note))
        counts["address_book_cards"] = len(cards)
    counts.update(li_counts)
    counts.update(mbox_counts)
    counts["people"] = people
    counts["awaiting_reply"] = len(sim.awaiting)
    world = sim.truth(seen.identities(), seen.automated(), seen.resources(), counts)
    truth_path = out_dir / "truth.json"
    world.write_json(truth_path)
    config_path = out_dir / "tiekeeper.toml"
    config_path.write_text(_config(sim, zip_path, mbox_path, ics_paths, out_dir, contacts), encoding="utf-8")
    return WorldPaths(zip_path, mbox_path, ics_paths, truth_path, config_path, graph.folder if graph else None,
                      contacts)


class _Seen:
    """Collects every party the writers wrote, by who it is: person, automated, room."""

    def __init__(self):
        self._identities: dict[tuple[str, str, str], None] = {}
        self._automated: dict[str, str] = {}
        self._resources: dict[str, None] = {}

    def note(self, kind: str, key: str, who: str) -> None:
        if who.startswith("auto:"):
            self._automated.setdefault(key, who[5:])
        elif who == "resource":
            self._resources[key] = None
        elif who not in ("owner", "shared", ""):  # "" is a deleted LinkedIn member
            self._identities[(kind, key, who)] = None

    def identities(self) -> list[Identity]:
        return [Identity(*k) for k in sorted(self._identities)]

    def automated(self) -> list[AutomatedSender]:
        return [AutomatedSender(k, v) for k, v in sorted(self._automated.items())]

    def resources(self) -> list[str]:
        return sorted(self._resources)


def _config(sim: Simulation, zip_path: Path, mbox_path: Path, ics_paths: list[Path], root: Path,
            contacts: tuple = ()) -> str:
    def q(value) -> str:  # TOML basic strings accept JSON's escapes
        return json.dumps(value, ensure_ascii=False)

    def rel(path: Path) -> str:
        return path.relative_to(root).as_posix()
    o = sim.owner
    return "\n".join([
        "# Written by connectors.demo: a simulated world, not anybody's real data.",
        "[owner]",
        f"name = {q(o.full_name)}",
        f"emails = [{q(o.work_email)}, {q(o.personal_email)}]",
        f"timezone = {q(o.tz)}",
        "",
        "[sources]",
        f"linkedin = {q(rel(zip_path))}",
        f"mbox = [{q(rel(mbox_path))}]",
        f"ics = [{', '.join(q(rel(p)) for p in ics_paths)}]",
        *([f"contacts = [{', '.join(q(rel(p)) for p in contacts)}]"] if contacts else []),
        "",
    ])
