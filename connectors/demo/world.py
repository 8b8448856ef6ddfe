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
"""
from __future__ import annotations

import base64
import datetime as dt
import heapq
import json
import math
import random
import re
import unicodedata
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, NamedTuple
from urllib.parse import quote as _url_quote
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc
OWNER_TZ = "Europe/Berlin"
HISTORY_WEEKS = 157  # a little over three years of history before `end`
CALENDAR_AHEAD_DAYS = 60
AWAITING_WINDOW = dt.timedelta(days=30)  # an unanswered message older than this is abandoned
TRUTH_WEEKS = 26
MIN_PEOPLE, MAX_PEOPLE = 50, 50_000



@dataclass(frozen=True)
class IdentityKnobs:
    """How hard the world makes identity resolution. All off (the default), the worlds are what they
    always were; each knob draws from its own random stream, so the rest of the world stays put."""

    namesakes: float = 0.0  # share of people who share their full name with someone at another company;
    #                         names are then drawn with Zipf frequencies (a few very common), as in life
    bare_personal: float = 0.0  # share of personal addresses written as flast (aschafer@gmail.com), no display name
    partial_work: float = 0.0  # share of work addresses that hold only the first name or surname (rebecca@, lopez@)
    job_changes: float = 0.0  # share of people who changed employer, besides those who always do
    role_addresses: int = 0  # shared role addresses (sales@, team@, info@) that several people answer from
    address_book: float = 0.0  # share of the people one mails who have a card in the owner's address book

    @property
    def any(self) -> bool:
        return self != IdentityKnobs()


GROUPS = ("close", "collaborator", "foci", "acquaintance", "linkedin_only", "recruiter", "event")
TRAJECTORIES = ("stable", "fading", "warming", "one_off", "dormant")

# --- name tables --------------------------------------------------------------------------------
# A small nickname table in code (not the `nicknames` package): the output must not depend on
# what happens to be installed.
NICKNAMES = {
    "Robert": ("Bob", "Rob"), "William": ("Bill", "Will"), "Elizabeth": ("Liz", "Beth"),
    "Katherine": ("Kate", "Katie"), "Michael": ("Mike",), "Jennifer": ("Jen",), "Thomas": ("Tom",),
    "Christopher": ("Chris",), "Daniel": ("Dan",), "Matthew": ("Matt",), "Anthony": ("Tony",),
    "Margaret": ("Maggie", "Peggy"), "Richard": ("Rick",), "Joseph": ("Joe",), "Jessica": ("Jess",),
    "Andrew": ("Andy",), "Alexander": ("Alex",), "Samuel": ("Sam",), "Benjamin": ("Ben",),
    "Nicholas": ("Nick",), "Jonathan": ("Jon",), "Patricia": ("Pat", "Trish"), "Susan": ("Sue",),
    "Rebecca": ("Becky",), "Timothy": ("Tim",), "Steven": ("Steve",), "David": ("Dave",),
    "Edward": ("Ed", "Ted"), "Charles": ("Charlie",), "James": ("Jim", "Jamie"),
    "Victoria": ("Vicky",), "Abigail": ("Abby",), "Gregory": ("Greg",), "Maximilian": ("Max",),
    "Franziska": ("Franzi",), "Katarzyna": ("Kasia",), "Małgorzata": ("Gosia",),
}

_WESTERN_FIRST = (
    "James", "Robert", "William", "Elizabeth", "Katherine", "Michael", "Jennifer", "Thomas",
    "Christopher", "Daniel", "Matthew", "Anthony", "Margaret", "Richard", "Joseph", "Sarah", "Emily",
    "Jessica", "Andrew", "Alexander", "Samuel", "Benjamin", "Nicholas", "Jonathan", "Patricia",
    "Susan", "Rebecca", "Timothy", "Steven", "David", "Edward", "Charles", "Laura", "Olivia", "Grace",
    "Hannah", "Rachel", "Megan", "Lucy", "Oliver", "Henry", "George", "Jack", "Emma", "Sophie",
    "Claire", "Natalie", "Victoria", "Abigail", "Peter", "Mark", "Paul", "Simon", "Kevin", "Brian",
    "Gregory", "Frank", "Alice", "Helen", "Julia",
)
_WESTERN_LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis",
    "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams",
    "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner",
    "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan",
    "Cooper", "Peterson", "Reed", "Bailey", "Bell", "Kelly", "Howard", "Ward", "Cox", "Richardson",
    "Wood", "Watson", "Brooks", "Bennett", "Gray", "Hughes", "Price", "Sanders", "Myers", "Long",
    "Ross", "Foster", "O'Brien", "O'Connor", "MacDonald", "Fitzgerald", "Hamilton", "Graham",
    "Sullivan", "Wallace", "Murray",
)
_ORIGINS = (
    # origin, weight, first names, last names
    ("western", 32, _WESTERN_FIRST, _WESTERN_LAST),
    ("german", 18, (
        "Lukas", "Jonas", "Felix", "Jürgen", "Sören", "Jörg", "Björn", "Anna", "Lena", "Zoë", "Käthe",
        "Uwe", "Dieter", "Katrin", "Sabine", "Stefan", "Matthias", "Tobias", "Franziska", "Maximilian",
        "Leonie", "Ulrike", "Günther", "Hannelore", "Tim", "Nils", "Marie", "Lea", "Moritz", "Jana"),
     ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
      "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
      "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner",
      "Krause", "Köhler", "Groß", "Weiß", "Jäger", "Böhm", "Vogt", "Kühn", "von Berg")),
    ("spanish", 9, (
        "José", "María", "Álvaro", "Begoña", "Javier", "Lucía", "Sofía", "Andrés", "Raúl", "Inés",
        "Ángel", "Marta", "Pablo", "Nuria", "Íñigo", "João", "Conceição", "Gonçalo", "Tomás", "Adrián"),
     ("Álvarez", "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez",
      "Pérez", "Gómez", "Núñez", "Muñoz", "Jiménez", "Ruiz", "Díaz", "Gonçalves", "de la Fuente",
      "Ibáñez", "Castaño", "Peña")),
    ("polish", 6, (
        "Łukasz", "Małgorzata", "Wojciech", "Paweł", "Agnieszka", "Krzysztof", "Katarzyna", "Michał",
        "Zofia", "Grzegorz", "Joanna", "Piotr", "Bartłomiej", "Jędrzej"),
     ("Kowalski", "Wiśniewska", "Dąbrowski", "Lewandowski", "Wójcik", "Kamińska", "Zieliński",
      "Szymańska", "Woźniak", "Kozłowski", "Jankowska", "Mazur", "Krawczyk", "Piątek", "Grabowski",
      "Żak")),
    ("french", 7, (
        "François", "Hélène", "Aurélie", "Loïc", "Benoît", "Céline", "Amélie", "Jérôme", "Mathieu",
        "Camille", "Élodie", "Gaël", "Noémie", "Théo", "Chloé"),
     ("Lefèvre", "Dubois", "Moreau", "Laurent", "Lefebvre", "Girard", "Bonnet", "Dupont", "Lambert",
      "Fontaine", "Rousseau", "Vincent", "Mercier", "Boucher", "Chevalier", "Faure", "Gauthier")),
    ("nordic", 5, (
        "Åsa", "Søren", "Bjørn", "Sigrid", "Ingrid", "Lars", "Mats", "Linnéa", "Frida", "Anders",
        "Karin", "Øystein", "Astrid"),
     ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Lindqvist", "Sørensen",
      "Østergaard", "Lindström", "Håkansson", "Berg", "Dahl", "Ekström")),
    ("turkish", 4, (
        "Çağla", "Özgür", "Emre", "Elif", "Burak", "Zeynep", "Mehmet", "Ayşe", "Can", "Deniz",
        "Gökhan"),
     ("Şahin", "Yılmaz", "Kaya", "Demir", "Çelik", "Yıldız", "Öztürk", "Aydın", "Arslan", "Doğan",
      "Koç")),
    ("indian", 8, (
        "Priya", "Arjun", "Rahul", "Ananya", "Vikram", "Deepa", "Sanjay", "Lakshmi", "Aditya", "Kavya",
        "Rohan", "Meera", "Venkatesh"),
     ("Sharma", "Patel", "Reddy", "Iyer", "Nair", "Gupta", "Singh", "Subramanian", "Krishnan",
      "Banerjee", "Mehta", "Rao", "Chatterjee")),
    ("vietnamese", 2, ("Thị Hoa", "Minh Đức", "Thu Hà", "Quang Huy", "Văn Nam"),
     ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng")),
)
# (native display, latin given, latin family): shown natively in some mail clients, in Latin
# script on LinkedIn and in addresses.
_NATIVE = (
    ("王伟", "Wei", "Wang"), ("李娜", "Na", "Li"), ("张敏", "Min", "Zhang"), ("陈静", "Jing", "Chen"),
    ("刘洋", "Yang", "Liu"), ("佐藤健", "Ken", "Sato"), ("鈴木花子", "Hanako", "Suzuki"),
    ("高橋誠", "Makoto", "Takahashi"), ("田中美咲", "Misaki", "Tanaka"), ("김민준", "Minjun", "Kim"),
    ("이서연", "Seoyeon", "Lee"), ("박지훈", "Jihoon", "Park"), ("محمد الأحمد", "Mohammed", "Al-Ahmad"),
    ("فاطمة حسن", "Fatima", "Hassan"), ("عمر خليل", "Omar", "Khalil"), ("ليلى منصور", "Layla", "Mansour"),
    ("يوسف النجار", "Youssef", "Al-Najjar"), ("نور حداد", "Nour", "Haddad"),
)
_NATIVE_WEIGHT = 9  # next to the _ORIGINS weights
_STRANGERS = ("Kai Brandt", "Mara Lenz", "Ole Petersen", "Ines Vogel", "Pia Roth", "Timo Hahn",
              "Sven Kraft", "Nadia Aziz", "Rui Costa", "Eva Novak", "Lina Berger", "Jan Fuchs")

OWNERS = (("Jana", "Keller"), ("Martin", "Novak"), ("Sofia", "Lindqvist"), ("David", "Okafor"),
          ("Clara", "Hoffmann"))

# --- companies ------------------------------------------------------------------------------------
_CO_A = (
    "Blue", "North", "Silver", "Bright", "Red", "Green", "Iron", "Clear", "Deep", "Swift", "Solar",
    "Lunar", "Cedar", "Maple", "Oak", "Stone", "River", "Harbor", "Summit", "Polar", "Quantum",
    "Nimbus", "Vector", "Atlas", "Orbit", "Pixel", "Signal", "Helix", "Nova", "Echo", "Prism",
    "Falcon", "Lynx", "Otter", "Koala", "Tandem", "Kite", "Anchor", "Beacon", "Compass", "Granite",
    "Willow", "Juniper", "Aurora", "Zephyr", "Copper", "Cobalt", "Indigo", "Amber", "Saffron",
)
_CO_B = (
    "Labs", "Systems", "Analytics", "Logistics", "Robotics", "Health", "Capital", "Partners",
    "Software", "Dynamics", "Networks", "Foods", "Energy", "Media", "Studio", "Works", "Bio",
    "Mobility", "Insights", "Cloud", "Data", "Security", "Ventures", "Consulting", "Materials",
    "Pharma", "Finance", "Learning", "Retail", "Games",
)
# country, weight, zone, top-level domain, legal suffix
_COUNTRIES = (
    ("DE", 25, "Europe/Berlin", "de", "GmbH"), ("US", 15, "America/New_York", "com", "Inc."),
    ("US", 10, "America/Los_Angeles", "io", "Inc."), ("GB", 10, "Europe/London", "co.uk", "Ltd"),
    ("FR", 7, "Europe/Paris", "fr", "SAS"), ("ES", 6, "Europe/Madrid", "es", "S.L."),
    ("PL", 5, "Europe/Warsaw", "pl", "sp. z o.o."), ("SE", 4, "Europe/Stockholm", "se", "AB"),
    ("JP", 3, "Asia/Tokyo", "co.jp", "K.K."), ("CN", 2, "Asia/Shanghai", "cn", "Co., Ltd."),
    ("IN", 4, "Asia/Kolkata", "in", "Pvt. Ltd."), ("AE", 2, "Asia/Dubai", "ae", "LLC"),
    ("TR", 2, "Europe/Istanbul", "com.tr", "A.Ş."), ("BR", 2, "America/Sao_Paulo", "com.br", "Ltda."),
    ("KR", 2, "Asia/Seoul", "co.kr", "Co., Ltd."), ("VN", 1, "Asia/Ho_Chi_Minh", "vn", "JSC"),
)
_EMAIL_PATTERNS = ("first.last",) * 5 + ("flast",) * 2 + ("first", "firstl", "first_last", "last.first")

POSITIONS = (
    "Software Engineer", "Senior Software Engineer", "Product Manager", "Director, Product Marketing",
    "VP Engineering", "Head of Data", "Data Scientist", "Account Executive", "CTO", "Founder",
    "Co-Founder & CEO", "Engineering Manager", "Design Lead", "Sales Director, EMEA", "Partner",
    "Consultant", "Research Scientist", "Customer Success Manager", "Operations Lead", "Investor",
    "Principal Analyst", "Marketing Manager", "Staff Engineer", "UX Researcher", "Solutions Architect",
    "Legal Counsel", "Finance Manager", "Business Development Manager",
)
RECRUITER_POSITIONS = ("Technical Recruiter", "Talent Acquisition Partner",
                       "Executive Search Consultant", "Senior Recruiter, Tech")
CREDENTIALS = ("MBA", "PhD", "CFA", "PMP", "Ph.D.")
CONFERENCES = ("Data Summit", "PyCon DE", "Web Summit", "AI Engineering Day", "Analytics Forum",
               "Product Camp", "Cloud Expo Europe", "Berlin Buzzwords", "Data Science Meetup", "Product Breakfast",
               "Analytics Roundtable", "Tech Talk Night")
EVENT_EVERY_WEEKS = 6  # the owner meets new people at a conference or meetup about this often, up to the end

# --- message text ---------------------------------------------------------------------------------
SUBJECTS = (
    "Q3 roadmap", "Slides for Thursday", "Quick question about the API", "Contract draft",
    "Coffee next week?", "Intro", "Budget review", "Feedback on the proposal", "Hiring plan",
    "Follow-up from our call", "Pilot results", "Offsite agenda", "Data export issue",
    "Partnership idea", "Invoice #4821", "Workshop in {month}", "Kaffee nächste Woche?",
    "Übergabe Projekt Nordlicht", "Réunion de lancement", "Propuesta revisada – versión 2",
    "Catching up", "Conference talk", "Reference check", "Pricing question", "Next steps",
    "Board deck", "Lunch?", "Your thoughts on the RFC", "Migration timeline", "Customer escalation",
)
ASKS = (
    "Do you have time for a quick call this week?", "Could you take a look at the draft before Friday?",
    "What do you think about moving the deadline?", "Would Tuesday at 3pm work for you?",
    "Can you send me the latest numbers?", "Any chance you could intro me to your data team?",
    "Did you get a chance to review the contract?", "Are you joining the offsite?",
    "Could you confirm the budget by Monday?", "Do you know who owns the export job now?",
    "Would you be up for a coffee when I'm in town?", "Can we push our sync by a week?",
)
TELLS = (
    "I've attached the notes from our last call.", "Here is the summary we discussed.",
    "The client signed off on the proposal.",
    "We pushed the release to next week.", "Lena takes over the account next month.",
    "The numbers look better than expected.", "I talked to the team and they are on board.",
    "Sorry for the slow reply, it's been a busy week.", "Quick update on the pilot: all green so far.",
    "Looping in my colleague who knows this better.", "Es hat alles geklappt, danke nochmal.",
    "The café downstairs reopened, by the way ☕", "Le document est prêt.",
)
# Body lines that begin with "From " (Gmail escapes them as ">From " in the mbox): rare, as in life.
FROM_LINES = ("From what I remember, the budget was approved in March.",
              "From next month on, Lena takes over the account.")
CLOSINGS = ("Thanks!", "Perfect, thanks.", "Great, see you then!", "Thanks a lot, that helps.",
            "Sounds good 👍", "Danke dir!", "Merci !", "Got it, thanks.", "Brilliant, thank you.")
GREETINGS = ("Hi {n},", "Hello {n},", "Hey {n}!", "Dear {n},", "Hi {n}", "Hallo {n},")
SIGNOFFS = ("Best,", "Cheers,", "Thanks,", "Best regards,", "Viele Grüße", "Kind regards,")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


# --- helpers ----------------------------------------------------------------------------------------
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE",
                       "đ": "d", "Đ": "D", "ı": "i", "œ": "oe"})
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_ZONES: dict[str, ZoneInfo] = {}


def ascii_fold(text: str) -> str:
    """`text` with diacritics removed: 'Łukasz Wiśniewski' -> 'Lukasz Wisniewski'."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in text if not unicodedata.combining(c)).encode("ascii", "ignore").decode()


