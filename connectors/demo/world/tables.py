"""The tables the world draws from: its constants and knobs, names (with nicknames and native
scripts), companies and countries, positions, the text of messages, and small helpers.
"""
from __future__ import annotations

import base64
import datetime as dt
import math
import random
import re
import unicodedata
from dataclasses import dataclass
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
    mixed_names: float = 0.0  # share of people whose surname comes from another origin than their first name
    #                           (Elif Smith, Friedrich Tanaka): names drawn apart, as another generator may
    compound_names: float = 0.0  # share of people with a name of three words: two given names (Ana María),
    #                              two surnames (García López) or a surname with particles (van der Berg)
    decorated_names: float = 0.0  # share of people whose mail shows more than their name: pronouns, their
    #                               company after a bar or dash or in brackets, an [EXT] tag, a Lotus Notes path
    short_names: float = 0.0  # share of people with two surnames whose mail shows only the first
    #                           (José García for José García López), as much Spanish and Portuguese mail does

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


def mailbox(address: str) -> str:
    """The mailbox an address reaches: Gmail ignores dots and case, googlemail.com is gmail.com
    (maria.munoz@gmail.com is mariamunoz@googlemail.com): two people must not share one."""
    local, _, domain = address.lower().partition("@")
    if domain in ("gmail.com", "googlemail.com"):
        return f"{local.replace('.', '')}@gmail.com"
    return f"{local}@{domain}"
