"""How many people a name's identities are, from how this owner's own network is made.

A pair of identities that agree on a whole name and on nothing else (a personal address and a
LinkedIn profile of one name) is one person unless a namesake holds one of them. Scored alone, the
pair can only weigh the name's frequency. Seen with every identity of its name, it says more: two
identities of a name that nothing else here bears are one person who has both, or two namesakes who
have one each, and how often people here have a profile and an address, against one of them alone,
decides between the two. A name with more identities than its people usually have is likely more
than one person's.

So each whole name's identities are a group, and a group is a partition of its identities among
people: the number of people is one plus a Poisson count of namesakes (the frequencies'
expectation, sql/people/identity_candidates.sql), and each person's identities of the name are one
"signature" (a LinkedIn profile or not, and how many other identities), drawn from one distribution
for the network. What the group's pairs say beside the name holds in every partition: one person
holds at most one profile; two identities a source links, or whose company and mail agree surely
enough to merge, are one person's; two on one message are two. The distribution is not known,
since who is whom is the question: it is fitted by expectation-maximisation over all the network's
groups, those of one identity included. The owner's own data say how many identities people here
have.

How many namesakes the frequencies expect is fitted too. A first and a last name's shares, multiplied,
miss that names of one origin go together (Wei with Wang, Rahul with Sharma): in a network where
many share an origin, their common names have several times the namesakes the product expects. So
the frequencies' expectation is scaled by one factor for the network, fitted beside the signatures:
the namesakes the groups most likely hold against those expected. What LinkedIn shows of namesakes
whatever the name (`excess`, counted from the network's profiles) is kept as it is: nothing in the
groups tells those namesakes from people who hold several addresses.
"""
from __future__ import annotations

import dataclasses
import math
from collections import Counter
from dataclasses import dataclass
from functools import cache

import numpy as np

# Names with more identities than this are common ones: their pairs keep the pairwise score, and the
# partitions stay few (203 of six identities).
MAX_GROUP = 6
# Each signature starts with this many people: a small network's few groups do not rule any out.
PRIOR_PEOPLE = 0.5
# The frequencies' scale starts as if one name's worth of namesakes were as they expect: a network of
# few names keeps about their word.
PRIOR_NAMESAKES = 1.0
ITERATIONS = 500
TOLERANCE = 1e-6

Signature = tuple[int, int]  # (LinkedIn profiles: 0 or 1, other identities)


@dataclass(frozen=True)
class Group:
    """A whole name's identities (keys in order, which are LinkedIn profiles), the namesakes the
    name's frequency expects (which the fit scales) and those expected whatever the name, and the
    pairs of them known to be one person, or two."""
    keys: tuple[str, ...]
    is_profile: tuple[bool, ...]
    namesakes: float
    together: frozenset[tuple[str, str]] = frozenset()
    apart: frozenset[tuple[str, str]] = frozenset()
    excess: float = 0.0


@dataclass(frozen=True)
class Splits:
    """The ways a group's identities may be people, by the people's signatures: how many partitions
    give each, and in how many of those each pair of identities is one person's."""
    signatures: tuple[tuple[Signature, ...], ...]
    partitions: np.ndarray  # per way
    together: np.ndarray  # pairs x ways
    pairs: tuple[tuple[int, int], ...]  # (index, index) into the group's keys
    # log P(what is certain | way): the share of the way's partitions that agree with it
    log_evidence: np.ndarray | None = None


def splits_of(group: Group) -> Splits:
    """The group's ways to be people; groups alike (the same identities' kinds and pairs known, by
    position) share one `Splits`, which the fit takes as one kind of group."""
    if not group.together and not group.apart:  # any two profiles, or addresses, are alike
        return _splits(group.is_profile.count(True), group.is_profile.count(False), _order(group.is_profile))
    index = {key: i for i, key in enumerate(group.keys)}
    return _constrained(group.is_profile, frozenset((index[a], index[b]) for a, b in group.together),
                        frozenset((index[a], index[b]) for a, b in group.apart))


