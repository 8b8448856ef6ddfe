"""The owner's LinkedIn: connections, conversations (InMail and event contacts included) and
invitations.
"""
from __future__ import annotations

import base64
import datetime as dt
import random

from connectors.demo.world.events import LiConnection, LiInvitation, LiMessage, LinkedInData, LiParty
from connectors.demo.world.habits import _LINKEDIN_PREF, LINKEDIN_RATE
from connectors.demo.world.people import Person
from connectors.demo.world.tables import (
    ASKS,
    CLOSINGS,
    GREETINGS,
    OWNER_TZ,
    POSITIONS,
    TELLS,
    UTC,
    _hexstr,
    _poisson,
    _token,
    mailbox,
)


class LinkedIn:
    """The `Simulation`'s LinkedIn data (`linkedin()`)."""

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
        in_use = {mailbox(a) for q in self.people for a in (q.personal_email, q.work_email, q.old_email) if a}
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
                email = (p.personal_email or p.work_email
                         or _unused_gmail(f"{_token(p.given)}.{_token(p.family)}", in_use))
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


def _li_text(rng: random.Random, first: str, expects: bool, closing: bool, conference: str) -> str:
    if closing:
        return rng.choice(CLOSINGS)
    opener = f"Hi {first}, great meeting you at {conference}!" if conference else rng.choice(GREETINGS).format(n=first)
    body = rng.choice(ASKS) if expects else rng.choice(TELLS)
    if rng.random() < 0.15:
        return f"{opener}\n\n{body}\n\n{rng.choice(('Cheers', 'Best', 'Thanks'))}"
    return f"{opener} {body}"


def _unused_gmail(local: str, in_use: set[str]) -> str:
    """A Gmail address for `local` that nobody else in the world has: two Maria Muñoz cannot share one
    mailbox (the truth would call one address two people). Counted, not drawn: the world's random
    streams stay as they were."""
    address, n = f"{local}@gmail.com", 1
    while mailbox(address) in in_use:
        n += 1
        address = f"{local}{n}@gmail.com"
    in_use.add(mailbox(address))
    return address
