"""Creating or editing a self-help group (moderators of its community), with a preview.

    community (only when the moderator has several) → title (uk) → title (ru, or skip: the
    uk one is used) → description (uk, or skip) → description (ru, or skip: the other
    language stands in) → topic → joining (open / approval) → sensitive → preview → save

Editing starts at the preview with the group's fields; each "Change ..." button of the
preview goes to that one step and comes back to the preview (`fixing`). Creating passes
through every step once, then the preview offers the same "Change ..." buttons.

The sensitive step starts on for topics that could expose a person (disability, ethnicity,
displacement, violence: `flows.group_topics.sensitive_by_default`). Changing the topic to
such a topic turns it on again; changing it to another keeps what was chosen.

Events: `choose_community(community=, allowed=)`, `give_text(text=)`, `skip()`,
`pick_topic(topic=)`, `pick_policy(policy=)`, `pick_sensitive(value=)`, `fix_<field>()`
(a key of `FIELDS`),
`toggle_active()` (editing only), `save()`. The stored data is JSON;
`GroupDraft.from_data` reads it back.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from transitions import EventData

from flows.flow import DONE, Flow
from flows.fsm import State, StatesGroup
from flows.group_topics import JOIN_POLICIES, TOPICS, sensitive_by_default

TITLE_LIMIT = 120  # self_help_groups.title_* is String(120)
DESCRIPTION_LIMIT = 1500


class GroupForm(StatesGroup):
    community = State()
    title_uk = State()
    title_ru = State()
    description_uk = State()
    description_ru = State()
    topic = State()
    policy = State()
    sensitive = State()
    preview = State()


class GroupProblem(StrEnum):
    UNKNOWN_COMMUNITY = "unknown_community"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_OFFERED = "not_offered"
    NO_TITLE = "no_title"


# What a "Change ..." button of the preview may go back to.
FIELDS: dict[str, State] = {
    "title_uk": GroupForm.title_uk,
    "title_ru": GroupForm.title_ru,
    "description_uk": GroupForm.description_uk,
    "description_ru": GroupForm.description_ru,
    "topic": GroupForm.topic,
    "policy": GroupForm.policy,
    "sensitive": GroupForm.sensitive,
}
_LIMITS = {
    GroupForm.title_uk.state: TITLE_LIMIT,
    GroupForm.title_ru.state: TITLE_LIMIT,
    GroupForm.description_uk.state: DESCRIPTION_LIMIT,
    GroupForm.description_ru.state: DESCRIPTION_LIMIT,
}
# (state, the next one when creating, whether skip is allowed)
_TEXT_STEPS = [
    (GroupForm.title_uk, GroupForm.title_ru, False),
    (GroupForm.title_ru, GroupForm.description_uk, True),
    (GroupForm.description_uk, GroupForm.description_ru, True),
    (GroupForm.description_ru, GroupForm.topic, True),
]


@dataclass(frozen=True)
class GroupDraft:
    community_id: int
    group_id: int | None  # None: a new group
    title_uk: str
    title_ru: str  # "" : the uk title stands in
    description_uk: str
    description_ru: str
    topic: str
    join_policy: str
    sensitive: bool
    is_active: bool

    @staticmethod
    def from_data(data: dict[str, Any]) -> GroupDraft:
        topic = str(data.get("topic") or "other")
        group_id = data.get("group_id")
        return GroupDraft(
            community_id=int(data["community_id"]),
            group_id=int(group_id) if group_id is not None else None,
            title_uk=str(data.get("title_uk") or ""),
            title_ru=str(data.get("title_ru") or ""),
            description_uk=str(data.get("description_uk") or ""),
            description_ru=str(data.get("description_ru") or ""),
            topic=topic,
            join_policy=str(data.get("join_policy") or "approval"),
            sensitive=bool(data.get("sensitive", sensitive_by_default(topic))),
            is_active=bool(data.get("is_active", True)),
        )

    def data(self) -> dict[str, Any]:
        """The flow data of an existing group (editing starts at the preview)."""
        return {
            "community_id": self.community_id,
            "group_id": self.group_id,
            "title_uk": self.title_uk,
            "title_ru": self.title_ru,
            "description_uk": self.description_uk,
            "description_ru": self.description_ru,
            "topic": self.topic,
            "join_policy": self.join_policy,
            "sensitive": self.sensitive,
            "is_active": self.is_active,
            "fixing": True,
        }


@dataclass
class GroupEffects:
    save: GroupDraft | None = None


def _text_transitions() -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for source, dest, skippable in _TEXT_STEPS:
        for trigger, conditions in (("give_text", ["valid_text"]), ("skip", [])):
            if trigger == "skip" and not skippable:
                continue
            after = "keep_text" if trigger == "give_text" else "clear_text"
            result.append(
                {
                    "trigger": trigger,
                    "source": source,
                    "dest": GroupForm.preview,
                    "conditions": [*conditions, "fixing"],
                    "after": after,
                }
            )
            result.append(
                {
                    "trigger": trigger,
                    "source": source,
                    "dest": dest,
                    "conditions": conditions,
                    "unless": "fixing",
                    "after": after,
                }
            )
    return result


def _choice(trigger: str, source: State, dest: State, condition: str, after: str) -> list[Any]:
    """A button step: back to the preview when fixing, on to `dest` when creating."""
    return [
        {
            "trigger": trigger,
            "source": source,
            "dest": GroupForm.preview,
            "conditions": [condition, "fixing"],
            "after": after,
        },
        {
            "trigger": trigger,
            "source": source,
            "dest": dest,
            "conditions": condition,
            "unless": "fixing",
            "after": after,
        },
    ]


class GroupEditFlow(Flow[GroupEffects, GroupProblem]):
    states = GroupForm
    transitions = [  # noqa: RUF012 - declared once per class, read by the machine
        {
            "trigger": "choose_community",
            "source": GroupForm.community,
            "dest": GroupForm.title_uk,
            "conditions": "known_community",
            "after": "keep_community",
        },
        *_text_transitions(),
        *_choice("pick_topic", GroupForm.topic, GroupForm.policy, "offered_topic", "keep_topic"),
        *_choice(
            "pick_policy", GroupForm.policy, GroupForm.sensitive, "offered_policy", "keep_policy"
        ),
        {
            "trigger": "pick_sensitive",
            "source": GroupForm.sensitive,
            "dest": GroupForm.preview,
            "after": "keep_sensitive",
        },
        *[
            {
                "trigger": f"fix_{name}",
                "source": GroupForm.preview,
                "dest": state,
                "after": "start_fixing",
            }
            for name, state in FIELDS.items()
        ],
        {
            "trigger": "toggle_active",
            "source": GroupForm.preview,
            "dest": GroupForm.preview,
            "conditions": "editing",
            "after": "flip_active",
        },
        {
            "trigger": "save",
            "source": GroupForm.preview,
            "dest": DONE,
            "conditions": "has_title",
            "after": "to_save",
        },
    ]

    @staticmethod
    def start_data(community_id: int | None = None) -> dict[str, Any]:
        return {"community_id": community_id} if community_id is not None else {}

    def new_effects(self) -> GroupEffects:
        return GroupEffects()

    # conditions
    def fixing(self, event: EventData) -> bool:
        return bool(self.data.get("fixing"))

    def editing(self, event: EventData) -> bool:
        return self.data.get("group_id") is not None or self._problem(GroupProblem.NOT_OFFERED)

    def known_community(self, event: EventData) -> bool:
        allowed: Collection[int] = event.kwargs.get("allowed", ())
        if event.kwargs.get("community") in allowed:
            return True
        return self._problem(GroupProblem.UNKNOWN_COMMUNITY)

    def valid_text(self, event: EventData) -> bool:
        text = str(event.kwargs.get("text") or "").strip()
        if not text:
            return self._problem(GroupProblem.EMPTY)
        if len(text) > _LIMITS[self.state]:
            self.data["draft"] = text
            return self._problem(GroupProblem.TOO_LONG)
        return True

    def offered_topic(self, event: EventData) -> bool:
        return event.kwargs.get("topic") in TOPICS or self._problem(GroupProblem.NOT_OFFERED)

    def offered_policy(self, event: EventData) -> bool:
        policy = event.kwargs.get("policy")
        return policy in JOIN_POLICIES or self._problem(GroupProblem.NOT_OFFERED)

    def has_title(self, event: EventData) -> bool:
        if str(self.data.get("title_uk") or self.data.get("title_ru") or "").strip():
            return True
        return self._problem(GroupProblem.NO_TITLE)

    # effects
    def keep_community(self, event: EventData) -> None:
        self.data["community_id"] = event.kwargs["community"]

    def _key(self, event: EventData) -> str:
        assert event.transition is not None  # `after` runs once the state has changed
        return str(event.transition.source).split(":")[-1]

    def keep_text(self, event: EventData) -> None:
        self.data[self._key(event)] = str(event.kwargs["text"]).strip()
        self.data.pop("draft", None)

    def clear_text(self, event: EventData) -> None:
        self.data[self._key(event)] = ""
        self.data.pop("draft", None)

    def keep_topic(self, event: EventData) -> None:
        topic = str(event.kwargs["topic"])
        self.data["topic"] = topic
        if sensitive_by_default(topic) or "sensitive" not in self.data:
            self.data["sensitive"] = sensitive_by_default(topic)

    def keep_policy(self, event: EventData) -> None:
        self.data["join_policy"] = event.kwargs["policy"]

    def keep_sensitive(self, event: EventData) -> None:
        self.data["sensitive"] = bool(event.kwargs.get("value"))
        self.data["fixing"] = True  # every step was seen: from now on, back to the preview

    def start_fixing(self, event: EventData) -> None:
        self.data["fixing"] = True

    def flip_active(self, event: EventData) -> None:
        self.data["is_active"] = not self.data.get("is_active", True)

    def to_save(self, event: EventData) -> None:
        self.effects.save = GroupDraft.from_data(self.data)