def _token(text: str, umlauts: bool = False) -> str:
    if umlauts:
        text = text.translate(_UMLAUTS)
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower())


def zone(name: str) -> ZoneInfo:
    """A cached `ZoneInfo`."""
    if name not in _ZONES:
        _ZONES[name] = ZoneInfo(name)
    return _ZONES[name]


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0.0:
        return 0
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _hexstr(rng: random.Random, n: int, alphabet: str = "0123456789abcdef") -> str:
    if alphabet == "0123456789abcdef":
        return rng.randbytes((n + 1) // 2).hex()[:n]
    return "".join(rng.choice(alphabet) for _ in range(n))


def _b64token(rng: random.Random, nbytes: int) -> str:
    return base64.b64encode(rng.randbytes(nbytes)).decode().rstrip("=").replace("/", "_")


# --- the people -------------------------------------------------------------------------------------
@dataclass(eq=False)
class Company:
    name: str  # as LinkedIn shows it
    legal: str  # as a mail signature shows it
    domain: str
    country: str
    tz: str
    pattern: str  # local part of work addresses
    mail_client: str  # "gmail" (Google Workspace), "outlook" or "other": Message-ID and reply style
    umlauts: bool  # German-style address folding: Müller -> mueller


@dataclass(eq=False)
class Owner:
    given: str
    family: str
    company: Company
    work_email: str
    personal_email: str
    linkedin_url: str
    tz: str = OWNER_TZ

    @property
    def full_name(self) -> str:
        return f"{self.given} {self.family}"

    @property
    def emails(self) -> tuple[str, str]:
        return (self.work_email, self.personal_email)


@dataclass(eq=False)
class Person:
    person_id: str
    given: str
    family: str
    native: str | None  # name in native script (CJK, Arabic), shown by some mail clients
    nickname: str | None  # the name they go by, when it is not `given`
    group: str
    trajectory: str
    company: Company
    position: str
    latent: array  # one value per history week, oldest first; the last is the value at `end`
    change_week: int  # trajectory change point (week index); -1 if none
    level_before: float
    previous: Company | None = None  # employer before `job_week`
    job_week: int = -1
    work_email: str | None = None
    old_email: str | None = None  # at `previous`, used before `job_week`
    personal_email: str | None = None
    variant_email: str | None = None  # the same mailbox written differently (dots, +tag, case)
    personal_share: float = 0.0
    mail_name: str | None = None  # display name their own mail client writes
    mail_form: str = "name"  # "name" (Name <addr>), "bare" (addr) or "comment" (addr (Name))
    linkedin_url: str | None = None
    li_first: str = ""  # LinkedIn names as the export writes them (spaces, credentials kept)
    li_last: str = ""
    connected_on: dt.date | None = None
    contact_week: int = -1  # the single contact of a one-off
    conference: str = ""
    vacation_weeks: frozenset = frozenset()
    has_ooo: bool = False
    shared_inbox: str | None = None
    bare_addresses: frozenset = frozenset()  # addresses their mail never shows a display name for
    in_department: bool = False  # a foci co-worker in the owner's own department
    list_post_week: int = -1
    followup: str = "none"  # how a one-off contact follows up: "email", "linkedin" or "none"
    # Personal habits: how much of a tie shows in each channel (some friends meet, some only mail).
    email_habit: float = 1.0
    meet_habit: float = 1.0
    linkedin_habit: float = 1.0

    @property
    def full_name(self) -> str:
        return f"{self.given} {self.family}"

    @property
    def first(self) -> str:
        """The name they go by."""
        return self.nickname or self.given

    @property
    def tz(self) -> str:
        return self.company.tz

    def work_address(self, week: int) -> str | None:
        """The work address valid in `week` (the old employer's before a job change)."""
        if self.old_email and week < self.job_week:
            return self.old_email
        return self.work_email

    @property
    def linkedin_display(self) -> str:
        """The name LinkedIn shows in messages and invitations."""
        return f"{self.li_first.strip()} {self.li_last.strip()}".strip()


# --- events (pure data) -----------------------------------------------------------------------------
class Addr(NamedTuple):
    """One mail party: the address as written, the display name the writing client used."""

    email: str
    name: str | None
    form: str  # "name", "bare" or "comment"
    who: str  # "owner", a person_id, "auto:<kind>" or "shared"


class Quote(NamedTuple):
    sent_at: dt.datetime
    tz: str
    addr: Addr
    text: str


class Mail(NamedTuple):
    gmail_id: int
    thread_id: int
    sent_at: dt.datetime  # UTC
    received_at: dt.datetime  # UTC; Gmail's internal date
    tz: str  # sender's zone, for the Date header
    sender: Addr
    to: tuple
    cc: tuple
    subject: str
    message_id: str
    in_reply_to: str | None
    references: tuple
    kind: str  # direct, group, internal, announcement, self, cold, newsletter, notification,
    #            calendar, bounce, auto_reply, list, list_post, spam
    direction: str  # "in", "out" or "self"
    text: str
    quote: Quote | None = None
    headers: tuple = ()  # extra (name, value) headers: List-Id, Precedence, Auto-Submitted, ...
    human: bool = True  # written by a person (may carry an attachment)
    category: str = ""  # Gmail's tab ("Category Updates", ...), "" for personal mail; "Spam"


class LiParty(NamedTuple):
    name: str
    url: str
    who: str  # "owner", a person_id, "auto:sponsored" or "" (a deleted member)


class LiMessage(NamedTuple):
    conversation_id: str
    title: str
    sender: LiParty
    recipients: tuple
    sent_at: dt.datetime
    subject: str
    content: str
    folder: str
    is_draft: bool


class LiConnection(NamedTuple):
    first: str
    last: str
    url: str
    email: str
    company: str
    position: str
    connected_on: dt.date
    who: str  # person_id, "" for a blank member row


class LiInvitation(NamedTuple):
    sender: LiParty
    recipient: LiParty
    sent_at: dt.datetime  # UTC
    message: str
    direction: str  # INCOMING or OUTGOING
    accepted: bool


class LinkedInData(NamedTuple):
    connections: list
    messages: list  # LiMessage, in no particular order
    invitations: list
    reactions: list  # (datetime UTC, type, link)


class Attendance(NamedTuple):
    email: str
    name: str | None
    partstat: str
    who: str  # "owner", person_id, "resource"
    cutype: str = "INDIVIDUAL"
    role: str = "REQ-PARTICIPANT"


class Override(NamedTuple):
    """A changed instance of a series: moved (new start/end) or cancelled."""

    recurrence_id: dt.datetime
    start: dt.datetime
    end: dt.datetime
    cancelled: bool


@dataclass(eq=False)
class Meeting:
    uid: str
    calendar: str  # "main" or "team"
    summary: str
    start: dt.datetime | dt.date  # date for all-day events; owner's zone for series, UTC otherwise
    end: dt.datetime | dt.date  # exclusive
    organizer: Attendance | None
    attendees: list
    created: dt.datetime
    status: str = "CONFIRMED"
    rrule: dict | None = None  # FREQ, INTERVAL, BYDAY, UNTIL, COUNT
    exdates: list = field(default_factory=list)
    overrides: list = field(default_factory=list)
    location: str = ""
    description: str = ""
    transparent: bool = False

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)


# --- ground truth ---------------------------------------------------------------------------------
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


# --- the simulation ---------------------------------------------------------------------------------
def _group_sizes(n: int) -> dict[str, int]:
    # Close ties and collaborators saturate (Dunbar): a bigger network adds weak ties, not friends.
    sizes = {
        "close": min(25, max(3, round(0.03 * n))),
        "collaborator": min(200, max(5, round(0.10 * n))),
        "foci": max(6, round(0.12 * n)),
        "recruiter": max(3, round(0.05 * n)),
        "event": max(5, round(0.10 * n)),
    }
    rest = n - sum(sizes.values())
    sizes["acquaintance"] = round(rest * 0.45)
    sizes["linkedin_only"] = rest - sizes["acquaintance"]
    return sizes


_TRAJECTORY_MIX = {
    "close": (("stable", 0.6), ("fading", 0.25), ("warming", 0.15)),
    "collaborator": (("stable", 0.5), ("fading", 0.25), ("warming", 0.25)),
    "foci": (("stable", 0.8), ("warming", 0.1), ("fading", 0.1)),
    "acquaintance": (("stable", 0.5), ("dormant", 0.25), ("warming", 0.1), ("fading", 0.15)),
    "linkedin_only": (("dormant", 1.0),),
    "recruiter": (("one_off", 1.0),),
    "event": (("one_off", 1.0),),
}
_LEVEL = {"close": (0.6, 0.95), "collaborator": (0.3, 0.65), "foci": (0.03, 0.2),
          "acquaintance": (0.06, 0.3), "linkedin_only": (0.0, 0.05), "recruiter": (0.0, 0.0),
          "event": (0.0, 0.0)}
# Relative use of each channel per unit of latent strength.
_EMAIL_PREF = {"close": 1.0, "collaborator": 1.0, "foci": 0.8, "acquaintance": 0.5, "event": 0.4,
               "linkedin_only": 0.0, "recruiter": 0.0}
_LINKEDIN_PREF = {"close": 0.15, "collaborator": 0.15, "foci": 0.1, "acquaintance": 0.5,
                  "event": 0.6, "linkedin_only": 0.8, "recruiter": 0.0}
_MEET_PREF = {"close": 1.0, "collaborator": 1.0, "foci": 0.6, "acquaintance": 0.4, "event": 0.0,
              "linkedin_only": 0.0, "recruiter": 0.0}
_OWNER_STARTS = {"close": 0.5, "collaborator": 0.5, "foci": 0.35, "acquaintance": 0.4, "event": 0.5}

@dataclass(frozen=True)
class OwnerHabits:
    """How the owner mails, meets and answers: the behaviour that is the owner's own, so that worlds
    can differ in it and a method fitted to one owner is tested on another."""

    answers_questions: float = 0.55  # chance of answering a message that asks something, at tie strength 0
    answers_per_strength: float = 0.4  # ... rising with the tie's strength (0..1)
    answers_thanks: float = 0.08  # chance of answering a message that asks nothing ("Thanks!", an FYI)
    reply_slowness: float = 1.0  # multiplies the owner's time to answer
    email_rate: float = 1.0  # multiplies the direct and group e-mail threads
    meeting_rate: float = 1.0  # multiplies the meetings
    linkedin_rate: float = 1.0  # multiplies the LinkedIn conversations
    initiative: float = 1.0  # multiplies the chance that the owner starts a direct thread


OWNER_TYPES = {
    "typical": OwnerHabits(),
    "fast_replier": OwnerHabits(answers_questions=0.8, answers_per_strength=0.18, reply_slowness=0.25),
    "slow_replier": OwnerHabits(answers_questions=0.45, answers_per_strength=0.35, reply_slowness=8.0),
    "never_thanks": OwnerHabits(answers_thanks=0.0),
    "heavy_meeter": OwnerHabits(meeting_rate=3.0, email_rate=0.6),
    "linkedin_networker": OwnerHabits(email_rate=0.35, meeting_rate=0.4, linkedin_rate=4.0, initiative=1.3),
}

DIRECT_RATE = 1.1  # direct threads per week at latent 1.0 (times the group's email preference)
LINKEDIN_RATE = 0.35
MEETING_RATE = 0.2
MAX_ONE_ON_ONES_PER_WEEK = 12


