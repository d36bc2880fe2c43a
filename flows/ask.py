"""Asking a question: safety screen → category → text → photos → contact → preview → done.

Events (kwargs), by state:
- safety: `acknowledge_safety()` → category.
- category: `choose_category(code=)` → text.
- text: `give_text(text=)` → photos (→ preview when `editing`); `give_photo(file_id=,
  caption=None)`: the caption is the question and the photo is kept; without a caption the
  photo is kept and the step stays (`text_needed`); `back()` → category (→ preview when
  `editing`).
- photos: `give_photo(file_id=, caption=None)` adds a photo (each file id once, at most
  `PHOTO_LIMIT`); a caption, or `give_text(text=)`, is added to the question after a blank
  line; `photos_done()` → contact (also with no photos: "Skip"); `back()` → text.
- contact: `choose_contact(share=)` (a bool; anonymous unless True) → preview; `back()`.
- preview: `confirm()` → done; `edit_text()` → text; `back()` → contact.
- text (with a text), photos, contact, preview: `edit_message(message_id=, text=)`: the
  person edited a message whose text is part of the question (data `pieces`: [message id,
  text] of each, in order; the old text of the edited one is replaced in the question); the draft
  takes the edit (`effects.edited`), unless the message is not in it (`not_in_draft`) or
  the question would then be too long (`edit_too_long`, the edit kept in `draft`).

Problems (`AskProblem`): `unknown_category`, `empty`, `too_long`, `text_needed`,
`too_many_photos`, `no_photo` (no file id), `addition_too_long`, `unknown_choice`,
`incomplete` (stored data lacks a category or text), `paste_rest` (a `give_text` with
`sent_at=`, its Telegram date, within the window after a refused long text: the rest of a
paste Telegram split, refused too and kept in `draft`; see `flows/text.py`). Effects (`AskEffects`):
`show_emergency`, `submit` (a `Submission`: category, text, photos, urgent, share_contact),
`appended` (a text or caption at the photos step was added to the question: say so).

The runner stores every `Step` it gets back, accepted or not: a rejected event may still
have kept something (a too-long text in `draft`, a photo sent without a caption, a caption
sent with a 4th photo). Then the handler says `problem` when there is one, shows the
emergency numbers when `effects.show_emergency`, and the step of `state` is asked again.
`problem` can also be set on an accepted step when part of the input could not be used (a
4th photo whose caption became the question; an addition that did not fit).

Nothing typed is lost and nothing is rewritten: a text is stored as typed (emoji, right-to-
left text, `<b>` and `&` included; escaping is the renderer's job), only leading and
trailing whitespace is dropped; it is empty when nothing visible is left. Its length is
counted in characters (code points) after that strip. A text that mentions danger
(`flows.safety`) makes the request urgent (rewriting the text does not clear it) and asks
for the numbers again, whether or not the text was accepted. Only the resident's own
`not_urgent` at the preview ("Not urgent: send normally", for a false alarm such as
firecrackers) clears it; a text screened after that marks it again.

`confirm` ends the flow (state None, data {}) with `effects.submit`; the handler commits
the request in the same transaction. A second press of the same Confirm button then finds
no Ask state and raises `StaleEvent`: the handler answers "already sent".

Data: `category`, `text`, `draft` (a text not accepted: too long, or an addition that did
not fit; shown back for shortening), `photos` (Telegram file ids), `urgent`,
`share_contact`, `editing` (the text step was opened from the preview, so a new text
returns there and the rest is kept).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from transitions import EventData

from flows.categories import is_category
from flows.flow import DONE, Flow, Step
from flows.fsm import State, StatesGroup
from flows.safety import mentions_danger
from flows.text import PASTE_KEY, continues_paste, paste_mark

TEXT_LIMIT = 2000
PHOTO_LIMIT = 3


class AskProblem(StrEnum):
    UNKNOWN_CATEGORY = "unknown_category"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    TEXT_NEEDED = "text_needed"
    TOO_MANY_PHOTOS = "too_many_photos"
    NO_PHOTO = "no_photo"
    ADDITION_TOO_LONG = "addition_too_long"
    UNKNOWN_CHOICE = "unknown_choice"
    INCOMPLETE = "incomplete"
    PASTE_REST = "paste_rest"  # the rest of a long paste whose first part was refused
    NOT_IN_DRAFT = "not_in_draft"  # an edited message that is not part of the draft
    EDIT_TOO_LONG = "edit_too_long"  # with the edit the question would be over the limit


@dataclass(frozen=True)
class Submission:
    """A confirmed question, for the handler to commit as a request."""

    category: str
    text: str
    photos: list[str]
    urgent: bool
    share_contact: bool
    message_ids: tuple[int, ...] = ()  # the person's messages the text came from


@dataclass
class AskEffects:
    show_emergency: bool = False  # the text mentions danger: show the numbers now
    submit: Submission | None = None
    appended: bool = False  # a text or caption at the photos step went into the question
    edited: bool = False  # the person edited a message of the draft: the draft took it


AskStep = Step[AskEffects, AskProblem]


class AskForm(StatesGroup):
    safety = State()
    category = State()
    text = State()
    photos = State()
    contact = State()
    preview = State()


def visible_text(value: object) -> str | None:
    """`value` without leading and trailing whitespace, or None when nothing visible is
    left (not a string, only whitespace, only invisible format characters)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in text):
        return None
    return text


