"""The population of a `Simulation`: companies, the owner, conferences and people, with their
addresses, job histories, LinkedIn identities, vacations and latent tie strengths, and the hard
cases identity resolution meets (namesakes, job changes, role addresses, the address book).
"""
from __future__ import annotations

import math
import random
import re
from array import array
from urllib.parse import quote as _url_quote

from connectors.demo.world.habits import _LEVEL, _TRAJECTORY_MIX, _group_sizes
from connectors.demo.world.people import Company, Owner, Person
from connectors.demo.world.tables import (
    _CO_A,
    _CO_B,
    _COUNTRIES,
    _EMAIL_PATTERNS,
    _NATIVE,
    _NATIVE_WEIGHT,
    _ORIGINS,
    CONFERENCES,
    CREDENTIALS,
    EVENT_EVERY_WEEKS,
    GROUPS,
    NICKNAMES,
    OWNER_TZ,
    OWNERS,
    POSITIONS,
    RECRUITER_POSITIONS,
    _hexstr,
    _token,
    ascii_fold,
    mailbox,
)
from connectors.demo.world.truth import CARD_APPS, Card, SharedInbox, _role_name, _uuid


class Population:
    """The `Simulation`'s people, built once when it is made."""

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
        elif self.identity.mixed_names:
            for p in self._free_of_hard_cases(people):
                if knobs.random() < self.identity.mixed_names:
                    p.family, p.native = self._surname_of_any_origin(knobs), None
        if self.identity.compound_names:
            compounds = self._rng("compound-names")  # its own stream: the other knobs draw as they did
            for p in self._free_of_hard_cases(people):
                if p.native is None and compounds.random() < self.identity.compound_names:
                    self._compound_name(compounds, p)
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
        decorations = self._rng("decorated-names")  # its own stream: the other knobs draw as they did
        shortened = self._rng("short-names")  # its own stream too
        for p in people:
            self._job_history(rng, p)
            if self.identity.job_changes and p.previous is None and knobs.random() < self.identity.job_changes:
                self._change_job(knobs, p)
            self._addresses(rng, p, taken_addresses)
            if self.identity.bare_personal or self.identity.partial_work:
                self._harder_addresses(knobs, p, taken_addresses)
            self._linkedin_identity(rng, p, taken_slugs)
            if self.identity.decorated_names and decorations.random() < self.identity.decorated_names:
                self._decorate_name(decorations, p)
            if self.identity.short_names and p.second_surname and shortened.random() < self.identity.short_names:
                self._shorten_name(p)
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

    @staticmethod
    def _free_of_hard_cases(people: list[Person]) -> list[Person]:
        """The people whose names the identity knobs may change: the hard cases keep theirs."""
        kept = {("John", "Smith"), ("José", "Álvarez"), ("Zoë", "Müller"), ("Łukasz", "Wiśniewski"),
                ("Robert", "Miller"), ("William", "Turner"), ("Elizabeth", "Clark"), ("Katherine", "Hughes"),
                ("Wei", "Wang"), ("Fatima", "Hassan"), ("Minjun", "Kim")}
        return [p for p in people if (p.given, p.family) not in kept]

    @staticmethod
    def _surname_of_any_origin(rng: random.Random) -> str:
        _, _, _, lasts = _ORIGINS[rng.choices(range(len(_ORIGINS)), [o[1] for o in _ORIGINS])[0]]
        return rng.choices(lasts, [1 / (i + 1) for i in range(len(lasts))])[0]

    def _namesakes(self, rng: random.Random, people: list[Person]) -> None:
        """Names drawn with realistic (Zipf) frequencies, then namesakes at other companies until
        `namesakes` of the people share their full name with someone."""
        free = self._free_of_hard_cases(people)
        weights = [o[1] for o in _ORIGINS]
        for p in free:
            _, _, firsts, lasts = _ORIGINS[rng.choices(range(len(_ORIGINS)), weights)[0]]
            p.given = rng.choices(firsts, [1 / (i + 1) for i in range(len(firsts))])[0]
            p.family = rng.choices(lasts, [1 / (i + 1) for i in range(len(lasts))])[0]
            if self.identity.mixed_names and rng.random() < self.identity.mixed_names:
                p.family = self._surname_of_any_origin(rng)
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
            taken.discard(mailbox(p.personal_email))
            domain = rng.choice(("gmail.com", "gmail.com", "proton.me", "outlook.com", "web.de"))
            p.personal_email = self._unique(f"{first[:1]}{last}", domain, taken, rng)
            p.variant_email = None
            bare.add(p.personal_email)
        if p.work_email and p.group != "foci" and rng.random() < self.identity.partial_work:
            taken.discard(mailbox(p.work_email))
            domain = p.work_email.split("@")[1]
            p.work_email = self._unique(first if rng.random() < 0.5 else last, domain, taken, rng)
            if p.variant_email and p.variant_email.split("@")[1].lower() == domain:
                p.variant_email = None
            bare.add(p.work_email)
        p.bare_addresses = frozenset(bare)

    @staticmethod
    def _compound_name(rng: random.Random, p: Person) -> None:
        """A name of three words, as many cultures give: a second given name, a second surname, or the
        surname's particles. Addresses then join the words (anamaria.garcia@, jan.vanderberg@)."""
        if " " in p.given or " " in p.family:
            return
        origin, firsts, lasts = next(((o, f, la) for o, _, f, la in _ORIGINS if p.family in la),
                                     (_ORIGINS[0][0], _ORIGINS[0][2], _ORIGINS[0][3]))
        particles = {"western": ("van", "van der", "de"), "german": ("von", "van der"),
                     "spanish": ("de", "de la", "da", "dos")}.get(origin, ())
        match rng.choice(("given", "surname", "particle") if particles else ("given", "surname")):
            case "given":
                p.given, p.nickname = f"{p.given} {rng.choice([f for f in firsts if f != p.given])}", None
            case "surname":
                p.second_surname = rng.choice([la for la in lasts if la != p.family and ' ' not in la])
                p.family = f"{p.family} {p.second_surname}"
            case "particle":
                p.family = f"{rng.choice(particles)} {p.family}"

    @staticmethod
    def _decorate_name(rng: random.Random, p: Person) -> None:
        """What real mail shows around a name: pronouns, the company, a tag the company's mail server
        adds, a Lotus Notes path; LinkedIn's last name may carry the pronouns too."""
        pronouns = rng.choice(("(she/her)", "(he/him)", "(they/them)"))
        if p.mail_name and p.mail_form == "name":
            p.mail_name = rng.choice((
                f"{p.mail_name} {pronouns}", f"{p.mail_name} | {p.company.name}", f"{p.mail_name} - {p.company.name}",
                f"{p.mail_name} ({p.company.name})", f"{p.mail_name} [EXT]", f"{p.mail_name}/{p.company.name}"))
        if p.linkedin_url and rng.random() < 0.3:
            p.li_last = f"{p.li_last} {pronouns.title()}"

    @staticmethod
    def _shorten_name(p: Person) -> None:
        """Mail that shows one surname of two (José García for José García López); LinkedIn and the
        address book keep both."""
        if p.mail_name and not p.native:
            first = p.family.removesuffix(f" {p.second_surname}")
            p.mail_name = p.mail_name.replace(p.family, first).replace(p.family.lower(), first.lower())

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
        while mailbox(address) in taken:
            address = f"{local}{rng.randint(2, 99)}@{domain}"
        taken.add(mailbox(address))
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
