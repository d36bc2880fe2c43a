"""Topics of self-help groups, and which of them could expose a member.

A group is *sensitive* by default when its topic is one whose membership alone could put a
person at risk or at a disadvantage (disability, ethnicity, displacement, violence): its
notices then never name it on a lock screen and are sent with protect_content. A moderator
may switch it off for a group whose members say so; it starts on.
"""

from __future__ import annotations

from locales import n_

TOPICS: dict[str, str] = {
    "disability": n_("Disability"),
    "ethnicity": n_("Ethnic community"),
    "displacement": n_("Displaced people"),
    "violence": n_("Survivors of violence"),
    "parents": n_("Parents"),
    "elderly": n_("Older people"),
    "veterans": n_("Veterans and their families"),
    "youth": n_("Young people"),
    "health": n_("Health"),
    "other": n_("Other"),
}
SENSITIVE_TOPICS = frozenset({"disability", "ethnicity", "displacement", "violence"})
JOIN_POLICIES = ("open", "approval")


def sensitive_by_default(topic: str) -> bool:
    """Unknown topics count as sensitive: when in doubt, name nothing."""
    return topic in SENSITIVE_TOPICS or topic not in TOPICS
