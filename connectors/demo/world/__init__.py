"""The simulated world: one owner, their network, and what they did together.

Pure data, no file formats. Every person has a latent tie strength per week (0..1) that follows a
trajectory (stable, fading, warming, one-off, dormant); behaviour is drawn from it: how often mail
threads, meetings and LinkedIn conversations start, how likely and how fast a reply comes. Foci
co-workers, automated senders, recruiters and one-off contacts add the realistic noise that does
not come from a tie. The format modules (`linkedin_export`, `takeout_mbox`, `google_ics`) turn a
`Simulation` into export files; `World` is the ground truth written next to them.

Determinism: only `random.Random` streams seeded with strings derived from the seed; no clock, no
iteration over sets. The population does not depend on `mail_scale`, so worlds that differ only
in mail volume share their people.

The modules, in the order they build on each other: `tables` (constants, knobs, names, companies,
message text), `people`, `events` and `truth` (the data), `habits` (group sizes, trajectories,
channel preferences, the owner's habits), then `Simulation` (`simulation`) and its parts:
`population`, `behaviour` (what every channel shares), `calendar`, `linkedin` and `mail`.
"""
from connectors.demo.world.events import (
                                          Addr,
                                          Attendance,
                                          LiConnection,
                                          LiInvitation,
                                          LiMessage,
                                          LinkedInData,
                                          LiParty,
                                          Mail,
                                          Meeting,
                                          Override,
                                          Quote,
)
from connectors.demo.world.habits import OWNER_TYPES, OwnerHabits
from connectors.demo.world.people import Company, Owner, Person
from connectors.demo.world.simulation import Simulation
from connectors.demo.world.tables import CLOSINGS, HISTORY_WEEKS, OWNER_TZ, UTC, IdentityKnobs, zone
from connectors.demo.world.truth import (
                                          AutomatedSender,
                                          Awaiting,
                                          Card,
                                          Identity,
                                          OwnerTruth,
                                          PersonTruth,
                                          SharedInbox,
                                          World,
                                          load_truth,
)

__all__ = ["Addr", "Attendance", "AutomatedSender", "Awaiting", "CLOSINGS", "Card", "Company", "HISTORY_WEEKS",
           "Identity", "IdentityKnobs", "LiConnection", "LiInvitation", "LiMessage", "LiParty", "LinkedInData",
           "Mail", "Meeting", "OWNER_TYPES", "OWNER_TZ", "Override", "Owner", "OwnerHabits", "OwnerTruth",
           "Person", "PersonTruth", "Quote", "SharedInbox", "Simulation", "UTC", "World", "load_truth", "zone"]