class Simulation:
    """A seeded world: build it once, then ask for its calendar, LinkedIn data and mail stream.

    Call order matters only for mail: `mail()` needs `calendar()` and `linkedin()` (it sends their
    notification mails), and awaiting-reply truth is complete once the one `mail()` stream is
    exhausted.
    """

    def __init__(self, people: int, seed: int, end: dt.date | dt.datetime, mail_scale: float = 1.0,
                 owner_type: str = "typical", history_weeks: int = HISTORY_WEEKS,
                 identity: IdentityKnobs = IdentityKnobs()):
        if not MIN_PEOPLE <= people <= MAX_PEOPLE:
            raise ValueError(f"people must be between {MIN_PEOPLE} and {MAX_PEOPLE}, got {people}")
        if mail_scale <= 0:
            raise ValueError(f"mail_scale must be positive, got {mail_scale}")
        if not 104 <= history_weeks <= 1100:
            raise ValueError(f"history_weeks must be between 104 and 1100, got {history_weeks}")
        if owner_type not in OWNER_TYPES:
            raise ValueError(f"owner_type must be one of {', '.join(OWNER_TYPES)}, got {owner_type!r}")
        self.seed = seed
        self.owner_type = owner_type
        self.habits = OWNER_TYPES[owner_type]
        # `end` is the world's "now": a moment, or a date meaning midnight UTC at its start
        self.now = end.astimezone(UTC) if isinstance(end, dt.datetime) else dt.datetime.combine(end, dt.time(), UTC)
        self.end = self.now.date()
        self.mail_scale = mail_scale
        self.identity = identity
        self.weeks = history_weeks
        self.start = self.now - dt.timedelta(weeks=self.weeks)
        self.awaiting: list[Awaiting] = []
        self._calendar: list[Meeting] | None = None
        self._linkedin: LinkedInData | None = None
        rng = self._rng("people")
        self.companies = self._make_companies(rng, people)
        self.owner = self._make_owner(rng)
        self.conference_weeks = self._make_conferences(rng)
        self.people = self._make_people(rng, people)
        self.by_id = {p.person_id: p for p in self.people}
        self.owner_vacation = self._vacations(rng, blocks_per_year=3, ahead=True)
        self.shared_inboxes = self._shared_inboxes()

    def _rng(self, stream: str) -> random.Random:
        return random.Random(f"tiekeeper-demo/{self.seed}/{stream}")

    def week_of(self, t: dt.datetime) -> int:
        """History week index of `t` (clamped to the history)."""
        w = (t - self.start) // dt.timedelta(weeks=1)
        return min(max(w, 0), self.weeks - 1)

    def week_start(self, w: int) -> dt.datetime:
        return self.start + dt.timedelta(weeks=w)

    # --- population ---------------------------------------------------------------------------
    def _make_companies(self, rng: random.Random, n: int) -> list[Company]:
        combos = [(a, b) for a in _CO_A for b in _CO_B]
        rng.shuffle(combos)
        count = min(max(12, n // 6), len(combos) - 1)
        weights = [c[1] for c in _COUNTRIES]
        companies, domains = [], set()
        for a, b in combos[:count]:
            country, _, tz, tld, suffix = rng.choices(_COUNTRIES, weights)[0]
            domain = f"{a}{b}".lower() if rng.random() < 0.6 else f"{a}-{b}".lower()
            domain = f"{domain}.{tld}"
            if domain in domains:
                continue
            domains.add(domain)
            companies.append(Company(
                name=f"{a} {b}", legal=f"{a} {b} {suffix}" if rng.random() < 0.6 else f"{a} {b}",
                domain=domain, country=country, tz=tz, pattern=rng.choice(_EMAIL_PATTERNS),
                mail_client=rng.choices(("gmail", "outlook", "other"), (45, 40, 15))[0],
                umlauts=country == "DE" and rng.random() < 0.7))
        # Fixed companies that the hard cases need: a name with a comma, a vendor with a shared inbox.
        self.law_firm = Company("Smith, Jones & Partners LLP", "Smith, Jones & Partners LLP",
                                "sjp-legal.co.uk", "GB", "Europe/London", "first.last", "outlook", False)
        self.vendor = Company("Nordlicht Software", "Nordlicht Software GmbH", "nordlicht-software.de",
                              "DE", "Europe/Berlin", "flast", "gmail", True)
        companies += [self.law_firm, self.vendor]
        self.agencies = [
            Company("TalentBridge Recruiting", "TalentBridge Recruiting Ltd",
                    "talentbridge-recruiting.com", "GB", "Europe/London", "first.last", "outlook",
                    False),
            Company("Hire Harbor", "Hire Harbor GmbH", "hireharbor.io", "DE", "Europe/Berlin",
                    "first", "gmail", False),
            Company("Apex Search Partners", "Apex Search Partners", "apexsearch.co.uk", "GB",
                    "Europe/London", "flast", "other", False),
        ]
        return companies

    def _make_owner(self, rng: random.Random) -> Owner:
        given, family = OWNERS[self.seed % len(OWNERS)]
        company = Company("Brightwave Analytics", "Brightwave Analytics GmbH", "brightwave.io",
                          "DE", OWNER_TZ, "first.last", "gmail", True)
        self.owner_company = company
        first, last = _token(given), _token(family)
        return Owner(
            given, family, company, work_email=f"{first}.{last}@{company.domain}",
            personal_email=f"{first}.{last}{rng.randint(70, 99)}@gmail.com",
            linkedin_url=f"https://www.linkedin.com/in/{first}-{last}-{_hexstr(rng, 6)}")

    def _make_conferences(self, rng: random.Random) -> list[tuple[int, str]]:
        # Spread over the whole history, its last weeks included: a world whose events stopped weeks
        # before its end would show a dead last week (no new connections, nobody met).
        weeks = sorted(rng.sample(range(4, self.weeks), self.weeks // EVENT_EVERY_WEEKS))
        return [(w, f"{rng.choice(CONFERENCES)} {self.week_start(w).year}") for w in weeks]

    def _name(self, rng: random.Random, used: set) -> tuple[str, str, str | None]:
        """A name not used yet where possible (big worlds do repeat names, as life does)."""
        weights = [o[1] for o in _ORIGINS] + [_NATIVE_WEIGHT]
        for _ in range(6):
            pick = rng.choices(range(len(weights)), weights)[0]
            if pick == len(_ORIGINS):
                native, given, family = rng.choice(_NATIVE)
            else:
                _, _, firsts, lasts = _ORIGINS[pick]
                given, family, native = rng.choice(firsts), rng.choice(lasts), None
            if (given, family) not in used and (given, family) != ("John", "Smith"):
                break
        used.add((given, family))
        return given, family, native

    def _make_people(self, rng: random.Random, n: int) -> list[Person]:
        sizes = _group_sizes(n)
        groups = [g for g in GROUPS for _ in range(sizes[g])]
        rng.shuffle(groups)  # person ids must not reveal the group
        used = {(self.owner.given, self.owner.family)}
        externals = self.companies
        company_weights = [1.0 / (i + 1) ** 0.7 for i in range(len(externals))]
        people = []
        for i, group in enumerate(groups):
            given, family, native = self._name(rng, used)
            if group == "foci":
                company = self.owner_company
            elif group == "recruiter" and rng.random() < 0.7:
                company = rng.choice(self.agencies)
            else:
                company = rng.choices(externals, company_weights)[0]
            trajectory = rng.choices(*zip(*_TRAJECTORY_MIX[group]))[0]
            position = rng.choice(RECRUITER_POSITIONS if group == "recruiter" else POSITIONS)
            p = Person(person_id=f"p{i + 1:05d}", given=given, family=family, native=native,
                       nickname=None, group=group, trajectory=trajectory, company=company,
                       position=position, latent=array("d"), change_week=-1, level_before=0.0)
            if given in NICKNAMES and rng.random() < 0.5:
                p.nickname = rng.choice(NICKNAMES[given])
            people.append(p)
        self._hard_cases(rng, people)
        knobs = self._rng("identity-knobs")  # its own stream: with every knob off, nothing else moves
        if self.identity.namesakes:
            self._namesakes(knobs, people)
        department = [p for p in people if p.group == "foci"][:40]
        for p in department:
            p.in_department = True
        if department:
            department[0].position = "VP Engineering"
        for p in people:
            self._latent(rng, p)
            p.vacation_weeks = self._vacations(rng, blocks_per_year=1, ahead=False)
            p.has_ooo = rng.random() < 0.35
            p.email_habit = rng.lognormvariate(0, 0.5)
            p.meet_habit = rng.lognormvariate(0, 0.5)
            p.linkedin_habit = rng.lognormvariate(0, 0.6)
        taken_addresses: set = set()
        taken_slugs: set = set()
        for p in people:
            self._job_history(rng, p)
            if self.identity.job_changes and p.previous is None and knobs.random() < self.identity.job_changes:
                self._change_job(knobs, p)
            self._addresses(rng, p, taken_addresses)
            if self.identity.bare_personal or self.identity.partial_work:
                self._harder_addresses(knobs, p, taken_addresses)
            self._linkedin_identity(rng, p, taken_slugs)
            if p.group == "event":
                roll = rng.random()
                if roll < 0.45 and (p.work_email or p.personal_email):
                    p.followup = "email"
                elif roll < 0.8 and p.linkedin_url:
                    p.followup = "linkedin"
        if self.identity.role_addresses:
            self._role_addresses(knobs, people)
        return people

    def _hard_cases(self, rng: random.Random, people: list[Person]) -> None:
        """Force the cases identity resolution must survive, whatever the world size."""
        taken: set = set()

        def take(groups: tuple, count: int) -> list[Person]:
            chosen = [p for g in groups for p in people if p.group == g and p.person_id not in taken
                      and p.trajectory != "dormant"][:count]
            taken.update(p.person_id for p in chosen)
            return chosen
        # Two different John Smiths at different companies.
        smiths = take(("collaborator",), 1) + take(("acquaintance",), 1)
        for p, company in zip(smiths, (self.companies[0], self.law_firm)):
            p.given, p.family, p.native, p.nickname, p.company = "John", "Smith", None, None, company
        # A shared inbox at a vendor: several humans answer from sales@.
        for p in take(("acquaintance", "collaborator"), 3):
            p.company = self.vendor
            p.shared_inbox = f"sales@{self.vendor.domain}"
        # Someone who posted once through a mailing list but otherwise writes directly.
        for p in take(("acquaintance",), 1):
            p.list_post_week = rng.randrange(20, self.weeks - 10)
        # A recent job change: LinkedIn shows the new employer, the mail the old domain.
        for p in take(("collaborator",), 1):
            p.previous, p.job_week = p.company, self.weeks - 3
            p.company = rng.choice([c for c in self.companies if c is not p.previous])
        # Names with diacritics, nicknames and non-Latin scripts among people one mails.
        forced = [("José", "Álvarez", None, None), ("Zoë", "Müller", None, None),
                  ("Łukasz", "Wiśniewski", None, None), ("Robert", "Miller", None, "Bob"),
                  ("William", "Turner", None, "Bill"), ("Elizabeth", "Clark", None, "Liz"),
                  ("Katherine", "Hughes", None, "Kate"), ("Wei", "Wang", "王伟", None),
                  ("Fatima", "Hassan", "فاطمة حسن", None), ("Minjun", "Kim", "김민준", None)]
        smith_ids = {p.person_id for p in smiths}
        named = [p for g in ("close", "collaborator", "acquaintance") for p in people
                 if p.group == g and p.person_id not in smith_ids and p.trajectory != "dormant"]
        named = named[:2] + [p for p in named[2:] if p.group == "collaborator"][:4] + \
            [p for p in named[2:] if p.group == "acquaintance"][:4]
        for p, (given, family, native, nick) in zip(named, forced):
            p.given, p.family, p.native, p.nickname = given, family, native, nick

    def _namesakes(self, rng: random.Random, people: list[Person]) -> None:
        """Names drawn with realistic (Zipf) frequencies, then namesakes at other companies until
        `namesakes` of the people share their full name with someone."""
        kept = {("John", "Smith"), ("José", "Álvarez"), ("Zoë", "Müller"), ("Łukasz", "Wiśniewski"),
                ("Robert", "Miller"), ("William", "Turner"), ("Elizabeth", "Clark"), ("Katherine", "Hughes"),
                ("Wei", "Wang"), ("Fatima", "Hassan"), ("Minjun", "Kim")}  # the hard cases keep theirs
        free = [p for p in people if (p.given, p.family) not in kept]
        weights = [o[1] for o in _ORIGINS]
        for p in free:
            _, _, firsts, lasts = _ORIGINS[rng.choices(range(len(_ORIGINS)), weights)[0]]
            p.given = rng.choices(firsts, [1 / (i + 1) for i in range(len(firsts))])[0]
            p.family = rng.choices(lasts, [1 / (i + 1) for i in range(len(lasts))])[0]
            p.native = None
            p.nickname = rng.choice(NICKNAMES[p.given]) if p.given in NICKNAMES and rng.random() < 0.5 else None
        owner = (self.owner.given, self.owner.family)
        for p in free:
            if (p.given, p.family) == owner:
                p.family = rng.choice([last for _, _, _, lasts in _ORIGINS for last in lasts if last != owner[1]])
        counts: dict[tuple[str, str], int] = {}
        for p in people:
            counts[(p.given, p.family)] = counts.get((p.given, p.family), 0) + 1
        shared = sum(n for n in counts.values() if n > 1)
        target = round(self.identity.namesakes * len(people))
        for _ in range(len(people) * 4):
            if shared >= target:
                break
            a, b = rng.sample(free, 2)
            if a.company is b.company or counts[(b.given, b.family)] > 1:
                continue
            counts[(b.given, b.family)] -= 1
            shared += 2 if counts[(a.given, a.family)] == 1 else 1
            b.given, b.family, b.nickname = a.given, a.family, a.nickname
            counts[(a.given, a.family)] += 1

    def _change_job(self, rng: random.Random, p: Person) -> None:
        if p.group in ("foci", "linkedin_only", "recruiter") or p.shared_inbox:
            return
        new = rng.choice([c for c in self.companies if c is not p.company])
        p.previous, p.company, p.job_week = p.company, new, rng.randint(10, self.weeks - 4)

    def _harder_addresses(self, rng: random.Random, p: Person, taken: set) -> None:
        """Personal addresses as flast at a free-mail domain, work addresses holding one name only;
        both written without a display name."""
        bare = set(p.bare_addresses)
        first, last = _token(p.given), _token(p.family)
        if p.personal_email and rng.random() < self.identity.bare_personal:
            taken.discard(p.personal_email)
            domain = rng.choice(("gmail.com", "gmail.com", "proton.me", "outlook.com", "web.de"))
            p.personal_email = self._unique(f"{first[:1]}{last}", domain, taken, rng)
            p.variant_email = None
            bare.add(p.personal_email)
        if p.work_email and p.group != "foci" and rng.random() < self.identity.partial_work:
            taken.discard(p.work_email)
            domain = p.work_email.split("@")[1]
            p.work_email = self._unique(first if rng.random() < 0.5 else last, domain, taken, rng)
            if p.variant_email and p.variant_email.split("@")[1].lower() == domain:
                p.variant_email = None
            bare.add(p.work_email)
        p.bare_addresses = frozenset(bare)

    def _role_addresses(self, rng: random.Random, people: list[Person]) -> None:
        """Shared role addresses at other companies: two or three people there answer from them."""
        by_company: dict[int, list[Person]] = {}
        for p in people:
            if p.work_email and p.group in ("close", "collaborator", "acquaintance") and not p.shared_inbox:
                by_company.setdefault(id(p.company), []).append(p)
        teams = [staff for staff in by_company.values()
                 if len(staff) >= 2 and staff[0].company not in (self.vendor, self.owner_company)]
        for staff in rng.sample(teams, min(self.identity.role_addresses, len(teams))):
            role = rng.choice(("sales", "team", "info", "support", "hello", "office"))
            for p in staff[:3]:
                p.shared_inbox = f"{role}@{p.company.domain}"

    def address_book(self) -> list[Card]:
        """The owner's address book: cards for `address_book` of the people one mails, as people
        keep them: some addresses missing, some out of date, a nickname here and there."""
        rng = self._rng("address-book")
        cards = []
        for p in self.people:
            if not (p.work_email or p.personal_email) or p.group == "linkedin_only":
                continue
            if rng.random() >= self.identity.address_book:
                continue
            stale = p.previous is not None and p.old_email and rng.random() < 0.4  # made before the job change
            emails = []
            work = p.old_email if stale else p.work_email
            if work and rng.random() < 0.9:
                emails.append(work)
            if stale and p.work_email and rng.random() < 0.3:
                emails.append(p.work_email)
            if p.personal_email and (not emails or rng.random() < 0.8):
                emails.append(p.personal_email)
            if not emails:
                continue
            name = f"{p.nickname} {p.family}" if p.nickname and rng.random() < 0.3 else p.full_name
            if p.native and rng.random() < 0.5:
                name = p.native
            company = p.previous if stale else p.company
            cards.append(Card(
                given=p.nickname if p.nickname and name.startswith(p.nickname) else p.given, family=p.family,
                full_name=name, organization=company.name, title=p.position if rng.random() < 0.5 else None,
                emails=tuple(emails), phone=f"+49 1{rng.randint(50, 79)} {rng.randint(1000000, 9999999)}",
                linkedin_url=p.linkedin_url if p.linkedin_url and rng.random() < 0.25 else None,
                uid=_uuid(rng), who=p.person_id, app=rng.choices(CARD_APPS, (35, 30, 15, 20))[0]))
        for inbox in self.shared_inboxes:  # a shared inbox gets a card of its own, as a company
            cards.append(Card(given="", family="", full_name=f"{inbox.company} {_role_name(inbox.address)}",
                              organization=inbox.company, title=None, emails=(inbox.address,), phone=None,
                              linkedin_url=None, uid=_uuid(rng), who="shared", app="apple"))
        return cards

    def _vacations(self, rng: random.Random, blocks_per_year: int, ahead: bool) -> frozenset:
        total = self.weeks + (9 if ahead else 0)
        count = max(1, round(blocks_per_year * total / 52))
        weeks = []
        for start in rng.sample(range(total - 1), count):
            weeks.append(start)
            if rng.random() < 0.4:
                weeks.append(start + 1)
        return frozenset(weeks)

    def _latent(self, rng: random.Random, p: Person) -> None:
        W = self.weeks
        lo, hi = _LEVEL[p.group]
        traj = p.trajectory
        if traj == "warming":  # a weak tie that becomes a real one
            lo, hi = max(lo, 0.3), max(hi, 0.7)
        base = rng.uniform(lo, hi)
        values = [0.0] * W
        if traj == "one_off":
            if p.group == "event":
                p.contact_week, p.conference = rng.choice(self.conference_weeks)
                peak = rng.uniform(0.15, 0.35)
            else:
                p.contact_week, peak = rng.randrange(W), 0.0  # cold outreach is no tie at all
            for w in range(p.contact_week, W):
                values[w] = peak * 0.5 ** (w - p.contact_week)
            p.level_before = 0.0
        elif traj == "fading":
            cp, half = rng.randint(W - 78, W - 6), rng.uniform(3, 10)
            floor = base * rng.uniform(0.03, 0.12)
            for w in range(W):
                values[w] = base if w < cp else floor + (base - floor) * 0.5 ** ((w - cp) / half)
            p.change_week, p.level_before = cp, base
        elif traj == "warming":
            low = rng.uniform(0.005, 0.08)
            cp, ramp = rng.randint(W - 78, W - 8), rng.uniform(4, 16)
            for w in range(W):
                x = min(max((w - cp) / ramp, 0.0), 1.0)
                values[w] = low + (base - low) * x * x * (3 - 2 * x)
            p.change_week, p.level_before = cp, low
        elif traj == "dormant" and p.group != "linkedin_only":
            cp = rng.randint(0, W - 104)
            for w in range(W):
                values[w] = base if w < cp else max(0.005, base * 0.5 ** ((w - cp) / 8))
            p.change_week, p.level_before = cp, base
        else:  # stable, and the near-zero LinkedIn-only connections
            values = [base] * W
            p.level_before = base
        if p.group not in ("linkedin_only", "recruiter"):
            # Weekly ups and downs around the trajectory: a slow multiplicative random walk.
            z = rng.gauss(0, 0.2)
            for w in range(W):
                z = 0.85 * z + rng.gauss(0, 0.1)
                values[w] = min(1.0, max(0.0, values[w] * math.exp(z)))
        p.latent = array("d", values)

    def _job_history(self, rng: random.Random, p: Person) -> None:
        if p.previous is not None or p.group in ("foci", "linkedin_only", "recruiter"):
            return
        if p.shared_inbox is None and rng.random() < 0.15:
            p.previous = p.company
            p.company = rng.choice(self.companies)
            if p.company is p.previous:
                p.previous = None
                return
            p.job_week = rng.randint(10, self.weeks - 4)

    def _local(self, p: Person, company: Company, pattern: str) -> str:
        first, last = _token(p.given, company.umlauts), _token(p.family, company.umlauts)
        return {
            "first.last": f"{first}.{last}", "flast": f"{first[:1]}{last}", "first": first,
            "firstl": f"{first}{last[:1]}", "first_last": f"{first}_{last}",
            "last.first": f"{last}.{first}",
        }[pattern]

    def _unique(self, local: str, domain: str, taken: set, rng: random.Random) -> str:
        address = f"{local}@{domain}"
        while address in taken:
            address = f"{local}{rng.randint(2, 99)}@{domain}"
        taken.add(address)
        return address

    def _addresses(self, rng: random.Random, p: Person, taken: set) -> None:
        group = p.group
        has_work = group in ("close", "collaborator", "foci", "event", "acquaintance") or (
            group == "recruiter" and rng.random() < 0.5)
        if group == "acquaintance" and rng.random() < 0.2:
            has_work = False  # freelancers and friends-of-friends: a private address only
        if group == "event" and rng.random() < 0.3:
            has_work = False
        personal_p = {"close": 0.85, "collaborator": 0.3, "foci": 0.15, "acquaintance": 0.5,
                      "event": 0.3, "recruiter": 0.1, "linkedin_only": 0.0}[group]
        if has_work:
            pattern = p.company.pattern if rng.random() < 0.9 else "first.last"
            p.work_email = self._unique(self._local(p, p.company, pattern), p.company.domain,
                                        taken, rng)
            if p.previous is not None:
                p.old_email = self._unique(self._local(p, p.previous, p.previous.pattern),
                                           p.previous.domain, taken, rng)
        if rng.random() < personal_p or (group in ("acquaintance", "event") and not has_work):
            first, last = _token(p.given), _token(p.family)
            local = rng.choice((f"{first}.{last}", f"{first}{last}", f"{first[:1]}{last}{rng.randint(70, 99)}",
                                f"{first}.{last}{rng.randint(1, 99)}", f"{last}.{first}"))
            domain = "googlemail.com" if p.company.country == "DE" and rng.random() < 0.15 else "gmail.com"
            p.personal_email = self._unique(local, domain, taken, rng)
            p.personal_share = {"close": 0.45, "acquaintance": 0.5, "event": 0.5}.get(group, 0.06)
            if not has_work:
                p.personal_share = 1.0
            roll = rng.random()
            user = p.personal_email.split("@")[0]
            if roll < 0.12 and "." in user:
                p.variant_email = f"{user.replace('.', '')}@{domain}"  # Gmail ignores dots
            elif roll < 0.2:
                p.variant_email = f"{user}+{rng.choice(('work', 'news', 'jobs'))}@{domain}"
            elif roll < 0.25:
                p.variant_email = f"{user.title()}@{domain}"
        if p.variant_email is None and p.work_email and rng.random() < 0.04:
            local, domain = p.work_email.split("@")
            p.variant_email = f"{local.title()}@{domain.title()}"
        # How their own mail client writes their name.
        roll = rng.random()
        plain = f"{p.first} {p.family}"
        if p.native and roll < 0.6:
            p.mail_name = p.native
        elif p.company.mail_client == "outlook" and roll < 0.5:
            p.mail_name = f"{p.family}, {p.given}"
        elif roll < 0.05:
            p.mail_name, p.mail_form = None, "bare"
        elif roll < 0.08:
            p.mail_name, p.mail_form = plain, "comment"
        elif roll < 0.1:
            p.mail_name = plain.lower()
        else:
            p.mail_name = plain

    def _linkedin_identity(self, rng: random.Random, p: Person, taken: set) -> None:
        has_profile = {"close": 0.9, "collaborator": 0.9, "foci": 0.85, "acquaintance": 0.9,
                       "linkedin_only": 1.0, "recruiter": 1.0, "event": 0.95}[p.group]
        if rng.random() >= has_profile and p.full_name != "John Smith":
            return
        first = p.nickname if p.nickname and rng.random() < 0.4 else p.given
        last = p.family
        roll = rng.random()
        if roll < 0.12 and p.native is None:
            first = f"{first} {rng.choice('ABCDEFGHJKLMPRSTW')}."
        elif roll < 0.18:
            last = f"{last}, {rng.choice(CREDENTIALS)}"
        elif roll < 0.22:
            first = first + " "
        elif roll < 0.25:
            last = last + " "
        elif roll < 0.26:
            last = last + " 🌱"
        if p.group == "linkedin_only" and rng.random() < 0.01:
            last = "."
        p.li_first, p.li_last = first, last
        base = f"{_token(p.given)}-{_token(p.family)}"
        roll = rng.random()
        if roll < 0.45:
            slug = f"{base}-{_hexstr(rng, rng.choice((6, 8)), '0123456789abcdefghijklmnopqrstuvwxyz')}"
        elif roll < 0.55 and p.native is None and ascii_fold(p.given + p.family) != p.given + p.family:
            slug = "-".join(_url_quote(re.sub(r"\s+", "-", s.lower()), safe="-")
                            for s in (p.given, p.family)) + f"-{_hexstr(rng, 6)}"
        else:
            slug = base.replace("-", "") if roll < 0.8 else base
        while slug in taken:
            slug = f"{slug}-{rng.randint(1, 999)}"
        taken.add(slug)
        p.linkedin_url = f"https://www.linkedin.com/in/{slug}"

    def _shared_inboxes(self) -> list[SharedInbox]:
        by_address: dict[str, list[Person]] = {}
        for p in self.people:
            if p.shared_inbox:
                by_address.setdefault(p.shared_inbox, []).append(p)
        return [SharedInbox(address, humans[0].company.name, tuple(p.person_id for p in humans))
                for address, humans in by_address.items()]

    # --- common behaviour ---------------------------------------------------------------------------
    def _work_time(self, rng: random.Random, week: int, tz: str, day: int | None = None) -> dt.datetime:
        """A plausible sending moment in `week`, in working hours of `tz`, as UTC."""
        base = self.week_start(week)
        local_zone = zone(tz)
        for _ in range(4):
            d = rng.randrange(7) if day is None else day
            date = (base + dt.timedelta(days=d)).astimezone(local_zone).date()
            if date.weekday() < 5 or rng.random() < 0.1:
                break
        hour = rng.uniform(8, 18.5) if rng.random() < 0.9 else rng.uniform(19, 23)
        local = dt.datetime.combine(date, dt.time(int(hour), int(hour % 1 * 60), rng.randrange(60)),
                                    local_zone)
        return local.astimezone(UTC)

    def _business_shift(self, rng: random.Random, t: dt.datetime, tz: str) -> dt.datetime:
        """Move a reply out of the night, and mostly out of the weekend."""
        local = t.astimezone(zone(tz))
        if local.hour < 7 or local.hour >= 23:
            day = local.date() if local.hour < 7 else local.date() + dt.timedelta(days=1)
            local = dt.datetime.combine(day, dt.time(7 + rng.randrange(3), rng.randrange(60)),
                                        zone(tz))
        if local.weekday() >= 5 and rng.random() < 0.75:
            day = local.date() + dt.timedelta(days=7 - local.weekday())
            local = dt.datetime.combine(day, dt.time(8 + rng.randrange(3), rng.randrange(60)),
                                        zone(tz))
        return local.astimezone(UTC)

    def _reply_delay(self, rng: random.Random, strength: float, slow: float = 1.0) -> dt.timedelta:
        # Stronger ties answer faster: median about 40 minutes at 1.0, about a day near 0.
        median = 1440.0 * math.exp(-3.5 * strength) * slow
        minutes = median * math.exp(rng.gauss(0, 1.1))
        return dt.timedelta(minutes=max(1.0, min(minutes, 60 * 24 * 21)))

    def _away(self, weeks: frozenset, t: dt.datetime) -> bool:
        return (t - self.start) // dt.timedelta(weeks=1) in weeks

    def _back_from(self, weeks: frozenset, t: dt.datetime) -> dt.datetime:
        w = (t - self.start) // dt.timedelta(weeks=1)
        while w in weeks:
            w += 1
        return self.week_start(w) + dt.timedelta(days=1, hours=7)

    def _exchange(self, rng: random.Random, strength: float, owner_first: bool, t0: dt.datetime,
                  person: Person, slow: float = 1.0, max_len: int = 8,
                  first_asks: float = 0.8) -> list[tuple[str, dt.datetime, bool, bool]]:
        """The turns of a two-party conversation: (side "o"/"p", time, expects_reply, closing).

        Whether and how fast the other side answers depends on the tie's strength; a message that
        asks nothing ("thanks!") rarely gets an answer.
        """
        side = "o" if owner_first else "p"
        expects = rng.random() < first_asks
        turns = [(side, t0, expects, False)]
        t = t0
        habits = self.habits
        for depth in range(1, max_len):
            responder = "p" if side == "o" else "o"
            if responder == "o":
                p_reply = (habits.answers_questions + habits.answers_per_strength * strength if expects
                           else habits.answers_thanks)
            else:
                p_reply = 0.45 + 0.5 * strength if expects else 0.08
            if rng.random() >= p_reply:
                break
            tz = OWNER_TZ if responder == "o" else person.tz
            pace = slow * habits.reply_slowness if responder == "o" else slow
            t = self._business_shift(rng, t + self._reply_delay(rng, strength, pace), tz)
            t = t.replace(microsecond=0)
            away = self.owner_vacation if responder == "o" else person.vacation_weeks
            if self._away(away, t):
                t = self._back_from(away, t) + dt.timedelta(minutes=rng.randrange(600))
            closing = rng.random() < 0.2 + 0.12 * depth
            expects = not closing
            side = responder
            turns.append((side, t, expects, closing))
        return turns

    def _record_awaiting(self, turns: list, thread: str, person: Person, channel: str) -> None:
        visible = [turn for turn in turns if turn[1] < self.now]
        if not visible:
            return
        side, t, expects, _ = visible[-1]
        if expects and self.now - t <= AWAITING_WINDOW:
            self.awaiting.append(Awaiting(thread, person.person_id, "me" if side == "p" else "them",
                                          t.isoformat(), channel))

    # --- calendar ---------------------------------------------------------------------------------
    def calendar(self) -> list[Meeting]:
        """Every calendar entry: 1:1 series, team series, single meetings and all-day events."""
        if self._calendar is None:
            rng = self._rng("calendar")
            meetings: list[Meeting] = []
            covered = self._one_on_one_series(rng, meetings)
            self._team_series(rng, meetings)
            self._single_meetings(rng, meetings, covered)
            self._all_day_events(rng, meetings)
            self._calendar = meetings
        return self._calendar

    def _uid(self, rng: random.Random) -> str:
        return _hexstr(rng, 26, "0123456789abcdefghijklmnopqrstuv") + "@google.com"

    def _owner_att(self, partstat: str = "ACCEPTED") -> Attendance:
        return Attendance(self.owner.work_email, self.owner.full_name, partstat, "owner")

    def _person_att(self, rng: random.Random, p: Person, week: int, partstat: str | None = None) -> Attendance | None:
        address = p.work_address(week) or p.personal_email
        if address is None:
            return None
        if partstat is None:
            partstat = rng.choices(("ACCEPTED", "TENTATIVE", "NEEDS-ACTION", "DECLINED"),
                                   (80, 5, 10, 5))[0]
        return Attendance(address, p.full_name, partstat, p.person_id)

    def _local_slot(self, rng: random.Random, date: dt.date, minutes: int) -> tuple[dt.datetime, dt.datetime]:
        half_hours = rng.randrange(18, 34)  # 9:00 .. 16:30
        start = dt.datetime.combine(date, dt.time(half_hours // 2, 30 * (half_hours % 2)),
                                    zone(OWNER_TZ))
        return start, start + dt.timedelta(minutes=minutes)

    def _one_on_one_series(self, rng: random.Random, meetings: list[Meeting]) -> dict[str, list]:
        """Weekly or biweekly 1:1s while a close tie is strong; they end when it fades."""
        covered: dict[str, list] = {}
        horizon = self.now + dt.timedelta(days=CALENDAR_AHEAD_DAYS)
        running: list[tuple[int, int]] = []
        infinite_done = False
        candidates = [p for p in self.people if p.group in ("close", "collaborator")]
        for p in candidates:
            runs, on, first = [], False, 0
            for w, value in enumerate(p.latent):
                if not on and value >= 0.6:
                    on, first = True, w
                elif on and value < 0.4:
                    on = False
                    if w - first >= 6:
                        runs.append((first, w))
            if on and self.weeks - first >= 6:
                runs.append((first, self.weeks))
            for w0, w1 in runs:
                if p.group == "collaborator" and rng.random() < 0.6:
                    continue
                if sum(1 for a, b in running if a < w1 and w0 < b) >= 10:
                    continue  # the owner's week is full
                running.append((w0, w1))
                covered.setdefault(p.person_id, []).append((w0, w1))
                infinite = w1 == self.weeks and not infinite_done
                meetings.append(self._series(rng, p, w0, w1, horizon, infinite))
                infinite_done = infinite_done or infinite
        return covered

    def _series(self, rng: random.Random, p: Person, w0: int, w1: int, horizon: dt.datetime,
                infinite: bool) -> Meeting:
        weekday = rng.randrange(4)
        first_day = self.week_start(w0).astimezone(zone(OWNER_TZ)).date()
        first_day += dt.timedelta(days=(weekday - first_day.weekday()) % 7)
        start, end = self._local_slot(rng, first_day, rng.choice((30, 30, 45, 60)))
        interval = 1 if p.latent[w0] >= 0.7 or rng.random() < 0.5 else 2
        byday = ("MO", "TU", "WE", "TH")[weekday]
        rrule: dict = {"FREQ": "WEEKLY", "INTERVAL": interval, "BYDAY": byday}
        if w1 < self.weeks:
            rrule["UNTIL"] = self.week_start(w1)
            last = self.week_start(w1)
        elif infinite:
            last = horizon
        elif rng.random() < 0.5:
            rrule["UNTIL"] = self.now + dt.timedelta(days=rng.randint(90, 200))
            last = horizon
        else:
            done = (self.now - start) // dt.timedelta(weeks=interval) + 1
            rrule["COUNT"] = done + rng.randint(10, 30)
            last = horizon
        organizer_is_owner = rng.random() < 0.6
        person = self._person_att(rng, p, w0, "ACCEPTED")
        organizer = self._owner_att() if organizer_is_owner else person
        m = Meeting(uid=self._uid(rng), calendar="main",
                    summary=rng.choice((f"{self.owner.given} / {p.first}", f"1:1 {p.first} <> {self.owner.given}",
                                        f"{p.first} & {self.owner.given} weekly", "1:1")),
                    start=start, end=end, organizer=organizer,
                    attendees=[person, self._owner_att()] if organizer_is_owner else [self._owner_att(), person],
                    created=(start - dt.timedelta(days=rng.randint(1, 10))).astimezone(UTC),
                    rrule=rrule, description=rng.choice(("", "Agenda in the shared doc.")))
        self._instance_changes(rng, m, min(last, horizon), interval)
        return m

    def _instance_changes(self, rng: random.Random, m: Meeting, last: dt.datetime, interval: int,
                          forced: bool = False) -> None:
        """EXDATEs for the owner's holidays and a few deleted, moved or cancelled instances."""
        count = m.rrule.get("COUNT")
        occurrence, index = m.start, 0
        step = dt.timedelta(weeks=interval) if m.rrule["FREQ"] == "WEEKLY" else None
        duration = m.end - m.start
        while occurrence < last and (count is None or index < count):
            roll = rng.random()
            if forced and index in (3, 5, 7):  # the team series shows every kind of change
                roll = {3: 0.0, 5: 0.05, 7: 0.1}[index]
            elif self._away(self.owner_vacation, occurrence.astimezone(UTC)):
                roll = 0.0
            if roll < 0.03:
                m.exdates.append(occurrence)
            elif roll < 0.07:
                m.overrides.append(Override(occurrence, occurrence, occurrence + duration, True))
            elif roll < 0.12:
                shift = dt.timedelta(days=rng.choice((1, 1, 2)), hours=rng.choice((-2, 0, 1)))
                m.overrides.append(Override(occurrence, occurrence + shift,
                                            occurrence + shift + duration, False))
            index += 1
            if step is not None:
                occurrence = _local_add(occurrence, step)
            else:
                occurrence = _nth_weekday_next_month(occurrence)

    def _team_series(self, rng: random.Random, meetings: list[Meeting]) -> None:
        department = [p for p in self.people if p.in_department]
        if not department:
            return
        lead, team = department[0], department[1:9]
        horizon = self.now + dt.timedelta(days=CALENDAR_AHEAD_DAYS)
        # Weekly team sync (never ends), organised by the department lead.
        day = self.week_start(7).astimezone(zone(OWNER_TZ)).date()
        day += dt.timedelta(days=(0 - day.weekday()) % 7)
        start = dt.datetime.combine(day, dt.time(10, 0), zone(OWNER_TZ))
        attendees = [self._person_att(rng, lead, 7, "ACCEPTED"), self._owner_att()]
        attendees += [a for a in (self._person_att(rng, p, 7) for p in team) if a]
        sync = Meeting(uid=self._uid(rng), calendar="team", summary="Team weekly sync", start=start,
                       end=start + dt.timedelta(minutes=45), organizer=attendees[0],
                       attendees=attendees, created=(start - dt.timedelta(days=6)).astimezone(UTC),
                       rrule={"FREQ": "WEEKLY", "INTERVAL": 1, "BYDAY": "MO"},
                       location="Berlin-3-Orion (8)", description="Standing agenda: wins, blockers, asks.")
        sync.attendees.append(self._room(rng, "Berlin-3-Orion (8)"))
        self._instance_changes(rng, sync, horizon, 1, forced=True)
        meetings.append(sync)
        # Monthly department all-hands: everybody, far more than ten people.
        day = self.week_start(30).astimezone(zone(OWNER_TZ)).date().replace(day=1)
        day += dt.timedelta(days=(3 - day.weekday()) % 7)  # first Thursday
        start = dt.datetime.combine(day, dt.time(16, 0), zone(OWNER_TZ))
        attendees = [self._person_att(rng, lead, 30, "ACCEPTED"), self._owner_att()]
        attendees += [a for a in (self._person_att(rng, p, 30) for p in department[1:]) if a]
        allhands = Meeting(uid=self._uid(rng), calendar="team", summary="Engineering all-hands",
                           start=start, end=start + dt.timedelta(hours=1), organizer=attendees[0],
                           attendees=attendees, created=(start - dt.timedelta(days=14)).astimezone(UTC),
                           rrule={"FREQ": "MONTHLY", "INTERVAL": 1, "BYDAY": "1TH", "COUNT": 30},
                           location="Berlin HQ, Atrium / Google Meet")
        self._instance_changes(rng, allhands, horizon, 1)
        meetings.append(allhands)

    def _room(self, rng: random.Random, name: str) -> Attendance:
        digest = sum(ord(c) * (i + 1) for i, c in enumerate(name))
        address = f"c_188{digest:06x}{self.seed % 997:03x}@resource.calendar.google.com"
        return Attendance(address, name, "ACCEPTED", "resource", cutype="RESOURCE")

    def _single_meetings(self, rng: random.Random, meetings: list[Meeting],
                         covered: dict[str, list]) -> None:
        """Ad-hoc 1:1s and 3-10 person meetings, drawn week by week from latent strength."""
        owner_zone = zone(OWNER_TZ)
        ahead_weeks = CALENDAR_AHEAD_DAYS // 7 + 1
        meet = [p for p in self.people if _MEET_PREF[p.group] > 0]
        groupish = [p for p in meet if p.group in ("close", "collaborator") or p.in_department]
        rooms = ("Berlin-3-Orion (8)", "Berlin-2-Vega (4)", "Berlin-4-Lyra (12)", "Phone booth 2 (1)")
        for w in range(self.weeks + ahead_weeks):
            hw = min(w, self.weeks - 1)
            week_start = self.week_start(w)
            days_ahead = (week_start - self.now).days
            scheduled = 1.0 if days_ahead < 0 else max(0.0, 1.0 - days_ahead / CALENDAR_AHEAD_DAYS)
            if self._away(self.owner_vacation, week_start + dt.timedelta(days=3)) or scheduled == 0:
                continue
            wanted = []
            for p in meet:
                value = p.latent[hw]
                if value < 0.02 or (p.person_id in covered and
                                    any(a <= hw < b for a, b in covered[p.person_id])):
                    continue
                rate = MEETING_RATE * value ** 1.5 * _MEET_PREF[p.group] * p.meet_habit * scheduled * \
                    self.habits.meeting_rate
                wanted += [p] * _poisson(rng, rate)
            if len(wanted) > MAX_ONE_ON_ONES_PER_WEEK:  # the owner's week is full: some never happen
                wanted = rng.sample(wanted, MAX_ONE_ON_ONES_PER_WEEK)
            for p in wanted:
                self._single(rng, meetings, w, [p], owner_zone, rooms)
            weights = [p.latent[hw] + (0.15 if p.group == "foci" else 0.0) for p in groupish]
            for _ in range(_poisson(rng, 2.5 * scheduled * self.habits.meeting_rate) if groupish else 0):
                anchor = rng.choices(groupish, weights)[0]
                size = rng.randint(2, 9)
                colleagues = [q for q in groupish if q.company is anchor.company and q is not anchor]
                pool = colleagues if colleagues and rng.random() < 0.7 else groupish
                others = {anchor.person_id: anchor}
                pool_weights = [q.latent[hw] + (0.15 if q.group == "foci" else 0.02) for q in pool]
                for q in rng.choices(pool, pool_weights, k=size * 2):
                    if len(others) >= size:
                        break
                    others.setdefault(q.person_id, q)
                self._single(rng, meetings, w, list(others.values()), owner_zone, rooms)

    def _single(self, rng: random.Random, meetings: list[Meeting], w: int, people: list[Person],
                owner_zone: ZoneInfo, rooms: tuple) -> None:
        hw = min(w, self.weeks - 1)
        date = (self.week_start(w) + dt.timedelta(days=rng.randrange(7))).astimezone(owner_zone).date()
        if date.weekday() >= 5:
            date -= dt.timedelta(days=date.weekday() - 4)
        start, end = self._local_slot(rng, date, rng.choice((30, 30, 45, 60, 60, 90)))
        internal = all(p.group == "foci" for p in people)
        attendees = [a for a in (self._person_att(rng, p, hw) for p in people) if a]
        if not attendees:
            return
        owner_organizes = rng.random() < (0.45 if len(people) == 1 else 0.3)
        if owner_organizes:
            organizer = self._owner_att()
            owner = organizer
        else:
            organizer = attendees[0]._replace(partstat="ACCEPTED")
            attendees[0] = organizer
            owner = self._owner_att("DECLINED" if rng.random() < 0.08 else
                                    rng.choices(("ACCEPTED", "TENTATIVE", "NEEDS-ACTION"), (85, 5, 10))[0])
        attendees.insert(rng.randrange(len(attendees) + 1), owner)
        if len(people) == 1:
            summary = rng.choice((f"{people[0].first} / {self.owner.given}", "Catch-up", "Coffee ☕",
                                  f"Sync with {people[0].first}", "Lunch"))
        else:
            summary = rng.choice(("Project sync", "Roadmap review", "Design review", "Pilot kickoff",
                                  "Quarterly planning", "Customer call prep", "Retro", "Budget, Q&A"))
        location = ""
        if internal and rng.random() < 0.5:
            room = rng.choice(rooms)
            attendees.append(self._room(rng, room))
            location = room
        elif not internal and rng.random() < 0.3:
            location = rng.choice(("Google Meet", "Café Einstein, Unter den Linden 42, Berlin", "Zoom"))
        created = (start - dt.timedelta(days=rng.uniform(0.2, 14))).astimezone(UTC)
        created = min(created, self.now - dt.timedelta(hours=rng.uniform(1, 48)))
        meetings.append(Meeting(
            uid=self._uid(rng), calendar="main", summary=summary, start=start.astimezone(UTC),
            end=end.astimezone(UTC), organizer=organizer, attendees=attendees, created=created,
            status="CANCELLED" if rng.random() < 0.02 else "CONFIRMED", location=location))

    def _all_day_events(self, rng: random.Random, meetings: list[Meeting]) -> None:
        owner_zone = zone(OWNER_TZ)
        first_week = self.week_start(0)

        def created(w: int) -> dt.datetime:  # entered some weeks ahead, never after the export
            return min(max(self.week_start(w), first_week), self.now - dt.timedelta(days=1))
        blocks, previous = [], None
        for w in sorted(self.owner_vacation):
            if previous is not None and w == previous + 1:
                blocks[-1][1] = w
            else:
                blocks.append([w, w])
            previous = w
        for w0, w1 in blocks:
            first = (self.week_start(w0) + dt.timedelta(days=1)).astimezone(owner_zone).date()
            last = (self.week_start(w1) + dt.timedelta(days=6)).astimezone(owner_zone).date()
            meetings.append(Meeting(uid=self._uid(rng), calendar="main", summary="Out of office",
                                    start=first, end=last + dt.timedelta(days=1), organizer=None,
                                    attendees=[], created=created(w0 - 4)))
        for w, name in self.conference_weeks:
            first = (self.week_start(w) + dt.timedelta(days=1)).astimezone(owner_zone).date()
            meetings.append(Meeting(uid=self._uid(rng), calendar="main", summary=name, start=first,
                                    end=first + dt.timedelta(days=rng.choice((1, 2, 3))), organizer=None,
                                    attendees=[], created=created(w - 8),
                                    transparent=True, location="Messe Berlin"))
        for p in [q for q in self.people if q.in_department][:10]:
            for w in sorted(p.vacation_weeks):
                first = (self.week_start(w) + dt.timedelta(days=1)).astimezone(owner_zone).date()
                meetings.append(Meeting(uid=self._uid(rng), calendar="team",
                                        summary=rng.choice((f"{p.first} OOO", f"{p.first} – Urlaub",
                                                            f"{p.first} on vacation")),
                                        start=first, end=first + dt.timedelta(days=5), organizer=None,
                                        attendees=[], created=created(w - 3),
                                        transparent=True))
        for year in range(self.start.year, (self.now + dt.timedelta(days=CALENDAR_AHEAD_DAYS)).year + 1):
            for month, day, name in ((10, 3, "Tag der Deutschen Einheit (office closed)"),
                                     (5, 1, "Tag der Arbeit (office closed)"),
                                     (12, 24, "Christmas Eve (office closed)")):
                date = dt.date(year, month, day)
                if self.start.date() <= date <= (self.now + dt.timedelta(days=CALENDAR_AHEAD_DAYS)).date():
                    meetings.append(Meeting(uid=self._uid(rng), calendar="team", summary=name,
                                            start=date, end=date + dt.timedelta(days=1),
                                            organizer=None, attendees=[],
                                            created=dt.datetime(year - 1, 12, 1, tzinfo=UTC),
                                            transparent=True))

    # --- LinkedIn ---------------------------------------------------------------------------------
    def linkedin(self) -> LinkedInData:
        """Connections, messages and invitations of the owner's LinkedIn account."""
        if self._linkedin is None:
            rng = self._rng("linkedin")
            connections = self._connections(rng)
            messages = self._li_messages(rng)
            invitations = self._invitations(rng)
            reactions = [(self.start + dt.timedelta(minutes=rng.randrange(self.weeks * 7 * 1440)),
                          rng.choice(("LIKE", "LIKE", "PRAISE", "EMPATHY", "INTEREST")),
                          f"https://www.linkedin.com/feed/update/urn:li:activity:{rng.randrange(10**18, 10**19)}")
                         for _ in range(max(20, len(self.people) // 10))]
            reactions.sort(key=lambda r: r[0], reverse=True)
            self._linkedin = LinkedInData(connections, messages, invitations, reactions)
        return self._linkedin

    def _owner_li(self) -> LiParty:
        return LiParty(self.owner.full_name, self.owner.linkedin_url, "owner")

    def _li(self, p: Person) -> LiParty:
        return LiParty(p.linkedin_display, p.linkedin_url or "", p.person_id)

    def _connections(self, rng: random.Random) -> list[LiConnection]:
        connect_p = {"close": 0.85, "collaborator": 0.8, "foci": 0.7, "acquaintance": 0.9,
                     "linkedin_only": 1.0, "recruiter": 0.25, "event": 0.8}
        rows = []
        for p in self.people:
            if not p.linkedin_url or rng.random() >= connect_p[p.group]:
                continue
            if p.trajectory == "one_off":
                day = self.week_start(p.contact_week) + dt.timedelta(days=rng.uniform(1, 12))
            elif p.trajectory == "warming" and rng.random() < 0.7:
                day = self.week_start(max(0, p.change_week + rng.randint(-3, 6)))
            elif rng.random() < 0.75:  # connected before the history starts
                day = self.start - dt.timedelta(days=rng.expovariate(1 / 900))
            else:
                day = self.start + dt.timedelta(days=rng.uniform(0, self.weeks * 7))
            if day >= self.now:
                continue
            p.connected_on = day.date()
            email = ""
            if rng.random() < 0.03:
                email = p.personal_email or p.work_email or f"{_token(p.given)}.{_token(p.family)}@gmail.com"
                if not (p.personal_email or p.work_email):
                    p.personal_email = email  # shown to connections, never used to write
            company = "" if rng.random() < 0.04 else p.company.name
            position = "" if rng.random() < 0.04 else p.position
            rows.append(LiConnection(p.li_first, p.li_last, p.linkedin_url, email, company, position,
                                     p.connected_on, p.person_id))
        for _ in range(max(1, round(len(rows) * 0.012))):  # deleted or hidden members
            day = self.now - dt.timedelta(days=rng.expovariate(1 / 1200) + 1)
            rows.append(LiConnection("", "", "", "", "", "", day.date(), ""))
        rows.sort(key=lambda r: r.connected_on, reverse=True)
        return rows

    def _conversation_id(self, rng: random.Random) -> str:
        uuid = "-".join(_hexstr(rng, n) for n in (8, 4, 4, 4, 12))
        raw = f"{uuid}_0{rng.randrange(10, 100)}"
        return "2-" + base64.b64encode(raw.encode()).decode()

    def _li_messages(self, rng: random.Random) -> list[LiMessage]:
        messages: list[LiMessage] = []
        owner = self._owner_li()
        for p in self.people:
            if not p.linkedin_url:
                continue
            if p.group == "recruiter":
                if p.work_email is None or rng.random() < 0.4:
                    self._inmail(rng, p, messages)
                continue
            conv = None
            folder = "ARCHIVE" if rng.random() < 0.12 else "INBOX"
            busy_until = self.start
            last_turns = None
            starts = []
            if p.trajectory == "one_off":
                if p.followup == "linkedin":
                    starts.append(self._work_time(rng, min(p.contact_week + 1, self.weeks - 1), p.tz))
            else:
                pref = _LINKEDIN_PREF[p.group] if (p.connected_on or p.group == "close") else 0.0
                for w in range(self.weeks):
                    value = p.latent[w]
                    if value < 0.01:
                        continue
                    rate = LINKEDIN_RATE * value ** 1.3 * pref * p.linkedin_habit * self.habits.linkedin_rate
                    for _ in range(_poisson(rng, rate)):
                        starts.append(self._work_time(rng, w, p.tz))
            for t0 in sorted(starts):
                if t0 < busy_until or t0 >= self.now:
                    continue
                strength = p.latent[self.week_of(t0)]
                turns = self._exchange(rng, strength, rng.random() < 0.45, t0, p, slow=3.0, max_len=6)
                conv = conv or self._conversation_id(rng)
                for side, t, expects, closing in turns:
                    if t >= self.now:
                        break
                    sender, recipient = (owner, self._li(p)) if side == "o" else (self._li(p), owner)
                    first = p.first if side == "o" else self.owner.given
                    text = _li_text(rng, first, expects, closing, p.conference if p.trajectory == "one_off" else "")
                    messages.append(LiMessage(conv, "", sender, (recipient,), t, "", text, folder, False))
                busy_until = turns[-1][1]
                last_turns = turns
            if last_turns is not None:
                self._record_awaiting(last_turns, conv, p, "linkedin")
        self._li_extras(rng, messages)
        return messages

    def _inmail(self, rng: random.Random, p: Person, messages: list[LiMessage]) -> None:
        owner = self._owner_li()
        t = self._work_time(rng, p.contact_week, p.tz)
        title = rng.choice((f"Exciting {rng.choice(POSITIONS)} role", "Opportunity at a fast-growing scale-up",
                            "Quick chat about a leadership role?", "Your profile caught my eye"))
        conv = self._conversation_id(rng)
        text = (f"Hi {self.owner.given},\n\nI came across your profile and think you'd be a great fit for a "
                f"role I'm working on. Would you be open to a quick chat this week?\n\nBest,\n{p.first}")
        folder = "SPAM" if rng.random() < 0.05 else "INBOX"
        if t >= self.now:
            return
        messages.append(LiMessage(conv, title, self._li(p), (owner,), t, title, text, folder, False))
        roll = rng.random()
        later = t + dt.timedelta(days=rng.uniform(5, 10))
        if roll < 0.2:
            reply = self._business_shift(rng, t + self._reply_delay(rng, 0.1, 2.0), OWNER_TZ)
            if reply < self.now:
                messages.append(LiMessage(conv, title, owner, (self._li(p),), reply, title,
                                          "Thanks for reaching out! I'm not looking right now, "
                                          "but happy to stay in touch.",
                                          folder, False))
        elif roll < 0.6 and later < self.now:
            messages.append(LiMessage(conv, title, self._li(p), (owner,), later, title,
                                      f"Hi {self.owner.given}, just following up on my note below. Any interest?",
                                      folder, False))

    def _li_extras(self, rng: random.Random, messages: list[LiMessage]) -> None:
        owner = self._owner_li()
        member = LiParty("LinkedIn Member", "", "")
        for _ in range(3):  # conversations with members who have since left LinkedIn
            conv = self._conversation_id(rng)
            t = self.start + dt.timedelta(days=rng.uniform(0, self.weeks * 3))
            messages.append(LiMessage(conv, "", member, (owner,), t, "", "Hi, thanks for connecting!", "INBOX", False))
            messages.append(LiMessage(conv, "", owner, (member,), t + dt.timedelta(hours=rng.uniform(1, 30)), "",
                                      "Likewise, good to be connected.", "INBOX", False))
        sponsor = LiParty("Quantum Cloud Events", "https://www.linkedin.com/in/quantum-cloud-events-team",
                          "auto:sponsored")
        for _ in range(3):
            t = self.start + dt.timedelta(days=rng.uniform(0, self.weeks * 7))
            content = ('<p class="spinmail-quill-editor__spin-break">Hi %FIRSTNAME%,</p>'
                       '<p class="spinmail-quill-editor__spin-break">Join 3,000 data leaders at our summit. '
                       'Register today and save 30%.</p>')
            messages.append(LiMessage(self._conversation_id(rng), "Sponsored Conversation", sponsor, (owner,),
                                      t, "Join us at Quantum Cloud Summit", content, "INBOX", False))
        met = [p for p in self.people if p.group == "event" and p.linkedin_url and p.connected_on]
        if len(met) >= 2:  # a three-way conversation after a conference
            a, b = met[0], met[1]
            conv = self._conversation_id(rng)
            t = self._work_time(rng, min(a.contact_week + 1, self.weeks - 1), a.tz)
            if t < self.now:
                messages.append(LiMessage(conv, "", self._li(a), (owner, self._li(b)), t, "",
                                          "Great meeting you both! Let's keep in touch.\nSlides are in the event app.",
                                          "INBOX", False))
        talkers = sorted({m.conversation_id: m for m in messages if m.sender.who == "owner"}.values(),
                         key=lambda m: m.sent_at)
        if talkers:  # one unsent draft
            m = talkers[-1]
            messages.append(LiMessage(m.conversation_id, "", owner, m.recipients,
                                      min(self.now - dt.timedelta(hours=5), m.sent_at + dt.timedelta(days=2)),
                                      "", "Sorry for the delay, I", "INBOX", True))

    def _invitations(self, rng: random.Random) -> list[LiInvitation]:
        owner = self._owner_li()
        since = self.now - dt.timedelta(days=365)
        invitations = []
        for p in self.people:
            if not p.linkedin_url:
                continue
            note = ""
            if p.connected_on and p.connected_on >= since.date():
                outgoing = rng.random() < (0.6 if p.trajectory == "warming" else 0.4)
                sent = dt.datetime.combine(p.connected_on, dt.time(), UTC) - dt.timedelta(hours=rng.uniform(1, 120))
                accepted = True
            elif p.group in ("recruiter", "event", "linkedin_only") and not p.connected_on and rng.random() < 0.5:
                outgoing = p.group == "event" and rng.random() < 0.5
                sent = self.now - dt.timedelta(hours=rng.uniform(2, 24 * 120))
                accepted = False
            else:
                continue
            if rng.random() < 0.3:
                note = rng.choice((f"Hi, great meeting you at {p.conference or 'the meetup'}!",
                                   "Hi, I'd love to connect, we work on similar problems.",
                                   "Hello,\nfollowing up on our chat, let's stay in touch."))
            sender, recipient = (owner, self._li(p)) if outgoing else (self._li(p), owner)
            invitations.append(LiInvitation(sender, recipient, sent, note,
                                            "OUTGOING" if outgoing else "INCOMING", accepted))
        invitations.sort(key=lambda i: i.sent_at, reverse=True)
        return invitations

    # --- mail -------------------------------------------------------------------------------------
    def mail(self) -> Iterator[Mail]:
        """Every message of the owner's mailbox, in time order, generated lazily week by week."""
        return _MailStream(self).run()

    # --- truth ------------------------------------------------------------------------------------
    def truth(self, identities: list[Identity], automated: list[AutomatedSender], resources: list[str],
              counts: dict[str, int]) -> World:
        """The ground truth, given what the writers actually wrote."""
        W = self.weeks
        people = []
        for p in self.people:
            end_value = p.latent[W - 1]
            people.append(PersonTruth(
                person_id=p.person_id, full_name=p.full_name, company=p.company.name, group=p.group,
                trajectory=p.trajectory, latent=round(end_value, 4),
                latent_28d_ago=round(p.latent[W - 5], 4),
                latent_weekly=tuple(round(v, 4) for v in p.latent[W - TRUTH_WEEKS:]),
                is_real_tie=_is_real_tie(p),
                faded=(p.trajectory == "fading" and p.change_week >= W - 52
                       and end_value <= 0.5 * p.level_before),
                warmed=(p.trajectory == "warming" and p.change_week >= W - 52 and end_value >= 0.2),
            ))
        o = self.owner
        awaiting = sorted(self.awaiting, key=lambda a: (a.since, a.thread))
        return World(
            seed=self.seed, end=self.end.isoformat(), now=self.now.isoformat(),
            owner=OwnerTruth(o.full_name, o.emails, o.linkedin_url, o.tz, self.owner_type),
            people=tuple(people), identities=tuple(identities), automated_senders=tuple(automated),
            shared_inboxes=tuple(self.shared_inboxes), resources=tuple(resources),
            awaiting_reply=tuple(awaiting), counts=dict(sorted(counts.items())))


def _is_real_tie(p: Person) -> bool:
    """A tie the owner maintains, as opposed to foci, one-off and LinkedIn-only noise."""
    if p.group in ("close", "collaborator"):
        return True
    if p.group == "acquaintance":
        return p.trajectory != "dormant"
    return p.group == "foci" and p.trajectory == "warming"


def _local_add(t: dt.datetime, step: dt.timedelta) -> dt.datetime:
    """Wall-clock addition in the owner's zone (a 10:00 meeting stays at 10:00 across DST)."""
    naive = t.replace(tzinfo=None) + step
    return naive.replace(tzinfo=t.tzinfo)


def _nth_weekday_next_month(t: dt.datetime) -> dt.datetime:
    year, month = (t.year + 1, 1) if t.month == 12 else (t.year, t.month + 1)
    day = dt.date(year, month, 1)
    day += dt.timedelta(days=(t.weekday() - day.weekday()) % 7)
    return dt.datetime.combine(day, t.timetz())


def _li_text(rng: random.Random, first: str, expects: bool, closing: bool, conference: str) -> str:
    if closing:
        return rng.choice(CLOSINGS)
    opener = f"Hi {first}, great meeting you at {conference}!" if conference else rng.choice(GREETINGS).format(n=first)
    body = rng.choice(ASKS) if expects else rng.choice(TELLS)
    if rng.random() < 0.15:
        return f"{opener}\n\n{body}\n\n{rng.choice(('Cheers', 'Best', 'Thanks'))}"
    return f"{opener} {body}"


class _MailStream:
    """Generates the mailbox week by week; a heap holds the replies that fall into later weeks,
    so memory stays bounded by the messages in flight, not by the mailbox."""

    def __init__(self, sim: Simulation):
        self.sim = sim
        self.rng = sim._rng("mail")
        self.scale = sim.mail_scale
        self.owner = sim.owner
        self.heap: list = []
        self.seq = 0
        self.counter = 0
        self.msgid_seq = 0
        o = sim.owner
        self.owner_work = Addr(o.work_email, o.full_name, "name", "owner")
        self.owner_personal = Addr(o.personal_email, o.full_name, "name", "owner")
        self.department = [p for p in sim.people if p.in_department]
        self.foci = [p for p in sim.people if p.group == "foci"]
        self.mailable = [p for p in sim.people if (p.work_email or p.personal_email)
                         and p.group not in ("linkedin_only", "recruiter") and p.trajectory != "one_off"]
        self.project_people = [p for p in sim.people if p.group in ("close", "collaborator")]
        self.by_company: dict[int, list[Person]] = {}
        for p in sim.people:
            if p.work_email and p.group in ("close", "collaborator", "acquaintance"):
                self.by_company.setdefault(id(p.company), []).append(p)
        self.triggers = self._triggers()
        self.one_offs: dict[int, list[Person]] = {}
        self.list_posters: dict[int, list[Person]] = {}
        for p in sim.people:
            if p.trajectory == "one_off":
                self.one_offs.setdefault(p.contact_week, []).append(p)
            if p.list_post_week >= 0 and (p.personal_email or p.work_email):
                self.list_posters.setdefault(p.list_post_week, []).append(p)

    # --- infrastructure -----------------------------------------------------------------------
    def run(self) -> Iterator[Mail]:
        sim = self.sim
        trigger_index = 0
        for w in range(sim.weeks):
            week_end = sim.week_start(w + 1)
            self._direct_week(w)
            self._group_week(w)
            self._internal_week(w)
            self._automated_week(w)
            self._special_week(w)
            while trigger_index < len(self.triggers) and self.triggers[trigger_index][0] < week_end:
                self._trigger(self.triggers[trigger_index])
                trigger_index += 1
            yield from self._flush(week_end)
        yield from self._flush(sim.now)

    def _flush(self, until: dt.datetime) -> Iterator[Mail]:
        while self.heap and self.heap[0][0] < until:
            yield heapq.heappop(self.heap)[2]
        if until >= self.sim.now:
            self.heap.clear()  # replies after the export never happened yet

    def _push(self, mail: Mail) -> None:
        if mail.sent_at < self.sim.now:
            heapq.heappush(self.heap, (mail.received_at, self.seq, mail))
            self.seq += 1

    def _gmail_id(self, t: dt.datetime) -> int:
        # Gmail ids carry the arrival time in milliseconds in their high bits.
        self.counter += 1
        low = (self.counter * 0x9E3B5) & 0xFFFFF
        return (int(t.timestamp() * 1000) << 20) | low

    def _message_id(self, addr: Addr, client: str) -> str:
        rng = self.rng
        self.msgid_seq += 1
        if client == "gmail":
            return f"<CA{_b64token(rng, 33)}@mail.gmail.com>"
        if client == "outlook":
            pod = rng.choice(("AM6PR", "DB9PR", "VI1PR", "PAXPR"))
            host = f"{pod}{rng.randrange(10, 99)}MB{rng.randrange(1000, 9999)}"
            token = _hexstr(rng, 32, "0123456789ABCDEF")
            return f"<{host}{token}@{host}.eurprd{rng.randrange(1, 10):02d}.prod.outlook.com>"
        domain = addr.email.split("@")[-1].lower()
        return f"<{_hexstr(rng, 8)}-{_hexstr(rng, 4)}-{self.msgid_seq:x}@{domain}>"

    def _client(self, addr: Addr) -> str:
        if addr.who == "owner" or addr.email.lower().endswith(("@gmail.com", "@googlemail.com")):
            return "gmail"
        p = self.sim.by_id.get(addr.who)
        if p is not None:
            email = addr.email.lower()
            if p.old_email and email == p.old_email and p.previous:
                return p.previous.mail_client
            return p.company.mail_client
        return "other"

    def _person_addr(self, p: Person, email: str, for_owner: bool = False) -> Addr:
        """`p` as a party: written by their own client, or by the owner's (`for_owner`)."""
        rng = self.rng
        if email == p.shared_inbox:
            return Addr(email, f"{p.company.name} {_role_name(email)}", "name", "shared")
        if email in p.bare_addresses:
            return Addr(email, None, "bare", p.person_id)
        if for_owner:
            if p.variant_email and rng.random() < 0.3 and _same_mailbox(p.variant_email, email):
                email = p.variant_email
            roll = rng.random()
            if roll < 0.12:
                return Addr(email, None, "bare", p.person_id)
            if roll < 0.22:
                return Addr(email, p.full_name, "name", p.person_id)
        if email == p.personal_email and p.mail_form == "name":
            return Addr(email, p.native or f"{p.first} {p.family}", "name", p.person_id)
        return Addr(email, p.mail_name, p.mail_form, p.person_id)

    def _text(self, sender_first: str, recipient_first: str | None, mode: str,
              signature: str = "") -> str:
        rng = self.rng
        if mode == "close":
            return rng.choice(CLOSINGS) + (f"\n{sender_first}" if rng.random() < 0.5 else "")
        lines = [rng.choice(GREETINGS).format(n=recipient_first) if recipient_first else "Hi all,", ""]
        for _ in range(rng.randint(1, 3)):
            lines.append(rng.choice(TELLS))
        if rng.random() < 0.02:
            lines.append(rng.choice(FROM_LINES))
        if mode == "ask":
            lines.append(rng.choice(ASKS))
        lines += ["", rng.choice(SIGNOFFS), sender_first]
        if signature:
            lines += ["", "--", signature]
        return "\n".join(lines)

    def _signature(self, p: Person | None, week: int) -> str:
        if p is None:
            o = self.owner
            return f"{o.full_name}\nHead of Data Products | {o.company.legal}\nhttps://brightwave.io"
        if self.rng.random() < 0.5:
            return ""
        company = p.previous if p.previous and week < p.job_week else p.company
        return f"{p.full_name}\n{p.position} | {company.legal}"

    def _subject(self, week: int) -> str:
        s = self.rng.choice(SUBJECTS)
        return s.format(month=MONTHS[(self.sim.week_start(week).month + 1) % 12])

    def _reply_subject(self, subject: str, client: str, german: bool) -> str:
        prefix = "AW: " if german and client == "outlook" else ("RE: " if client == "outlook" else "Re: ")
        return subject if subject.lower().startswith(("re:", "aw:")) else prefix + subject

    def _build(self, parts: list[tuple], subject: str, kind: str) -> list[Mail]:
        """Mails from turns: (time, sender Addr, to, cc, text, tz, direction, sender Person|None)."""
        mails: list[Mail] = []
        thread_id = None
        references: list[str] = []
        previous: Mail | None = None
        for i, (t, sender, to, cc, text, tz, direction, person) in enumerate(parts):
            received = t + dt.timedelta(seconds=self.rng.randint(1, 40)) if direction == "in" else t
            gid = self._gmail_id(received)
            thread_id = thread_id or gid
            client = self._client(sender)
            msg_id = self._message_id(sender, client)
            subj = subject if i == 0 else self._reply_subject(
                subject, client, person is not None and person.company.country == "DE")
            quote = None
            if previous is not None and self.rng.random() < (0.85 if client != "other" else 0.5):
                quote = Quote(previous.sent_at, previous.tz, previous.sender, previous.text)
            mail = Mail(gid, thread_id, t, received, tz, sender, tuple(to), tuple(cc), subj, msg_id,
                        previous.message_id if previous else None, tuple(references[-10:]), kind,
                        direction, text, quote)
            mails.append(mail)
            references.append(msg_id)
            previous = mail
        return mails

    # --- direct threads -----------------------------------------------------------------------
    def _direct_week(self, w: int) -> None:
        rng, scale = self.rng, self.scale
        for p in self.mailable:
            value = p.latent[w]
            if value < 0.004:
                continue
            rate = scale * DIRECT_RATE * value ** 1.4 * _EMAIL_PREF[p.group] * p.email_habit * self.sim.habits.email_rate
            for _ in range(_poisson(rng, rate)):
                owner_first = rng.random() < _OWNER_STARTS[p.group] * self.sim.habits.initiative
                tz = OWNER_TZ if owner_first else p.tz
                self._direct_thread(p, w, self.sim._work_time(rng, w, tz), owner_first)

    def _direct_thread(self, p: Person, w: int, t0: dt.datetime, owner_first: bool,
                       subject: str | None = None, force_email: str | None = None,
                       first_asks: float = 0.8, opener: str | None = None,
                       strength: float | None = None) -> None:
        rng, sim = self.rng, self.sim
        strength = p.latent[w] if strength is None else strength
        email = force_email
        if email is None:
            if p.personal_email and (p.work_email is None or rng.random() < p.personal_share):
                email = p.personal_email
            else:
                email = p.work_address(w)
                if (owner_first and p.old_email and w >= p.job_week
                        and w - p.job_week < 12 and rng.random() < 0.3):
                    email = p.old_email  # the owner's address book is out of date: it bounces
        if email is None:
            return
        if p.shared_inbox and rng.random() < 0.4:
            email = p.shared_inbox
        private = email == p.personal_email
        owner_addr = self.owner_personal if private and rng.random() < 0.7 else self.owner_work
        them_in = self._person_addr(p, email)
        them_out = self._person_addr(p, email, for_owner=True)
        cc: list[Addr] = []
        if rng.random() < 0.15 and not private:
            colleague = self._cc_colleague(p, w)
            if colleague is not None:
                cc.append(colleague)
        subject = subject or self._subject(w)
        turns = sim._exchange(rng, strength, owner_first, t0, p, first_asks=first_asks)
        if email == p.old_email and w >= p.job_week:
            turns = turns[:1]
        parts = []
        signature_o = self._signature(None, w) if rng.random() < 0.3 else ""
        for i, (side, t, expects, closing) in enumerate(turns):
            mode = "close" if closing else ("ask" if expects else "tell")
            if side == "o":
                text = (opener if i == 0 and opener and owner_first
                        else self._text(self.owner.given, p.first, mode, signature_o))
                parts.append((t, owner_addr, [them_out], cc, text, OWNER_TZ, "out", None))
            else:
                text = (opener if i == 0 and opener and not owner_first
                        else self._text(p.first, self.owner.given, mode, self._signature(p, w)))
                parts.append((t, them_in, [owner_addr], cc, text, p.tz, "in", p))
        mails = self._build(parts, subject, "direct")
        for m in mails:
            self._push(m)
        if not mails:
            return
        thread = str(mails[0].thread_id)
        if email == p.old_email and w >= p.job_week and owner_first:
            self._bounce(mails[0], p, w)
            return
        if p.group != "recruiter":
            sim._record_awaiting(turns, thread, p, "email")
        self._auto_replies(mails, p, email, owner_addr)

    def _cc_colleague(self, p: Person, w: int) -> Addr | None:
        rng = self.rng
        if p.group == "foci" or rng.random() < 0.5:
            pool = self.department or self.foci
        else:
            pool = self.by_company.get(id(p.company), [])
        pool = [q for q in pool if q is not p and q.work_address(w)]
        if not pool:
            return None
        q = rng.choice(pool)
        return self._person_addr(q, q.work_address(w), for_owner=True)

    def _bounce(self, original: Mail, p: Person, w: int) -> None:
        rng = self.rng
        t = original.sent_at + dt.timedelta(seconds=rng.randint(5, 90))
        daemon = Addr("mailer-daemon@googlemail.com", "Mail Delivery Subsystem", "name", "auto:bounce")
        text = (f"** Address not found **\n\nYour message wasn't delivered to {original.to[0].email} because "
                "the address couldn't be found, or is unable to receive mail.\n\nThe response was:\n\n"
                "550 5.1.1 The email account that you tried to reach does not exist.")
        gid = self._gmail_id(t)
        self._push(Mail(gid, original.thread_id, t, t, "UTC", daemon, (original.sender,), (),
                        "Delivery Status Notification (Failure)", self._message_id(daemon, "other"),
                        original.message_id, (original.message_id,), "bounce", "in", text,
                        headers=(("Auto-Submitted", "auto-replied"),), human=False))
        # The owner finds the new address and tries again a little later.
        retry = t + dt.timedelta(hours=rng.uniform(1, 30))
        if p.work_email and retry < self.sim.now:
            self._direct_thread(p, self.sim.week_of(retry), retry, True, subject=original.subject,
                                force_email=p.work_email)

    def _auto_replies(self, mails: list[Mail], p: Person, email: str, owner_addr: Addr) -> None:
        """Out-of-office answers, from a person on holiday or from the owner on holiday."""
        rng, sim = self.rng, self.sim
        seen_person = seen_owner = False
        for m in mails:
            t = m.sent_at + dt.timedelta(seconds=rng.randint(12, 180))
            if m.direction == "out" and p.has_ooo and not seen_person and sim._away(p.vacation_weeks, m.sent_at):
                seen_person = True
                sender = self._person_addr(p, email)
                back = sim._back_from(p.vacation_weeks, m.sent_at).date().isoformat()
                text = f"I am out of the office until {back} with limited access to email. I will reply when I am back."
                self._push(Mail(self._gmail_id(t), m.thread_id, t, t, p.tz, sender, (m.sender,), (),
                                f"Automatic reply: {m.subject}", self._message_id(sender, self._client(sender)),
                                m.message_id, (m.message_id,), "auto_reply", "in", text,
                                headers=(("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")),
                                human=False))
            if m.direction == "in" and not seen_owner and sim._away(sim.owner_vacation, m.sent_at):
                seen_owner = True
                text = "Thanks for your message. I'm on holiday with no access to email and will reply when I'm back."
                self._push(Mail(self._gmail_id(t), m.thread_id, t, t, OWNER_TZ, owner_addr, (m.sender,), (),
                                f"Out of office: {m.subject}", self._message_id(owner_addr, "gmail"),
                                m.message_id, (m.message_id,), "auto_reply", "out", text,
                                headers=(("Auto-Submitted", "auto-replied"),), human=False))

    # --- group and internal threads -------------------------------------------------------------
    def _group_week(self, w: int) -> None:
        """External project threads with 5-12 people, most on Cc."""
        rng = self.rng
        if not self.project_people:
            return
        weights = [p.latent[w] for p in self.project_people]
        total = sum(weights)
        for _ in range(_poisson(rng, self.scale * 0.06 * total * self.sim.habits.email_rate)):
            anchor = rng.choices(self.project_people, weights)[0]
            colleagues = [q for q in self.by_company.get(id(anchor.company), []) if q is not anchor]
            others = rng.sample(colleagues, min(len(colleagues), rng.randint(1, 6)))
            pool = [q for q in self.project_people + self.department if q is not anchor and q not in others]
            others += rng.sample(pool, max(0, min(len(pool), rng.randint(4, 9) - len(others))))
            self._group_thread([anchor] + others, w, "group", anchor)

    def _internal_week(self, w: int) -> None:
        """Owner's own company: cc-heavy threads in the department, monthly announcements."""
        rng = self.rng
        department = self.department
        if len(department) < 3:
            return
        weights = [p.latent[w] + 0.1 for p in department]
        for _ in range(_poisson(rng, self.scale * (0.8 + 0.03 * len(department)))):
            size = rng.randint(4, min(14, len(department)))
            chosen: dict[str, Person] = {}
            for q in rng.choices(department, weights, k=size * 2):
                if len(chosen) >= size:
                    break
                chosen.setdefault(q.person_id, q)
            members = list(chosen.values())
            self._group_thread(members, w, "internal", members[0])
        if w % 4 == 0 and len(department) >= 3:
            lead = department[0]
            t = self.sim._work_time(rng, w, lead.tz, day=rng.randrange(5))
            everyone = [self._person_addr(q, q.work_address(w), for_owner=True) for q in department[1:]]
            sender = self._person_addr(lead, lead.work_address(w))
            text = self._text(lead.first, None, "tell", self._signature(lead, w))
            alias = Addr(f"engineering@{self.owner.company.domain}", "Engineering", "name",
                         "auto:distribution_list")
            subject = rng.choice(("Monthly update", "Org announcement", "All-hands notes",
                                  "Welcome our new joiners"))
            mail = self._build([(t, sender, [alias], everyone + [self.owner_work], text, lead.tz, "in",
                                 lead)], subject, "announcement")
            for m in mail:
                self._push(m)

    def _group_thread(self, members: list[Person], w: int, kind: str, anchor: Person) -> None:
        rng, sim = self.rng, self.sim
        addrs = {}
        for q in members:
            email = q.work_address(w) or q.personal_email
            if email:
                addrs[q.person_id] = (q, email)
        if len(addrs) < 2:
            return
        people = list(addrs.values())
        owner_starts = rng.random() < 0.25
        t = sim._work_time(rng, w, OWNER_TZ if owner_starts else anchor.tz)
        subject = self._subject(w)
        parts = []
        sender_side = "owner" if owner_starts else people[0][0].person_id
        n_messages = 1 + _poisson(rng, 1.2)
        for i in range(n_messages):
            if i > 0:
                owner_turn = rng.random() < 0.25 + 0.4 * anchor.latent[w]
                if owner_turn and sender_side == "owner":
                    owner_turn = False
                if owner_turn:
                    sender_side = "owner"
                else:
                    q = rng.choices([x[0] for x in people], [x[0].latent[w] + 0.05 for x in people])[0]
                    sender_side = q.person_id
                t = sim._business_shift(rng, t + sim._reply_delay(rng, anchor.latent[w] * 0.7), OWNER_TZ)
            if sender_side == "owner":
                sender, tz, direction, person = self.owner_work, OWNER_TZ, "out", None
                others = [self._person_addr(q, e, for_owner=True) for q, e in people]
                text = self._text(self.owner.given, None, "ask" if i == 0 else "tell", "")
            else:
                q, e = addrs[sender_side]
                sender, tz, direction, person = self._person_addr(q, e), q.tz, "in", q
                others = [self._person_addr(x, y) for x, y in people if x is not q] + [self.owner_work]
                text = self._text(q.first, None, "tell" if i else "ask", self._signature(q, w))
            n_to = rng.randint(1, min(3, len(others)))
            if kind == "internal" and rng.random() < 0.4 and sender_side != "owner":
                others.remove(self.owner_work)
                others.append(self.owner_work)  # the owner only on Cc
                n_to = min(n_to, len(others) - 1)
            parts.append((t, sender, others[:n_to], others[n_to:], text, tz, direction, person))
        for m in self._build(parts, subject, kind):
            self._push(m)

    # --- automated and special mail -------------------------------------------------------------
    def _automated_week(self, w: int) -> None:
        rng, sim = self.rng, self.sim
        week_start = sim.week_start(w)
        for name, address, rate, list_id, precedence, category in NEWSLETTERS:
            for _ in range(_poisson(rng, rate * self.scale)):
                t = week_start + dt.timedelta(days=rng.uniform(0, 7))
                sender = Addr(address, name, "name", "auto:newsletter")
                to = self.owner_personal if rng.random() < 0.6 else self.owner_work
                headers = [("List-Unsubscribe", f"<https://{address.split('@')[1]}/unsubscribe?u={_hexstr(rng, 16)}>")]
                if list_id:
                    headers.insert(0, ("List-Id", f"{name} <{list_id}>"))
                if precedence:
                    headers.append(("Precedence", "bulk"))
                self._one(t, sender, [to], [], rng.choice(NEWSLETTER_SUBJECTS).format(name=name),
                          "newsletter", f"Read this issue online: https://{address.split('@')[1]}/p/{_hexstr(rng, 10)}",
                          headers, category)
        if self.project_people:
            for _ in range(_poisson(rng, 2.0 * self.scale)):
                q = rng.choice(self.project_people + self.department[:5])
                t = week_start + dt.timedelta(days=rng.uniform(0, 7))
                repo = rng.choice(("analytics-platform", "ingest", "infra"))
                number = rng.randrange(100, 4000)
                sender = Addr("notifications@github.com", q.full_name, "name", "auto:notification")
                to = Addr(f"{repo}@noreply.github.com", f"brightwave/{repo}", "name", "auto:notification")
                cc = [self.owner_work, Addr("mention@noreply.github.com", "Mention", "name", "auto:notification")]
                headers = [("List-ID", f"brightwave/{repo} <{repo}.brightwave.github.com>"),
                           ("List-Unsubscribe", f"<mailto:unsub+{_hexstr(rng, 20)}@reply.github.com>"),
                           ("X-GitHub-Reason", "mention")]
                text = (f"@{_token(self.owner.given)} could you take a look?\n\n-- \n"
                        "Reply to this email directly or view it on GitHub.")
                self._one(t, sender, [to], cc, f"Re: [brightwave/{repo}] Fix export timeout (PR #{number})",
                          "notification", text, headers, "Category Updates",
                          msgid=f"<brightwave/{repo}/pull/{number}/c{rng.randrange(10**9)}@github.com>")
        for _ in range(_poisson(rng, 1.0 * self.scale)):
            t = week_start + dt.timedelta(days=rng.uniform(0, 7))
            q = rng.choice(self.department) if self.department else None
            name = f"{q.full_name} (Jira)" if q else "Jira"
            sender = Addr("jira@brightwave.atlassian.net", name, "name", "auto:notification")
            self._one(t, sender, [self.owner_work], [],
                      f"[JIRA] (DATA-{rng.randrange(100, 2000)}) Backfill fails for EU tenants", "notification",
                      "Status changed: In Progress -> In Review",
                      [("Auto-Submitted", "auto-generated"), ("Precedence", "bulk")], "Category Updates")
        for _ in range(_poisson(rng, 0.4 * self.scale)):
            t = week_start + dt.timedelta(days=rng.uniform(0, 7))
            self._one(t, Addr("no-reply@zoom.us", "Zoom", "name", "auto:notification"), [self.owner_work], [],
                      "Cloud Recording - Project sync is now available", "notification",
                      "Your cloud recording is now available.", [], "Category Updates")
        for _ in range(_poisson(rng, 0.3 * self.scale)):
            if not self.project_people:
                break
            q = rng.choice(self.project_people)
            t = week_start + dt.timedelta(days=rng.uniform(0, 7))
            address = q.work_address(w) or q.personal_email
            sender = Addr("drive-shares-dm-noreply@google.com", f"{q.full_name} (via Google Docs)", "name",
                          "auto:notification")
            extra = [("Reply-To", f"{q.full_name} <{address}>")] if address else []
            self._one(t, sender, [self.owner_work], [], f'Document shared with you: "Q{rng.randint(1, 4)} plan"',
                      "notification", f"{q.full_name} shared a document with you.", extra, "Category Updates")
        for _ in range(_poisson(rng, 0.25 * self.scale)):
            t = week_start + dt.timedelta(days=rng.uniform(0, 7))
            self._one(t, Addr("noreply@uber.com", "Uber Receipts", "name", "auto:notification"),
                      [self.owner_personal], [], "Your Thursday evening trip with Uber", "notification",
                      "Thanks for riding. Total: €14.20", [], "Category Updates")
        for _ in range(_poisson(rng, 0.05 * self.scale)):
            t = week_start + dt.timedelta(days=rng.uniform(0, 7))
            self._one(t, Addr("no-reply@accounts.google.com", "Google", "name", "auto:notification"),
                      [self.owner_personal], [], "Security alert", "notification",
                      "A new sign-in on Mac. If this was you, you don't need to do anything.",
                      [("Auto-Submitted", "auto-generated")], "Category Updates")
        for _ in range(_poisson(rng, 0.5 * self.scale)):
            t = week_start + dt.timedelta(days=rng.uniform(0, 7))
            self._one(t, Addr("jobs-listings@linkedin.com", "LinkedIn Job Alerts", "name", "auto:notification"),
                      [self.owner_personal], [], "New jobs similar to Head of Data", "notification",
                      "Your job alert has 8 new jobs.", [("List-Unsubscribe", "<https://www.linkedin.com/e/unsub>")],
                      "Category Social")
        for _ in range(_poisson(rng, 0.6 * self.scale)):
            t = week_start + dt.timedelta(days=rng.uniform(0, 7))
            poster = rng.choice(_STRANGERS)
            sender = Addr(COMMUNITY_LIST, f"{poster} via Berlin Data Community", "name", "auto:mailing_list")
            self._one(t, sender, [Addr(COMMUNITY_LIST, "Berlin Data Community", "name", "auto:mailing_list")], [],
                      rng.choice(("[berlin-data] Meetup next Thursday", "[berlin-data] Job: Data Engineer (m/w/d)",
                                  "[berlin-data] Slides from last night")),
                      "list", "Hi all,\n\nsee you there!", COMMUNITY_HEADERS + [("Reply-To", COMMUNITY_LIST)],
                      "Category Forums")
        for _ in range(_poisson(rng, 0.15 * self.scale)):
            t = week_start + dt.timedelta(days=rng.uniform(0, 7))
            domain = f"{rng.choice(('deals', 'promo', 'win', 'bonus'))}-{_hexstr(rng, 5)}.biz"
            sender = Addr(f"offers@{domain}", rng.choice(("Prize Center", "Crypto Daily", "Pharmacy")),
                          "name", "auto:spam")
            self._one(t, sender, [self.owner_personal], [], "You have (1) pending reward", "spam",
                      "Claim now!!!", [], "Spam")
        for _ in range(_poisson(rng, 0.12 * self.scale)):
            t = sim._work_time(rng, w, OWNER_TZ)
            text = rng.choice(("Fwd: boarding pass", "note to self: renew passport", "Fwd: slides"))
            self._one(t, self.owner_work, [self.owner_personal], [], text, "self",
                      "---------- Forwarded message ---------\nSee attached.", [], "", direction="self",
                      tz=OWNER_TZ)

    def _one(self, t: dt.datetime, sender: Addr, to: list, cc: list, subject: str, kind: str, text: str,
             headers: list, category: str, direction: str = "in", msgid: str | None = None,
             tz: str = "UTC") -> None:
        """A message that starts and ends its own thread (notifications, newsletters, ...)."""
        gid = self._gmail_id(t)
        client = "other" if sender.who.startswith("auto:") else self._client(sender)
        self._push(Mail(gid, gid, t, t, tz, sender, tuple(to), tuple(cc), subject,
                        msgid or self._message_id(sender, client), None, (), kind, direction, text,
                        headers=tuple(headers), human=kind == "self", category=category))

    def _special_week(self, w: int) -> None:
        """One-off contacts, cold outreach and the one mailing-list post by a real person."""
        rng, sim = self.rng, self.sim
        for p in self.one_offs.get(w, ()):
            if p.group == "recruiter" and p.work_email:
                self._cold(p, w, sim._work_time(rng, w, p.tz))
            elif p.followup == "email":
                week = min(w + 1, sim.weeks - 1)
                t = sim._work_time(rng, week, p.tz)
                opener = (f"Hi {self.owner.given if rng.random() < 0.5 else p.first},\n\n"
                          f"great meeting you at {p.conference}! As promised, here are the slides.\n\nBest")
                self._direct_thread(p, week, t, rng.random() < 0.5,
                                    subject=f"Great meeting you at {p.conference}", first_asks=0.5,
                                    opener=opener, strength=p.latent[w])
        for p in self.list_posters.get(w, ()):
            address = p.personal_email or p.work_email
            t = sim._work_time(rng, w, p.tz)
            sender = self._person_addr(p, address)
            self._one(t, sender, [Addr(COMMUNITY_LIST, "Berlin Data Community", "name", "auto:mailing_list")], [],
                      "[berlin-data] Looking for speakers for our June meetup", "list_post",
                      "Hi all,\n\nwe are looking for speakers. Reply to me directly!", COMMUNITY_HEADERS,
                      "Category Forums", tz=p.tz)

    def _cold(self, p: Person, w: int, t: dt.datetime) -> None:
        rng = self.rng
        sender = self._person_addr(p, p.work_email)
        text = (f"Hi {self.owner.given},\n\nI'm reaching out about a {rng.choice(POSITIONS)} opportunity with one of "
                f"our clients. Would you be open to a confidential chat?\n\nBest regards,\n{p.first}\n"
                f"{p.position}, {p.company.legal}")
        subject = rng.choice(("Confidential opportunity", "Leadership role in Berlin", "Quick question"))
        parts = [(t, sender, [self.owner_work], [], text, p.tz, "in", p)]
        if rng.random() < 0.5:
            later = t + dt.timedelta(days=rng.uniform(5, 9))
            bump = f"Hi {self.owner.given}, just bumping this up.\n\n{p.first}"
            parts.append((later, sender, [self.owner_work], [], bump, p.tz, "in", p))
        elif rng.random() < 0.3:
            reply = t + dt.timedelta(hours=rng.uniform(2, 72))
            parts.append((reply, self.owner_work, [self._person_addr(p, p.work_email, for_owner=True)], [],
                          "Thanks, but I'm not looking at the moment.", OWNER_TZ, "out", None))
        for m in self._build(parts, subject, "cold"):
            self._push(m)

    # --- notifications triggered by the calendar and LinkedIn -----------------------------------
    def _triggers(self) -> list[tuple]:
        sim = self.sim
        triggers: list[tuple] = []
        for m in sim.calendar():
            if m.all_day or m.created >= sim.now or m.created < sim.start or m.status == "CANCELLED":
                continue
            if m.organizer is not None and m.organizer.who not in ("owner", "resource"):
                triggers.append((m.created, 0, "invite", m))
            elif m.organizer is not None and m.organizer.who == "owner":
                triggers.append((m.created, 1, "responses", m))
        li = sim.linkedin()
        for msg in li.messages:
            if msg.sender.who not in ("owner", "", "auto:sponsored") and not msg.is_draft:
                triggers.append((msg.sent_at + dt.timedelta(minutes=2), 2, "li_message", msg))
        for inv in li.invitations:
            if inv.direction == "INCOMING":
                triggers.append((inv.sent_at + dt.timedelta(minutes=1), 3, "li_invite", inv))
        triggers.sort(key=lambda x: (x[0], x[1]))
        return triggers

    def _trigger(self, trigger: tuple) -> None:
        rng = self.rng
        t, _, kind, item = trigger
        if kind == "invite":
            organizer = item.organizer
            when = _calendar_when(item.start)
            sender = Addr("calendar-notification@google.com", f"{organizer.name} (Google Calendar)", "name",
                          "auto:calendar")
            headers = [("Reply-To", f"{organizer.name} <{organizer.email}>"),
                       ("Sender", "Google Calendar <calendar-notification@google.com>")]
            self._one(t, sender, [self.owner_work], [], f"Invitation: {item.summary} @ {when}", "calendar",
                      f"You have been invited to the following event.\n\n{item.summary}\nWhen: {when}", headers,
                      "Category Updates")
        elif kind == "responses":
            for a in item.attendees:
                if a.who in ("owner", "resource") or a.partstat not in ("ACCEPTED", "DECLINED") or rng.random() > 0.35:
                    continue
                verb = "Accepted" if a.partstat == "ACCEPTED" else "Declined"
                when = _calendar_when(item.start)
                sender = Addr("calendar-notification@google.com", f"{a.name} (Google Calendar)", "name", "auto:calendar")
                self._one(t + dt.timedelta(hours=rng.uniform(0.1, 20)), sender, [self.owner_work], [],
                          f"{verb}: {item.summary} @ {when}", "calendar",
                          f"{a.name} has {verb.lower()} this invitation.", [("Reply-To", a.email)], "Category Updates")
        elif kind == "li_message" and rng.random() < 0.3:
            sender = Addr("messages-noreply@linkedin.com", f"{item.sender.name} via LinkedIn", "name", "auto:notification")
            self._one(t, sender, [self.owner_personal], [], f"{item.sender.name} sent you a new message", "notification",
                      "You have a new message on LinkedIn.", [("List-Unsubscribe", "<https://www.linkedin.com/e/unsub>")],
                      "Category Social")
        elif kind == "li_invite":
            sender = Addr("invitations@linkedin.com", item.sender.name, "name", "auto:notification")
            self._one(t, sender, [self.owner_personal], [], f"{self.owner.given}, please add me to your LinkedIn network",
                      "notification", "Accept the invitation on LinkedIn.",
                      [("List-Unsubscribe", "<https://www.linkedin.com/e/unsub>")], "Category Social")


def _same_mailbox(a: str, b: str) -> bool:
    def norm(address: str) -> str:
        local, _, domain = address.lower().partition("@")
        local = local.split("+")[0]
        if domain in ("gmail.com", "googlemail.com"):
            local, domain = local.replace(".", ""), "gmail.com"
        return f"{local}@{domain}"
    return norm(a) == norm(b)


def _calendar_when(start: dt.datetime | dt.date) -> str:
    """'Tue Mar 11, 2025 10:00am (CET)', in English whatever the process locale."""
    day = start.astimezone(zone(OWNER_TZ)) if isinstance(start, dt.datetime) else start
    text = f"{MONTHS[day.month - 1][:3]} {day.day}, {day.year}"
    text = f"{('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')[day.weekday()]} {text}"
    if not isinstance(day, dt.datetime):
        return text
    return f"{text} {day.hour % 12 or 12}:{day.minute:02d}{'am' if day.hour < 12 else 'pm'} ({day.tzname()})"


COMMUNITY_LIST = "berlin-data-community@googlegroups.com"
COMMUNITY_HEADERS = [("List-Id", "<berlin-data-community.googlegroups.com>"),
                     ("List-Unsubscribe", "<mailto:berlin-data-community+unsubscribe@googlegroups.com>"),
                     ("Precedence", "list"), ("Mailing-list", "list berlin-data-community@googlegroups.com")]
# name, address, issues per week, List-Id, Precedence: bulk, Gmail category
NEWSLETTERS = (
    ("Data Engineering Weekly", "hello@dataengweekly.io", 1.0, "dataengweekly.io", True, "Category Promotions"),
    ("The Product Brief", "newsletter@productbrief.co", 1.0, "", False, "Category Promotions"),
    ("Berlin Startup Digest", "digest@berlinstartups.de", 0.5, "digest.berlinstartups.de", True, "Category Updates"),
    ("Morning Markets", "morning@marketsdaily.com", 3.0, "morning.marketsdaily.com", True, "Category Promotions"),
    ("Brightwave Analytics News", "news@brightwave.io", 0.25, "news.brightwave.io", True, "Category Updates"),
)
NEWSLETTER_SUBJECTS = ("{name}: this week's top stories", "{name} #142", "Your weekly {name}",
                       "{name} — 5 things to read this week")