@cache
def _constrained(is_profile: tuple[bool, ...], together: frozenset, apart: frozenset) -> Splits:
    found = _enumerate(is_profile, together, apart)
    every = _canonical(is_profile.count(True), is_profile.count(False))
    all_partitions = dict(zip(every.signatures, every.partitions))
    return dataclasses.replace(found, log_evidence=np.log(
        found.partitions / np.array([all_partitions[way] for way in found.signatures], dtype=float)))


def _order(is_profile: tuple[bool, ...]) -> tuple[int, ...]:
    """Where each identity stands among the profiles first, then the others (the cached form)."""
    profiles = [i for i, p in enumerate(is_profile) if p]
    others = [i for i, p in enumerate(is_profile) if not p]
    position = {i: n for n, i in enumerate(profiles + others)}
    return tuple(position[i] for i in range(len(is_profile)))


@cache
def _splits(profiles: int, others: int, order: tuple[int, ...]) -> Splits:
    canonical = _canonical(profiles, others)
    lookup = {pair: n for n, pair in enumerate(canonical.pairs)}
    rows = [lookup[tuple(sorted((order[a], order[b])))] for a, b in _pairs(len(order))]
    return Splits(canonical.signatures, canonical.partitions, canonical.together[rows], _pairs(len(order)))


@cache
def _canonical(profiles: int, others: int) -> Splits:
    return _enumerate(tuple([True] * profiles + [False] * others), frozenset(), frozenset())


def _pairs(n: int) -> tuple[tuple[int, int], ...]:
    return tuple((a, b) for a in range(n) for b in range(a + 1, n))


def _enumerate(is_profile: tuple[bool, ...], together: frozenset, apart: frozenset) -> Splits:
    pairs = _pairs(len(is_profile))
    found: dict[tuple[Signature, ...], list] = {}
    for partition in _partitions(list(range(len(is_profile)))):
        person = {i: n for n, block in enumerate(partition) for i in block}
        if any(person[a] != person[b] for a, b in together) or any(person[a] == person[b] for a, b in apart):
            continue
        signatures = tuple(sorted((sum(is_profile[i] for i in block), sum(not is_profile[i] for i in block))
                                  for block in partition))
        if any(held > 1 for held, _ in signatures):  # one profile each
            continue
        counts = found.setdefault(signatures, [0, np.zeros(len(pairs))])
        counts[0] += 1
        counts[1] += [person[a] == person[b] for a, b in pairs]
    ways = sorted(found)
    return Splits(tuple(ways), np.array([found[w][0] for w in ways], dtype=float),
                  np.array([found[w][1] for w in ways]).T.reshape(len(pairs), len(ways)), pairs)


def _partitions(items: list):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in _partitions(rest):
        for i in range(len(partition)):
            yield partition[:i] + [[first, *partition[i]]] + partition[i + 1:]
        yield [[first], *partition]


@dataclass
class Fit:
    shares: dict[Signature, float]  # how often people here hold each signature of their name
    scale: float  # the namesakes here against those the frequencies expect
    # each pair of a fitted group: its keys, P(one person), the name's identities, how many people
    # they most likely are and the namesakes expected of the name
    pairs: list[tuple[str, str, float, int, float, float]]


