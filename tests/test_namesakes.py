"""How many people a name's identities are: the fit on the network's own groups (pipelines/namesakes.py)."""
import random

import numpy as np
import pytest

from pipelines.namesakes import MAX_GROUP, Group, fit

TRUE_SHARES = {(1, 0): 0.25, (0, 1): 0.35, (1, 1): 0.25, (0, 2): 0.08, (1, 2): 0.07}


def simulated_network(seed: int, names: int = 4000, told: float = 1.0):
    """Names of known bearers: one plus a Poisson count of namesakes each, every bearer holding a
    signature drawn from TRUE_SHARES; each group is told `told` times its true expectation of
    namesakes. Returns the groups and who holds each identity."""
    rng = random.Random(seed)
    signatures, weights = zip(*TRUE_SHARES.items())
    groups, holder = [], {}
    for name in range(names):
        expected = rng.choice([0.02, 0.1, 0.3])
        bearers = 1 + np.random.default_rng(rng.randrange(2**32)).poisson(expected)
        keys, is_profile = [], []
        for bearer in range(bearers):
            profiles, others = rng.choices(signatures, weights)[0]
            for i in range(profiles + others):
                key = f"n{name}-b{bearer}-{i}"
                keys.append(key)
                is_profile.append(i < profiles)
                holder[key] = bearer
        order = sorted(range(len(keys)), key=lambda i: keys[i])
        groups.append(Group(tuple(keys[i] for i in order), tuple(is_profile[i] for i in order), expected * told))
    return groups, holder


@pytest.mark.parametrize("told", [1.0, 0.25])
def test_how_many_identities_people_hold_is_fitted_from_the_groups_alone(told):
    # names of one origin go together, and the product of their shares can expect a quarter of the
    # namesakes there are: the groups say how many
    groups, holder = simulated_network(seed=1, told=told)
    fitted = fit(groups)
    namesakes = sum(len({holder[key] for key in group.keys}) - 1 for group in groups)
    assert fitted.scale == pytest.approx(namesakes / sum(group.namesakes for group in groups), rel=0.12)
    for signature, share in TRUE_SHARES.items():
        assert fitted.shares[signature] == pytest.approx(share, abs=0.02)
    # and the probabilities are what happens: pairs binned by them are one person as often as said
    said = np.array([p for _, _, p, *_ in fitted.pairs])
    truly = np.array([holder[a] == holder[b] for a, b, *_ in fitted.pairs])
    for low, high in [(0.0, 0.3), (0.3, 0.7), (0.7, 0.9), (0.9, 0.97), (0.97, 1.0)]:
        inside = (said >= low) & (said < high)
        if inside.sum() >= 50:
            assert truly[inside].mean() == pytest.approx(said[inside].mean(), abs=0.05)


def test_a_profile_and_an_address_alone_are_one_person_as_often_as_people_hold_both():
    # of the same name and namesakes, in a network where most hold both, and in one where few do
    # (namesakes expected whatever the name: the groups cannot tell them from people of two identities)
    pair = Group(("email:a", "linkedin:a"), (False, True), 0.0, excess=0.1)
    singles = [Group((f"email:{n}",), (False,), 0.0, excess=0.1) for n in range(40)] + \
              [Group((f"linkedin:{n}",), (True,), 0.0, excess=0.1) for n in range(40)]
    both = [Group((f"email:b{n}", f"linkedin:b{n}"), (False, True), 0.0, excess=0.001) for n in range(200)]
    likely = fit([pair, *singles, *both]).pairs
    unlikely = fit([pair, *singles, *both[:2]]).pairs
    assert ("email:a", "linkedin:a") == likely[0][:2] == unlikely[0][:2]
    assert likely[0][2] > 0.95 > 0.5 > unlikely[0][2]


def test_what_is_certain_holds_in_every_way_the_group_may_be_people():
    two_profiles = Group(("email:x", "linkedin:1", "linkedin:2"), (False, True, True), 0.1,
                         together=frozenset({("email:x", "linkedin:1")}))
    on_one_message = Group(("email:a", "email:b", "email:c"), (False, False, False), 0.1,
                           apart=frozenset({("email:a", "email:b")}))
    together = {(a, b): p for a, b, p, *_ in fit([two_profiles, on_one_message]).pairs}
    assert together[("email:x", "linkedin:1")] == 1.0
    assert together[("email:x", "linkedin:2")] == 0.0 == together[("linkedin:1", "linkedin:2")]
    assert together[("email:a", "email:b")] == 0.0
    # the third address is one of the two, or a third person: the two are alike
    assert together[("email:a", "email:c")] == pytest.approx(together[("email:b", "email:c")])


def test_a_common_name_with_many_identities_is_left_to_the_pairwise_score():
    common = Group(tuple(f"email:{n}" for n in range(MAX_GROUP + 1)), (False,) * (MAX_GROUP + 1), 3.0)
    contradicted = Group(("email:a", "email:b"), (False, False), 0.1,
                         together=frozenset({("email:a", "email:b")}), apart=frozenset({("email:a", "email:b")}))
    assert fit([common, contradicted]).pairs == []


def test_a_name_that_nobody_else_is_expected_to_bear_is_one_persons():
    # (a network where neither the frequencies nor LinkedIn expect any namesake)
    alone = Group(("email:a", "linkedin:a"), (False, True), 0.0)
    singles = [Group((f"email:{n}",), (False,), 0.0) for n in range(3)]
    fitted = fit([alone, *singles])
    assert fitted.pairs[0][2] == pytest.approx(1.0) and fitted.pairs[0][4] == pytest.approx(1.0)
