"""The owner's mailbox, generated week by week: direct, group and internal threads, automated
and special mail, and the notifications that the calendar and LinkedIn send.
"""
from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from typing import TYPE_CHECKING

from connectors.demo.world.events import Addr, Mail, Quote
from connectors.demo.world.habits import _EMAIL_PREF, _OWNER_STARTS, DIRECT_RATE
from connectors.demo.world.people import Person
from connectors.demo.world.tables import (
    _STRANGERS,
    ASKS,
    CLOSINGS,
    FROM_LINES,
    GREETINGS,
    MONTHS,
    OWNER_TZ,
    POSITIONS,
    SIGNOFFS,
    SUBJECTS,
    TELLS,
    _b64token,
    _hexstr,
    _poisson,
    _token,
    zone,
)
from connectors.demo.world.truth import _role_name

if TYPE_CHECKING:  # the stream reads the simulation that makes it
    from connectors.demo.world.simulation import Simulation


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
            rate = (scale * DIRECT_RATE * value ** 1.4 * _EMAIL_PREF[p.group] * p.email_habit
                    * self.sim.habits.email_rate)
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
                sender = Addr("calendar-notification@google.com", f"{a.name} (Google Calendar)", "name",
                              "auto:calendar")
                self._one(t + dt.timedelta(hours=rng.uniform(0.1, 20)), sender, [self.owner_work], [],
                          f"{verb}: {item.summary} @ {when}", "calendar",
                          f"{a.name} has {verb.lower()} this invitation.", [("Reply-To", a.email)], "Category Updates")
        elif kind == "li_message" and rng.random() < 0.3:
            sender = Addr("messages-noreply@linkedin.com", f"{item.sender.name} via LinkedIn", "name",
                          "auto:notification")
            self._one(t, sender, [self.owner_personal], [], f"{item.sender.name} sent you a new message",
                      "notification", "You have a new message on LinkedIn.",
                      [("List-Unsubscribe", "<https://www.linkedin.com/e/unsub>")], "Category Social")
        elif kind == "li_invite":
            sender = Addr("invitations@linkedin.com", item.sender.name, "name", "auto:notification")
            self._one(t, sender, [self.owner_personal], [],
                      f"{self.owner.given}, please add me to your LinkedIn network",
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