def _photo_id(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _typed(event: EventData) -> object:
    """What the person typed: the text of a message or the caption of a photo."""
    return event.kwargs.get("text", event.kwargs.get("caption"))


class AskFlow(Flow[AskEffects, AskProblem]):
    """The resident's question; see the module docstring for events, problems, effects."""

    states = AskForm
    transitions = [  # noqa: RUF012 - declared once per class, read by the machine
        {
            "trigger": "acknowledge_safety",
            "source": AskForm.safety,
            "dest": AskForm.category,
        },
        {
            "trigger": "choose_category",
            "source": AskForm.category,
            "dest": AskForm.text,
            "conditions": "known_category",
            "after": "remember_category",
        },
        # the question; from the preview's "Edit" it returns to the preview
        {
            "trigger": "give_text",
            "source": AskForm.text,
            "dest": AskForm.preview,
            "prepare": "screen",
            "conditions": ["editing", "not_paste_rest", "valid_text"],
            "after": "accept_text",
        },
        {
            "trigger": "give_text",
            "source": AskForm.text,
            "dest": AskForm.photos,
            "prepare": "screen",
            "conditions": ["not_paste_rest", "valid_text"],
            "after": "accept_text",
        },
        # a photo at the text step: its caption is the question, the photo is kept anyway
        # (`take_photo` is idempotent: it runs once per transition tried)
        {
            "trigger": "give_photo",
            "source": AskForm.text,
            "dest": AskForm.preview,
            "prepare": ["screen", "take_photo"],
            "conditions": ["valid_photo", "editing", "caption_is_text"],
            "after": "accept_text",
        },
        {
            "trigger": "give_photo",
            "source": AskForm.text,
            "dest": AskForm.photos,
            "prepare": ["screen", "take_photo"],
            "conditions": ["valid_photo", "caption_is_text"],
            "after": "accept_text",
        },
        # photos (each kept once, at most PHOTO_LIMIT); a caption or a text sent here is
        # added to the question
        {
            "trigger": "give_photo",
            "source": AskForm.photos,
            "dest": None,
            "prepare": ["screen", "take_photo", "take_caption"],
            "conditions": ["valid_photo", "photo_kept"],
        },
        {
            "trigger": "give_text",
            "source": AskForm.photos,
            "dest": None,
            "prepare": "screen",
            "conditions": ["not_paste_rest", "visible", "addition_fits"],
            "after": "add_addition",
        },
        {"trigger": "photos_done", "source": AskForm.photos, "dest": AskForm.contact},
        # the person edited a message whose text is in the draft: the draft takes the edit
        {
            "trigger": "edit_message",
            "source": [AskForm.text, AskForm.photos, AskForm.contact, AskForm.preview],
            "dest": None,
            "prepare": "screen",
            "conditions": ["in_draft", "edit_fits"],
            "after": "take_edit",
        },
        {
            "trigger": "choose_contact",
            "source": AskForm.contact,
            "dest": AskForm.preview,
            "conditions": "valid_share",
            "after": "remember_share",
        },
        {
            "trigger": "confirm",
            "source": AskForm.preview,
            "dest": DONE,
            "conditions": "complete",
            "after": "submit",
        },
        {
            "trigger": "edit_text",
            "source": AskForm.preview,
            "dest": AskForm.text,
            "after": "start_editing",
        },
        # the resident says a question marked urgent is not: it goes as an ordinary one
        {"trigger": "not_urgent", "source": AskForm.preview, "dest": None, "after": "clear_urgent"},
        # back
        {
            "trigger": "back",
            "source": AskForm.text,
            "dest": AskForm.preview,
            "conditions": "editing",
            "after": "stop_editing",
        },
        {"trigger": "back", "source": AskForm.text, "dest": AskForm.category},
        {"trigger": "back", "source": AskForm.photos, "dest": AskForm.text},
        {"trigger": "back", "source": AskForm.contact, "dest": AskForm.photos},
        {"trigger": "back", "source": AskForm.preview, "dest": AskForm.contact},
    ]

    @staticmethod
    def start_data() -> dict[str, Any]:
        """The data of a new question; the flow starts at `AskForm.safety`."""
        return {
            "category": None,
            "text": None,
            "draft": None,
            "photos": [],
            "urgent": False,
            "share_contact": False,
            "editing": False,
        }

    def new_effects(self) -> AskEffects:
        return AskEffects()

    def _photos(self) -> list[str]:
        photos = self.data.get("photos")
        return photos if isinstance(photos, list) else []

    # prepare
    def screen(self, event: EventData) -> None:
        typed = _typed(event)
        if isinstance(typed, str) and mentions_danger(typed):
            self.data["urgent"] = True
            self.data["calmed"] = False
            self.effects.show_emergency = True

    def take_photo(self, event: EventData) -> None:
        file_id, photos = _photo_id(event.kwargs.get("file_id")), self._photos()
        if file_id is None or file_id in photos:
            return
        if len(photos) >= PHOTO_LIMIT:
            self._problem(AskProblem.TOO_MANY_PHOTOS)
            return
        self.data["photos"] = [*photos, file_id]

    def take_caption(self, event: EventData) -> None:
        """At the photos step a caption is added to the question, even when the photo is
        refused; one that would make it too long is kept in `draft`."""
        caption = visible_text(event.kwargs.get("caption"))
        if caption is None:
            return
        if len(self._joined(caption)) <= TEXT_LIMIT:
            self.data["text"] = self._joined(caption)
            self.data["pieces"] = self._piece(event, self._pieces())
            self.effects.appended = True
        else:
            self.data["draft"] = caption
            self._problem(AskProblem.ADDITION_TOO_LONG)

    # conditions
    def known_category(self, event: EventData) -> bool:
        return is_category(event.kwargs.get("code")) or self._problem(AskProblem.UNKNOWN_CATEGORY)

    def editing(self, event: EventData) -> bool:
        return bool(self.data.get("editing"))

    def not_paste_rest(self, event: EventData) -> bool:
        """A text dated right after a refused long one is the rest of that paste: refused
        too (kept in `draft` to give back), never taken alone (`flows/text.py`)."""
        sent_at = event.kwargs.get("sent_at")
        if not continues_paste(self.data, sent_at):
            return True
        self.data["draft"] = visible_text(_typed(event)) or ""
        self.data[PASTE_KEY] = sent_at
        return self._problem(AskProblem.PASTE_REST)

    def valid_text(self, event: EventData) -> bool:
        text = visible_text(_typed(event))
        if text is None:
            return self._problem(AskProblem.EMPTY)
        if len(text) > TEXT_LIMIT:
            self.data["draft"] = text
            self._keep_paste(paste_mark(text, event.kwargs.get("sent_at")))
            return self._problem(AskProblem.TOO_LONG)
        return True

    def caption_is_text(self, event: EventData) -> bool:
        if visible_text(event.kwargs.get("caption")) is None:
            return self._problem(AskProblem.TEXT_NEEDED)
        return self.valid_text(event)

    def valid_photo(self, event: EventData) -> bool:
        file_id = _photo_id(event.kwargs.get("file_id"))
        return file_id is not None or self._problem(AskProblem.NO_PHOTO)

    def photo_kept(self, event: EventData) -> bool:
        return event.kwargs.get("file_id") in self._photos()  # else `take_photo` said why

    def visible(self, event: EventData) -> bool:
        return visible_text(_typed(event)) is not None or self._problem(AskProblem.EMPTY)

    def addition_fits(self, event: EventData) -> bool:
        addition = visible_text(_typed(event))
        assert addition is not None  # checked by `visible`
        if len(self._joined(addition)) <= TEXT_LIMIT:
            return True
        self.data["draft"] = addition
        self._keep_paste(paste_mark(addition, event.kwargs.get("sent_at")))
        return self._problem(AskProblem.ADDITION_TOO_LONG)

    def in_draft(self, event: EventData) -> bool:
        message_id = event.kwargs.get("message_id")
        text = self.data.get("text")
        if any(p[0] == message_id and str(p[1]) in str(text) for p in self._pieces()):
            return True
        return self._problem(AskProblem.NOT_IN_DRAFT)

    def edit_fits(self, event: EventData) -> bool:
        text = self._edited_text(event)
        if text is None:
            return self._problem(AskProblem.EMPTY)
        if len(text) > TEXT_LIMIT:
            self.data["draft"] = visible_text(event.kwargs.get("text"))
            return self._problem(AskProblem.EDIT_TOO_LONG)
        return True

    def valid_share(self, event: EventData) -> bool:
        share = event.kwargs.get("share")
        return isinstance(share, bool) or self._problem(AskProblem.UNKNOWN_CHOICE)

    def complete(self, event: EventData) -> bool:
        text = visible_text(self.data.get("text"))
        if (
            is_category(self.data.get("category"))
            and text is not None
            and len(text) <= TEXT_LIMIT
            and len(self._photos()) <= PHOTO_LIMIT
        ):
            return True
        return self._problem(AskProblem.INCOMPLETE)

    # after
    def remember_category(self, event: EventData) -> None:
        self.data["category"] = event.kwargs["code"]

    def accept_text(self, event: EventData) -> None:
        self.data["text"] = visible_text(_typed(event))
        pieces = self._piece(event, [])
        if pieces:
            self.data["pieces"] = pieces
        else:
            self.data.pop("pieces", None)
        self.data["draft"] = None
        self.data["editing"] = False
        self._keep_paste(None)

    def add_addition(self, event: EventData) -> None:
        addition = visible_text(_typed(event))
        assert addition is not None  # checked by `visible`
        self.data["text"] = self._joined(addition)
        self.data["pieces"] = self._piece(event, self._pieces())
        self.effects.appended = True
        self._keep_paste(None)

    def _pieces(self) -> list[list[Any]]:
        """[message id, text] of each message the question's text was made of, in order."""
        pieces = self.data.get("pieces")
        return [list(p) for p in pieces] if isinstance(pieces, list) else []

    def _piece(self, event: EventData, pieces: list[list[Any]]) -> list[list[Any]]:
        message_id = event.kwargs.get("message_id")
        typed = visible_text(_typed(event))
        if not isinstance(message_id, int) or typed is None:
            return pieces
        return [*pieces, [message_id, typed]]

    def _edited_text(self, event: EventData) -> str | None:
        """The question's text with the edited message's new text in its place."""
        new = visible_text(event.kwargs.get("text"))
        if new is None:
            return None
        message_id = event.kwargs.get("message_id")
        old = next((str(p[1]) for p in self._pieces() if p[0] == message_id), None)
        text = self.data.get("text")
        if old is None or not isinstance(text, str) or old not in text:
            return None
        return text.replace(old, new, 1)

    def _keep_paste(self, sent_at: float | None) -> None:
        """Open (or close, with None) the window of a long paste's next parts."""
        if sent_at is None:
            self.data.pop(PASTE_KEY, None)
        else:
            self.data[PASTE_KEY] = sent_at

    def _joined(self, addition: str) -> str:
        text = self.data.get("text")
        return f"{text}\n\n{addition}" if isinstance(text, str) and text else addition

    def take_edit(self, event: EventData) -> None:
        new = visible_text(event.kwargs.get("text"))
        message_id = event.kwargs.get("message_id")
        self.data["text"] = self._edited_text(event)
        self.data["pieces"] = [[p[0], new if p[0] == message_id else p[1]] for p in self._pieces()]
        self.effects.edited = True

    def remember_share(self, event: EventData) -> None:
        self.data["share_contact"] = event.kwargs["share"]
        # whether the card will show a @username too (the preview says so); never the name
        self.data["with_username"] = bool(event.kwargs.get("with_username"))

    def start_editing(self, event: EventData) -> None:
        self.data["editing"] = True

    def stop_editing(self, event: EventData) -> None:
        self.data["editing"] = False

    def clear_urgent(self, event: EventData) -> None:
        self.data["urgent"] = False
        self.data["calmed"] = True  # the preview says so

    def submit(self, event: EventData) -> None:
        text = visible_text(self.data["text"])
        assert text is not None  # checked by `complete`
        self.effects.submit = Submission(
            category=str(self.data["category"]),
            text=text,
            photos=list(self._photos()),
            urgent=bool(self.data.get("urgent")),
            share_contact=self.data.get("share_contact") is True,
            message_ids=tuple(int(p[0]) for p in self._pieces()),
        )
