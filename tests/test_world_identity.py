"""The world generator's identity knobs: namesakes, addresses without names, job changes, role
addresses and an address book in the apps' real shapes, each doing what it says and nothing else."""
import datetime as dt
import re
from collections import Counter

import pytest

from connectors.contacts import read_contacts
from connectors.demo import IdentityKnobs, generate_world, load_truth
from connectors.demo.world import Simulation
from connectors.demo.world.tables import mailbox
from connectors.mbox import read_mbox
from connectors.records import ContactCard, Rejected

pytestmark = pytest.mark.slow  # generated worlds with every identity knob

END = dt.date(2026, 11, 23)
HARD = IdentityKnobs(namesakes=0.25, bare_personal=0.5, partial_work=0.3, job_changes=0.3, role_addresses=2,
                     address_book=0.5)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hard-world")
    paths = generate_world(folder, people=300, seed=5, end=END, identity=HARD)
    return paths, load_truth(paths.truth)


def test_all_knobs_off_is_the_world_as_it_always_was():
    plain, knobs_off = Simulation(300, 5, END), Simulation(300, 5, END, identity=IdentityKnobs())
    assert [(p.full_name, p.work_email, p.personal_email, p.linkedin_url) for p in plain.people] == \
        [(p.full_name, p.work_email, p.personal_email, p.linkedin_url) for p in knobs_off.people]


def test_a_quarter_of_the_people_share_their_full_name_with_someone(world):
    _, truth = world
    names = Counter(p.full_name for p in truth.people)
    shared = sum(n for n in names.values() if n > 1)
    assert shared >= 0.25 * len(truth.people)
    plain = Counter(p.full_name for p in Simulation(300, 5, END).people)
    assert sum(n for n in plain.values() if n > 1) < 0.05 * 300


def test_no_two_people_share_a_mailbox_among_namesakes():
    # maria.munoz@gmail.com and mariamunoz@gmail.com are one Gmail mailbox: the truth cannot give it
    # to two Maria Muñoz (1,000 people: seed 5 had three such pairs)
    sim = Simulation(1000, 5, END, identity=HARD)
    sim.linkedin()  # gives a LinkedIn connection without an address one to show
    owners: dict[str, set[str]] = {}
    for p in sim.people:
        for address in filter(None, (p.personal_email, p.work_email, p.old_email)):
            owners.setdefault(mailbox(address), set()).add(p.person_id)
    assert len(owners) > 1000 and {box: who for box, who in owners.items() if len(who) > 1} == {}


def test_mixed_names_draw_surnames_apart_from_first_names_and_leave_who_is_who():
    from connectors.demo.world.tables import _ORIGINS
    origin = {name: o for o, _, firsts, lasts in _ORIGINS for name in (*firsts, *lasts)}
    plain = Simulation(300, 5, END, identity=IdentityKnobs(address_book=0.5))
    mixed = Simulation(300, 5, END, identity=IdentityKnobs(address_book=0.5, mixed_names=1.0))
    crossed = [p for p in mixed.people if origin.get(p.given, "?") != origin.get(p.family, "?")]
    assert len(crossed) > 0.5 * 300  # most surnames now come from another origin than the first name
    # who they are stays (addresses, and what the main stream draws after them, follow the new surnames)
    assert [(p.person_id, p.given, p.group, p.trajectory) for p in plain.people] == \
        [(p.person_id, p.given, p.group, p.trajectory) for p in mixed.people]


def test_decorated_names_show_more_than_the_name_in_mail_and_change_nothing_else():
    plain = Simulation(300, 5, END, identity=IdentityKnobs(address_book=0.5))
    decorated = Simulation(300, 5, END, identity=IdentityKnobs(address_book=0.5, decorated_names=0.3))
    changed = [(a.mail_name, b.mail_name) for a, b in zip(plain.people, decorated.people, strict=True)
               if a.mail_name != b.mail_name]
    assert 0.15 * 300 < len(changed) < 0.4 * 300
    assert all(new.startswith(old) and new != old for old, new in changed)  # the name, then what was added
    kinds = Counter(re.sub(r"[^(|\[/-]", "", new[len(old):])[:1] for old, new in changed)
    assert set(kinds) == {"(", "|", "[", "/", "-"}
    assert [(p.person_id, p.full_name, p.work_email, p.personal_email, p.linkedin_url) for p in plain.people] == \
        [(p.person_id, p.full_name, p.work_email, p.personal_email, p.linkedin_url) for p in decorated.people]


