"""The rule for a long paste Telegram splits into parts (flows/text.py), in the Ask flow and
the reply flow: a text dated within the window after a refused part is never taken alone."""

from __future__ import annotations

from flows import reply
from flows.ask import AskFlow, AskForm, AskProblem
from flows.reply import ReplyMode
from flows.text import PASTE_KEY, PASTE_WINDOW, TextProblem, continues_paste, paste_mark

T0 = 1_800_000_000.0
PART = "а" * 4096


def at_text_step() -> dict[str, object]:
    return {**AskFlow.start_data(), "category": "police"}


def test_the_rest_of_a_paste_is_refused_at_the_text_step() -> None:
    first = AskFlow.handle(AskForm.text, at_text_step(), "give_text", text=PART, sent_at=T0)
    assert first.problem is AskProblem.TOO_LONG and first.data[PASTE_KEY] == T0
    rest = AskFlow.handle(first.state or "", first.data, "give_text", text="кінець", sent_at=T0 + 1)
    assert rest.state == AskForm.text.state and not rest.accepted
    assert rest.problem is AskProblem.PASTE_REST and rest.data["draft"] == "кінець"
    assert rest.data[PASTE_KEY] == T0 + 1  # the window moves with each part


def test_a_text_after_the_window_is_taken() -> None:
    first = AskFlow.handle(AskForm.text, at_text_step(), "give_text", text=PART, sent_at=T0)
    later = T0 + PASTE_WINDOW + 1
    taken = AskFlow.handle(
        first.state or "", first.data, "give_text", text="Коротко", sent_at=later
    )
    assert taken.accepted and taken.state == AskForm.photos.state
    assert taken.data["text"] == "Коротко" and PASTE_KEY not in taken.data


def test_a_too_long_text_that_cannot_be_a_part_opens_no_window() -> None:
    assert paste_mark("а" * 2500, T0) is None  # shorter than a split part
    assert paste_mark("а" * 5000, T0) is None  # longer than Telegram lets a message be
    first = AskFlow.handle(AskForm.text, at_text_step(), "give_text", text="б" * 2500, sent_at=T0)
    taken = AskFlow.handle(first.state or "", first.data, "give_text", text="Коротко", sent_at=T0)
    assert taken.accepted


def test_the_rest_of_a_paste_is_not_added_at_the_photos_step() -> None:
    data = {**at_text_step(), "text": "Питання"}
    first = AskFlow.handle(AskForm.photos, data, "give_text", text=PART, sent_at=T0)
    assert first.problem is AskProblem.ADDITION_TOO_LONG
    rest = AskFlow.handle(first.state or "", first.data, "give_text", text="кінець", sent_at=T0)
    assert rest.problem is AskProblem.PASTE_REST and rest.data["text"] == "Питання"


def test_the_reply_flow_refuses_the_rest_of_a_paste() -> None:
    data = {**reply.start_data(7, ReplyMode.REPLY), PASTE_KEY: T0}
    assert reply.take(data, "кінець", sent_at=T0 + 2) is TextProblem.PASTE_REST
    assert not isinstance(reply.take(data, "кінець", sent_at=T0 + 60), TextProblem)
    assert not continues_paste(data, None)
