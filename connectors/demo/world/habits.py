"""How a network keeps in touch: the sizes of its groups, their trajectories and tie levels, the
channels each group prefers, the owner's habits (`OWNER_TYPES`) and the base rates.
"""
from __future__ import annotations

from dataclasses import dataclass


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