def fit(groups: list[Group]) -> Fit:
    """Fits the signatures' shares and the frequencies' scale on all groups small enough to partition
    (one identity's too) and returns, for their pairs, the probability that the two are one person."""
    by_splits: dict[int, tuple[Splits, list[Group]]] = {}
    for group in groups:
        if len(group.keys) > MAX_GROUP:
            continue
        found = splits_of(group)
        if len(found.signatures):  # (no way at all: what is certain contradicts itself)
            by_splits.setdefault(id(found), (found, []))[1].append(group)
    if not by_splits:
        return Fit({}, 1.0, [])
    kinds = list(by_splits.values())
    support = sorted({s for found, _ in kinds for way in found.signatures for s in way})
    ways = _Ways(kinds, support)
    log_shares = np.full(len(support), -math.log(len(support)))
    scale = 1.0
    by_frequency = PRIOR_NAMESAKES + float(ways.frequency.sum())
    for _ in range(ITERATIONS):
        expected = scale * ways.frequency + ways.excess
        weights = ways.posterior(expected, log_shares)
        people = PRIOR_PEOPLE + weights @ ways.held
        # the namesakes the groups most likely hold, the frequencies' part of them
        frequencies_part = scale * ways.frequency / np.maximum(expected, 1e-300)
        held = PRIOR_NAMESAKES + float(weights @ (ways.namesakes * frequencies_part[ways.group]))
        updated = np.log(people / people.sum())
        rescaled = held / by_frequency
        change = max(float(np.abs(np.exp(updated) - np.exp(log_shares)).max()), abs(rescaled - scale) / scale)
        log_shares, scale = updated, rescaled
        if change < TOLERANCE:
            break
    expected = scale * ways.frequency + ways.excess
    weights = ways.posterior(expected, log_shares)
    pairs, row, first = [], 0, 0
    for found, members in kinds:  # each kind's rows: its groups in turn, each with every way
        block = weights[row:row + len(members) * len(found.signatures)].reshape(len(members), -1)
        paired = block @ (found.together / found.partitions).T  # groups x pairs
        people = block @ np.array([len(way) for way in found.signatures], dtype=float)
        for group, together, count, namesakes in zip(members, paired, people, expected[first:first + len(members)]):
            pairs.extend((group.keys[a], group.keys[b], float(p), len(group.keys), float(count), float(namesakes))
                         for (a, b), p in zip(found.pairs, together))
        row, first = row + block.size, first + len(members)
    return Fit(dict(zip(support, np.exp(log_shares).tolist())), scale, pairs)


class _Ways:
    """Every way each fitted group may be people, a row each (kind by kind, group by group): which
    group, how many namesakes, how many of each signature its people hold, and its weight's part
    that does not change with the shares."""

    def __init__(self, kinds: list[tuple[Splits, list[Group]]], support: list[Signature]):
        members = [group for _, groups in kinds for group in groups]
        self.frequency = np.array([g.namesakes for g in members], dtype=float)
        self.excess = np.array([g.excess for g in members], dtype=float)
        sizes = np.array([len(found.signatures) for found, groups in kinds for _ in groups])
        self.group = np.repeat(np.arange(len(members)), sizes)
        self.start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self.namesakes = np.concatenate([np.tile([len(way) - 1.0 for way in found.signatures], len(groups))
                                         for found, groups in kinds])
        self.held = np.concatenate([np.tile([[way.count(s) for s in support] for way in found.signatures],
                                            (len(groups), 1)) for found, groups in kinds]).astype(float)
        self.fixed = np.concatenate([np.tile(_fixed(found), len(groups)) for found, groups in kinds])

    def posterior(self, namesakes: np.ndarray, log_shares: np.ndarray) -> np.ndarray:
        """P(way | group), per row: the namesakes a Poisson count, the people's signatures drawn from
        the shares, the identities any of the partitions that give them."""
        log_weight = self.namesakes * np.log(np.maximum(namesakes, 1e-12))[self.group] + self.fixed \
            + self.held @ log_shares
        weight = np.exp(log_weight - np.maximum.reduceat(log_weight, self.start)[self.group])
        return weight / np.add.reduceat(weight, self.start)[self.group]


def _fixed(found: Splits) -> np.ndarray:
    """log P(way) but for the shares and the namesakes: the people come in no order (a multiset of
    signatures) and are one plus a Poisson count; and the share of the way's partitions that agree
    with what is certain."""
    fixed = np.array([math.lgamma(len(way) + 1) - sum(math.lgamma(n + 1) for n in Counter(way).values())
                      - math.lgamma(len(way)) for way in found.signatures])
    return fixed if found.log_evidence is None else fixed + found.log_evidence
