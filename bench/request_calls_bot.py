"""The request scenario's fair yardstick: a bare PTB bot making exactly our bot's calls.

``python -m bench.request_calls_bot`` with TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL
set.  No database, FSM or catalogs: texts and keyboards are constants, and the little the
scenario needs remembered (who moderates which community, a resident's community and
question, which request a moderator is answering) is in dicts.  The calls were recorded
from our bot's run of the scenario at the local Bot API server, per update:

* onboarding: as :mod:`bench.same_calls_bot`;
* "Поставити запитання": answerCallbackQuery, editMessageText (the emergency numbers);
* "Продовжити": answerCallbackQuery, editMessageText (the categories);
* "Поліція": answerCallbackQuery, sendMessage (write your question);
* the question's text: sendMessage (photos, "Продовжити (0 з 3 фото)");
* "Продовжити (0 з 3 фото)": answerCallbackQuery, editMessageText (anonymity);
* "Залишитися анонімним": answerCallbackQuery, sendMessage (the preview);
* "Надіслати": answerCallbackQuery, editMessageText (the preview's one-line summary),
  sendMessage (the confirmation), sendMessage (the menu); sendMessage (the card, to the
  community's moderator; our bot's outbox sends it after the commit);
* "Взяти в роботу": answerCallbackQuery with a text, editMessageText (the card);
* "Відповісти": answerCallbackQuery, sendMessage (write your answer);
* the answer's text: sendMessage (the answer's preview: Send / Edit / Cancel);
* "Надіслати мешканцю": answerCallbackQuery, sendMessage (sent, to the moderator),
  sendMessage (the card again, answered), editMessageText (the preview without its
  buttons), sendMessage (the answer, to the resident; through our outbox);
* "Так, допомогло": answerCallbackQuery with a text.

A moderator joins with ``/start mod_<slug>`` (two sendMessage, as ours: the welcome and the
staff menu), before the residents start.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bench.same_calls_bot import MENU, MENU_TEXT, language, start
from bench.same_calls_bot import community as onboarding_community
from storage.repositories.communities import read_seed

_SEED = sorted(read_seed(), key=lambda row: row["name_uk"])
_BY_NUMBER = {str(n): row for n, row in enumerate(_SEED, 1)}
_BY_SLUG = {row["slug"]: row for row in _SEED}


def _keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in rows]
    )


BACK_CANCEL = [("◀ Назад", "ask:back"), ("Скасувати", "ask:cancel")]
EMERGENCY = (
    "<b>У разі безпосередньої небезпеки телефонуйте:</b>\n102 поліція\n103 швидка допомога\n"
    "101 рятувальна служба\n112 єдиний номер екстрених служб\n\nЦей бот не є екстреною"
    " службою.\n\nТут ви можете звернутися до поліції, соціальних служб, шкіл, закладів"
    " охорони здоров’я та інших служб вашої громади. Працівники відповідають від імені своєї"
    " організації; вони бачать лише номер вашого звернення, якщо ви самі не вирішите"
    " поділитися ім’ям."
)
EMERGENCY_KEYS = _keyboard([("Продовжити", "ask:ok")], [("Скасувати", "ask:cancel")])
CATEGORIES_TEXT = "Кому адресоване ваше запитання?"
CATEGORIES = _keyboard(
    [("Поліція", "ask:cat:police"), ("Соціальний захист", "ask:cat:social")],
    [("Охорона здоров’я", "ask:cat:health"), ("Освіта", "ask:cat:education")],
    [("Культура", "ask:cat:culture"), ("Місцева влада", "ask:cat:administration")],
    [("Житлово-комунальні послуги", "ask:cat:housing"), ("Правова допомога", "ask:cat:legal")],
    [
        ("Психологічна підтримка", "ask:cat:psychological"),
        ("Гуманітарна допомога", "ask:cat:humanitarian"),
    ],
    [("Інше", "ask:cat:other")],
    [("Скасувати", "ask:cancel")],
)
WRITE = (
    "Напишіть ваше запитання одним повідомленням, до 2000 символів.\n"
    "Можна також надіслати фото із запитанням у підписі."
)
PHOTOS = "Ви можете додати до 3 фото (надішліть їх як фото) або продовжити без них."
PHOTOS_KEYS = _keyboard([("Продовжити (0 з 3 фото)", "ask:done")], BACK_CANCEL)
ANONYMITY = (
    "Чи мають працівники бачити ваше ім’я (і ваш @username, якщо він є)? За замовчуванням —"
    " ні: звернення анонімне, і видно лише його номер. Поділіться ними, тільки якщо хочете,"
    " щоб працівники знали, хто ви."
)
ANONYMITY_KEYS = _keyboard(
    [("Залишитися анонімним", "ask:anon")],
    [("Поділитися ім’ям з працівниками", "ask:share")],
    BACK_CANCEL,
)
PREVIEW_KEYS = _keyboard([("Надіслати", "ask:send")], [("Змінити текст", "ask:edit")], BACK_CANCEL)
ANSWER_PREVIEW_KEYS = _keyboard(
    [("Надіслати мешканцю", "sp:send")],
    [("Змінити текст", "sp:edit"), ("Скасувати", "sp:cancel")],
)
CARD_KEYS = [
    [("Передати надавачу", "st:route"), ("Відповісти", "st:answer")],
    [("Запитати деталі", "st:more"), ("Внутрішня нотатка", "st:note")],
    [("Відхилити", "st:reject"), ("Закрити", "st:close")],
]


@dataclass
class Request:
    reference: str
    resident: int
    question: str
    town: str
    received: str


_towns: dict[int, str] = {}  # resident chat -> community slug
_questions: dict[int, str] = {}  # resident chat -> the question being asked
_moderators: dict[str, int] = {}  # community slug -> the moderator's chat
_answering: dict[int, Request] = {}  # moderator chat -> the request being answered
_previewed: dict[int, tuple[Request, str]] = {}  # moderator chat -> request, answer
_requests: dict[str, Request] = {}
_counters: dict[str, int] = {}


def _card(request: Request, status: str, answer: str | None = None) -> str:
    text = (
        f"<b>{request.reference}</b> · Поліція · {status}\nОтримано: {request.received}"
        f"\n👤 Анонімно\n\n<b>Мешканець:</b> {escape(request.question)}"
    )
    return text if answer is None else f"{text}\n\n<b>Модератор 1:</b> {escape(answer)}"


def _card_keys(reference: str, claim: bool) -> InlineKeyboardMarkup:
    rows = [[(t, f"{d}:{reference}") for t, d in row] for row in CARD_KEYS]
    if claim:
        rows.insert(0, [("Взяти в роботу", f"st:claim:{reference}")])
    return _keyboard(*rows)


async def start_or_join(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    if context.args and context.args[0].startswith("mod_"):
        _moderators[context.args[0].removeprefix("mod_")] = chat.id
        await context.bot.send_message(chat.id, "Вітаємо! Тепер ви модератор громади.")
        await context.bot.send_message(chat.id, "Головне меню (модератор).")
        return
    await start(update, context)


async def community(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    _towns[update.effective_chat.id] = _BY_NUMBER[query.data.partition(":")[2]]["slug"]
    await onboarding_community(update, context)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and query.data is not None and chat is not None
    data = query.data
    if data == "menu:ask":
        await query.answer()
        await query.edit_message_text(EMERGENCY, reply_markup=EMERGENCY_KEYS)
    elif data == "ask:ok":
        await query.answer()
        await query.edit_message_text(CATEGORIES_TEXT, reply_markup=CATEGORIES)
    elif data.startswith("ask:cat:"):
        await query.answer()
        await context.bot.send_message(chat.id, WRITE, reply_markup=_keyboard(BACK_CANCEL))
    elif data == "ask:done":
        await query.answer()
        await query.edit_message_text(ANONYMITY, reply_markup=ANONYMITY_KEYS)
    elif data == "ask:anon":
        await query.answer()
        preview = (
            "<b>Будь ласка, перевірте ваше запитання</b>\n\nКому: Поліція\n\n"
            f"{escape(_questions[chat.id])}\n\nАнонімно."
        )
        await context.bot.send_message(chat.id, preview, reply_markup=PREVIEW_KEYS)
    elif data == "ask:send":
        await _send(update, context)


async def _send(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and chat is not None
    town = _BY_SLUG[_towns[chat.id]]
    _counters[town["slug"]] = number = _counters.get(town["slug"], 0) + 1
    reference = f"{town['code']}-{number:04d}"
    received = time.strftime("четвер, 3 грудня, %H:%M за київським часом (1 секунда тому)")
    request = Request(reference, chat.id, _questions.pop(chat.id), town["slug"], received)
    _requests[reference] = request
    await query.answer()
    await query.edit_message_text(f"<b>{reference}</b> · Поліція · нове")
    await context.bot.send_message(
        chat.id,
        f"✅ Ваше запитання {reference} надіслано робочій групі громади {town['name_uk']}.\n"
        "Відповідь прийде сюди. Стежити за ним можна в розділі «Мої звернення».",
    )
    await context.bot.send_message(chat.id, MENU_TEXT, reply_markup=MENU)
    await context.bot.send_message(
        _moderators[town["slug"]],
        _card(request, "нове"),
        reply_markup=_card_keys(reference, claim=True),
    )


async def staff_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and query.data is not None and chat is not None
    _, action, reference = query.data.split(":", 2)
    request = _requests[reference]
    if action == "claim":
        await query.answer(f"Ви взяли {reference} в роботу.")
        await query.edit_message_text(
            _card(request, "розглядається"), reply_markup=_card_keys(reference, claim=False)
        )
    elif action == "answer":
        _answering[chat.id] = request
        await query.answer()
        await context.bot.send_message(
            chat.id,
            f"Напишіть вашу відповідь на {reference}. Мешканець побачить її з підписом вашої"
            " організації.\n/cancel — скасувати.",
        )


async def resident_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Дякуємо! Ваша оцінка допомагає робочій групі.")


def _resident_answer(request: Request, answer: str) -> str:
    town = _BY_SLUG[request.town]["name_uk"]
    return (
        f"<b>Відповідь на ваше звернення {request.reference}</b> — Робоча група громади"
        f" {town}:\n\n{escape(answer)}\n\nЧи допомогла вам ця відповідь?"
    )


async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None and message is not None and message.text is not None
    request = _answering.pop(chat.id, None)
    if request is None:  # a resident's question
        _questions[chat.id] = message.text
        await context.bot.send_message(chat.id, PHOTOS, reply_markup=PHOTOS_KEYS)
        return
    _previewed[chat.id] = (request, message.text)
    await context.bot.send_message(
        chat.id,
        f"<b>Перевірте вашу відповідь на {request.reference}.</b> Мешканець отримає:\n\n"
        + _resident_answer(request, message.text),
        reply_markup=ANSWER_PREVIEW_KEYS,
    )


async def answer_sent(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and query.message is not None and chat is not None
    request, answer = _previewed.pop(chat.id)
    reference = request.reference
    await query.answer()
    await context.bot.send_message(chat.id, f"Надіслано мешканцю, автору {reference}.")
    await context.bot.send_message(
        chat.id,
        _card(request, "є відповідь", answer),
        reply_markup=_keyboard(
            [("Внутрішня нотатка", f"st:note:{reference}")],
            [("Закрити", f"st:close:{reference}")],
        ),
    )
    await query.edit_message_text(
        f"<b>Перевірте вашу відповідь на {reference}.</b> Мешканець отримає:\n\n"
        + _resident_answer(request, answer)
    )
    await context.bot.send_message(
        request.resident,
        _resident_answer(request, answer),
        reply_markup=_keyboard(
            [("Так, допомогло", f"rs:yes:{reference}"), ("Ні", f"rs:no:{reference}")],
            [("Запитати ще раз", f"rs:reopen:{reference}"), ("Закрити звернення", "rs:close")],
        ),
    )


def main() -> None:
    app = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .concurrent_updates(int(os.environ.get("CONCURRENT_UPDATES", "64")))
        .build()
    )
    app.add_handler(CommandHandler("start", start_or_join))
    app.add_handler(CallbackQueryHandler(language, pattern=r"^lang:"))
    app.add_handler(CallbackQueryHandler(community, pattern=r"^com:"))
    app.add_handler(CallbackQueryHandler(staff_pressed, pattern=r"^st:"))
    app.add_handler(CallbackQueryHandler(resident_pressed, pattern=r"^rs:"))
    app.add_handler(CallbackQueryHandler(answer_sent, pattern=r"^sp:send$"))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, text))
    app.run_polling()


if __name__ == "__main__":
    main()
