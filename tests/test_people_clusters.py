"""How scored pairs become people (pipelines/people.py `_Clusters`): the rules that keep two people
apart hold through a third identity too. Scores and evidence are given here, as the SQL scores them."""
import datetime as dt

from pipelines.config import Overrides
from pipelines.people import _Clusters

PERSONAL = "email:lostergaard@web.de"
PROFILE = "linkedin:lukas-ostergaard"  # LinkedIn shows him at Nova Consulting
WORK = "email:lukas.ostergaard@fabrikam.com"  # writing from Fabrikam, and still writing
FIRST, LAST = dt.datetime(2025, 1, 6, tzinfo=dt.timezone.utc), dt.datetime(2026, 11, 16, tzinfo=dt.timezone.utc)
PROFILES = [(PERSONAL, "email", "person", None, FIRST, LAST),
            (PROFILE, "linkedin_url", "person", None, None, None),
            (WORK, "email", "person", "fabrikam.com", FIRST, LAST)]
# (left, right, score, evidence, is_role_address, needs a link it does not have, linked, agrees on no company)
AT_TWO_COMPANIES = (WORK, PROFILE, 1.8, "same name; the address is not at the company's domain", False, True, False,
                    False)


def personal(other: str, score: float) -> tuple:
    return (PERSONAL, other, score, "same name; one is a personal address", False, False, False, True)


def resolve(candidates: list[tuple], unlinked: list[tuple[str, str]], links: list[tuple[str, str, str]] = (),
            profiles: list[tuple] = PROFILES) -> tuple[dict[str, str], dict]:
    clusters = _Clusters(profiles, Overrides(), conflicts=[], unlinked=unlinked, accounts=[])
    ordered = sorted(candidates, key=lambda c: -c[2])
    decisions = {frozenset(d[:2]): d[4] for d in clusters.link(list(links), ordered)}
    return clusters.person_ids(), decisions


def test_a_personal_address_of_the_name_does_not_join_two_companies_that_nothing_links():
    people, decisions = resolve([personal(PROFILE, 6.0), personal(WORK, 6.0), AT_TWO_COMPANIES],
                                unlinked=[(WORK, PROFILE)])
    assert people[PROFILE] != people[WORK] and people[PERSONAL] in (people[PROFILE], people[WORK])
    refused = PROFILE if people[PERSONAL] == people[WORK] else WORK
    assert decisions[frozenset((PERSONAL, refused))] == (
        "kept apart: at two different companies, and nothing links the two")


def test_the_clearly_better_fit_is_taken_and_the_other_company_stays_apart():
    people, decisions = resolve([personal(PROFILE, 14.0), personal(WORK, 6.0), AT_TWO_COMPANIES],
                                unlinked=[(WORK, PROFILE)])
    assert people[PERSONAL] == people[PROFILE] != people[WORK]
    assert decisions[frozenset((PERSONAL, WORK))] == "kept apart: at two different companies, and nothing links the two"


def test_without_the_two_companies_the_personal_address_joins_both():
    """The same scores where LinkedIn's company is Fabrikam's: one person (the rule above is what splits)."""
    people, _ = resolve([personal(PROFILE, 6.0), personal(WORK, 6.0)], unlinked=[])
    assert people[PERSONAL] == people[PROFILE] == people[WORK]


def test_a_linked_job_change_still_joins_through_the_personal_address():
    """A link of its own (a thread both wrote in, a rare name's handover) speaks for a job change."""
    linked = (PERSONAL, WORK, 6.0, "same name; one is a personal address", False, False, True, True)
    people, _ = resolve([personal(PROFILE, 14.0), linked, AT_TWO_COMPANIES], unlinked=[(WORK, PROFILE)])
    assert people[PERSONAL] == people[PROFILE] == people[WORK]


def test_a_profile_joins_the_address_at_its_company_of_someone_whose_job_change_is_linked():
    """His card lists the Fabrikam address and the new one at Nova Consulting, the company LinkedIn
    shows: the profile and the old address are still "at two companies", but the card links them."""
    new = "email:lukas.ostergaard@nova-consulting.com"
    profiles = [*PROFILES, (new, "email", "person", "nova-consulting.com", LAST, LAST)]
    at_the_company = (new, PROFILE, 12.0, "same name; the address is at the company's domain", False, False, False,
                      False)
    people, _ = resolve([at_the_company, AT_TWO_COMPANIES], unlinked=[(WORK, PROFILE)],
                        links=[(WORK, new, "listed together on one address-book card")], profiles=profiles)
    assert people[WORK] == people[new] == people[PROFILE]
