"""The fair yardstick: a bare python-telegram-bot bot making exactly onboarding's Bot API calls.

``python -m bench.same_calls_bot`` with TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL in the
environment.  No database, no FSM, no catalogs: the texts are constants, the community list
is read once from the seed file the real bot is seeded with.  The calls, per person:

* ``/start``: ``sendMessage`` with the language keyboard;
* a language press: ``answerCallbackQuery``, ``editMessageText`` with the first page of
  communities (6 and a pager, as the real bot shows them);
* a community press: ``answerCallbackQuery``, ``editMessageText`` ("Your community: ..."),
  ``sendMessage`` with the main menu.

Different people are processed concurrently as the real bot does (``CONCURRENT_UPDATES``,
default 64; one person's updates arrive one after another in this benchmark anyway), so the
ratio to this bot measures our pipeline, not the Bot API calls or PTB's concurrency.
"""

from __future__ import annotations

import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
)

from storage.repositories.communities import read_seed

PER_PAGE = 6
LANGUAGES = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Українська", callback_data="lang:uk")],
        [InlineKeyboardButton("Русский", callback_data="lang:ru")],
    ]
)
WELCOME = (
    "Вітаємо! Цей бот поєднує вас із робочою групою вашої громади: поліцією, соціальними"
    " службами, школами, закладами охорони здоров’я та громадськими організаціями.\n\n"
    "Будь ласка, оберіть мову:"
)
_COMMUNITIES = sorted(read_seed(), key=lambda row: row["name_uk"])
_NAMES = {str(number): row["name_uk"] for number, row in enumerate(_COMMUNITIES, 1)}
_PAGES = max((len(_COMMUNITIES) + PER_PAGE - 1) // PER_PAGE, 1)
COMMUNITY_PAGE = InlineKeyboardMarkup(
    [
        *[
            [InlineKeyboardButton(name, callback_data=f"com:{number}")]
            for number, name in list(_NAMES.items())[:PER_PAGE]
        ],
        [InlineKeyboardButton("Далі ▶", callback_data="page:1")],
    ]
)
COMMUNITY_TEXT = f"Оберіть вашу громаду:\nСторінка 1 з {_PAGES}"
MENU = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Поставити запитання", callback_data="menu:ask")],
        [
            InlineKeyboardButton("Мої звернення", callback_data="menu:mine"),
            InlineKeyboardButton("Групи самодопомоги", callback_data="grp:list:0"),
        ],
        [
            InlineKeyboardButton("Зустрічі", callback_data="mtg:list"),
            InlineKeyboardButton("Опитування", callback_data="pl:open"),
        ],
        [InlineKeyboardButton("🔔 Зустрічі робочої групи: вимкнено", callback_data="set:mtg:menu")],
        [
            InlineKeyboardButton("Мова", callback_data="menu:language"),
            InlineKeyboardButton("Громада", callback_data="menu:community"),
        ],
        [
            InlineKeyboardButton("Довідка", callback_data="menu:help"),
            InlineKeyboardButton("Очистити цей чат", callback_data="menu:clear"),
        ],
    ]
)
MENU_TEXT = "Головне меню. Що ви хочете зробити?"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, WELCOME, reply_markup=LANGUAGES)


async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(COMMUNITY_TEXT, reply_markup=COMMUNITY_PAGE)


async def community(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    name = _NAMES.get(query.data.partition(":")[2], "")
    await query.edit_message_text(f"Ваша громада: {name}.")
    if update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, MENU_TEXT, reply_markup=MENU)


def main() -> None:
    app = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .defaults(Defaults(parse_mode=ParseMode.HTML))  # as our bot sends every text
        .concurrent_updates(int(os.environ.get("CONCURRENT_UPDATES", "64")))
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(language, pattern=r"^lang:"))
    app.add_handler(CallbackQueryHandler(community, pattern=r"^com:"))
    app.run_polling()


if __name__ == "__main__":
    main()