def test_compound_names_have_three_words_that_addresses_join():
    plain = Simulation(300, 5, END, identity=IdentityKnobs(address_book=0.5))
    compound = Simulation(300, 5, END, identity=IdentityKnobs(address_book=0.5, compound_names=0.3))
    changed = [(a, b) for a, b in zip(plain.people, compound.people, strict=True) if a.full_name != b.full_name]
    assert 0.15 * 300 < len(changed) < 0.4 * 300
    for old, new in changed:  # a name or a surname's particles added, nothing taken away
        assert len(new.full_name.split()) >= 3 and set(old.full_name.split()) < set(new.full_name.split())
    joined = [b for _, b in changed if b.work_email and "." in b.work_email.split("@")[0]]
    assert joined and all(" " not in b.work_email for b in joined)
    # who they are stays (addresses, and what the main stream draws after them, follow the new names)
    assert [(p.person_id, p.group, p.trajectory) for p in plain.people] == \
        [(p.person_id, p.group, p.trajectory) for p in compound.people]


def test_harder_addresses_are_written_without_a_display_name(world):
    paths, _ = world
    sim = Simulation(300, 5, END, identity=HARD)
    bare = {address for p in sim.people for address in p.bare_addresses}
    personal = {a for a in bare if a.split("@")[1] in ("gmail.com", "proton.me", "outlook.com", "web.de")}
    assert len(personal) > 20 and len(bare - personal) > 20
    named = set()
    for record in read_mbox([paths.mbox]):
        for party in [record.from_addr, *record.to] if hasattr(record, "to") else []:
            if party is not None and party.email in bare and party.name:
                named.add(party.email)
    assert named == set()


def test_role_addresses_are_shared_inboxes_several_people_answer_from(world):
    _, truth = world
    assert len(truth.shared_inboxes) == 3  # the vendor's sales@ and two more
    assert all(len(inbox.person_ids) >= 2 for inbox in truth.shared_inboxes)
    assert {i.key for i in truth.identities} & {inbox.address for inbox in truth.shared_inboxes} == set()


def test_job_changes_give_people_an_old_work_address():
    changed = sum(1 for p in Simulation(300, 5, END, identity=HARD).people if p.old_email)
    assert changed > 1.5 * sum(1 for p in Simulation(300, 5, END).people if p.old_email)


def test_the_address_book_is_written_in_four_apps_shapes_that_all_read_back(world):
    paths, truth = world
    (folder,) = paths.contacts
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["Apple Contacts.vcf", "Outlook Contacts.vcf", "contacts.csv", "contacts.vcf"]
    records = list(read_contacts(sorted(folder.iterdir())))
    assert [r for r in records if isinstance(r, Rejected)] == []
    cards = [r for r in records if isinstance(r, ContactCard)]
    assert len(cards) == truth.counts["address_book_cards"]
    assert {c.format for c in cards} == {"vCard 2.1", "vCard 3.0", "Google Contacts CSV"}
    owners: dict[str, set] = {}
    for identity in truth.identities:
        owners.setdefault(identity.key, set()).add(identity.person_id)
    shared = {inbox.address for inbox in truth.shared_inboxes}
    # every card is one person's (or a shared inbox's), and every address on it is in the truth
    assert all(len(set().union(*(owners[e] for e in c.emails))) == 1 for c in cards if not set(c.emails) & shared)
    assert sum(1 for c in cards if len(c.emails) > 1) >= 0.15 * len(cards)  # several addresses: merge evidence
    assert 'contacts = ["Contacts"]' in paths.config.read_text()
