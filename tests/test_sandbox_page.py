"""The sandbox page in a real browser (Playwright driving Debian's Chromium): the whole
request story told on the page, by keyboard, and a Russian resident's meeting reminder
after moving the clock, with wide and narrow screenshots saved in
``tests/artifacts/sandbox/``.

Skipped, with the reason printed, where Playwright or ``/usr/bin/chromium`` is missing;
in CI (``HROMADA_CI`` set by ``.ci/run``) that is a failure instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import pytest_asyncio

from bot.sandbox.runtime import Sandbox
from bot.sandbox.web import start_site
from bot.settings import Settings
from storage.types import utcnow
from tests.sandbox_clock import morning_clock

if TYPE_CHECKING:
    from playwright.async_api import Browser, Locator, Page

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "sandbox"
WAIT_MS = 20_000


def _missing() -> str | None:
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (it is a dev dependency: pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    reason = _missing()
    if reason is not None:
        if os.environ.get("HROMADA_CI"):
            pytest.fail(f"CI must run the browser test: {reason}")
        pytest.skip(reason)
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        launched = await driver.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield launched
        await launched.close()


@pytest_asyncio.fixture(loop_scope="module")
async def sandbox(tmp_path: Path) -> AsyncIterator[tuple[Sandbox, str]]:
    """The sandbox on a free port with its own database under ``tmp_path``."""
    world = Sandbox(Settings.model_validate({}), tmp_path / "sandbox", machine=morning_clock())
    runner, port = await start_site(world, "127.0.0.1", 0)
    try:
        await world.start()
        yield world, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
        await world.stop()


def pane(page: Page, key: str) -> Locator:
    return page.locator(f"#pane-{key}")


async def say(where: Locator, text: str) -> None:
    """Type into the pane's text box and press Enter."""
    box = where.locator("input.text")
    await box.fill(text)
    await box.press("Enter")


async def press(where: Locator, label: str, *, on: str | None = None) -> None:
    """Press the newest inline button labelled ``label`` (on a message containing ``on``)
    from the keyboard: it takes focus and Enter presses it."""
    from playwright.async_api import expect

    messages = where.locator("article.msg.bot", has_text=on)  # not the pane's Send button
    button = messages.get_by_role("button", name=label, exact=True).last
    await expect(button).to_be_visible(timeout=WAIT_MS)
    await button.focus()
    await button.press("Enter")


async def bot_says(where: Locator, text: str) -> Locator:
    from playwright.async_api import expect

    found = where.locator("article.msg.bot", has_text=text).last
    await expect(found).to_be_visible(timeout=WAIT_MS)
    return found


async def test_the_request_story_on_the_page(
    browser: Browser, sandbox: tuple[Sandbox, str]
) -> None:
    from playwright.async_api import expect

    world, url = sandbox
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = await browser.new_page(viewport={"width": 1680, "height": 960})
    errors: list[Any] = []
    page.on("pageerror", lambda error: errors.append(error))
    await page.goto(url)
    await expect(page.locator("#status")).to_have_text("Готово.", timeout=WAIT_MS)
    for key in ("resident-uk", "resident-ru", "moderator", "provider", "facilitator", "group"):
        await expect(pane(page, key)).to_be_visible()
    # the staff panes began with their invites opened: the moderator holds the role
    moderator = pane(page, "moderator")
    await bot_says(moderator, "Тепер ви є модератором громади Дружківка")

    # A resident onboards in Ukrainian and asks, by keyboard alone.
    resident = pane(page, "resident-uk")
    await say(resident, "/start")
    await press(resident, "Українська")
    await press(resident, "Дружківка")
    await bot_says(resident, "Головне меню")
    await press(resident, "Поставити запитання")
    await press(resident, "Продовжити")
    await press(resident, "Поліція")
    await say(resident, "Де <b>отримати</b> довідку про місце проживання?")
    continuing = (
        resident.locator("article.msg.bot")
        .get_by_role("button", name=re.compile(r"^Продовжити"))
        .last
    )
    await expect(continuing).to_be_visible(timeout=WAIT_MS)
    await continuing.press("Enter")
    await press(resident, "Залишитися анонімним")
    await press(resident, "Надіслати")
    sent = await bot_says(resident, "надіслано")
    found = re.search(r"\b[A-Z]{3}-\d{4}\b", await sent.inner_text())
    assert found is not None
    reference = found.group()
    # what the resident typed is shown as text, not applied as markup
    mine = resident.locator("article.msg.mine", has_text="отримати").last
    assert "<b>отримати</b>" in await mine.inner_text()
    assert await mine.locator("b").count() == 0

    # The moderator's queue filled at once: claim, answer.
    card = await bot_says(moderator, reference)
    await expect(card.locator("b").first).to_be_visible()  # the card's own bold headline
    await press(moderator, "Взяти в роботу", on=reference)
    await expect(
        moderator.locator("article.msg.bot", has_text=reference).last.get_by_role(
            "button", name="Взяти в роботу", exact=True
        )
    ).to_have_count(0, timeout=WAIT_MS)  # the card was edited in place
    await press(moderator, "Відповісти", on=reference)
    await bot_says(moderator, "Напишіть вашу відповідь")
    await say(moderator, "У ЦНАПі, вул. Соборна, 1.")
    await bot_says(moderator, "Перевірте вашу відповідь")  # the preview, Send on it
    await press(moderator, "Надіслати мешканцю", on="Перевірте вашу відповідь")
    await bot_says(moderator, "Надіслано мешканцю")

    # The resident reads the answer and rates it; the toast shows on their pane.
    await bot_says(resident, "У ЦНАПі, вул. Соборна, 1.")
    await press(resident, "Так, допомогло")
    toast = resident.locator(".toasts .toast").last
    await expect(toast).to_contain_text("Дякуємо", timeout=WAIT_MS)
    await page.screenshot(path=str(ARTIFACTS / "wide-story.png"))

    # Tab moves through the page's controls: from the text box to its Send button.
    await resident.locator("input.text").focus()
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "Надіслати"

    # A phone-sized window shows one chat at a time; the switcher changes it.
    await page.set_viewport_size({"width": 390, "height": 844})
    await expect(resident).to_be_visible()
    await expect(moderator).to_be_hidden()
    switch = page.locator("nav.switcher").get_by_role("button", name="Марина · модератор")
    await switch.press("Enter")
    await expect(moderator).to_be_visible()
    await expect(resident).to_be_hidden()
    await expect(page.locator("input.text:focus")).to_have_count(1)
    await page.screenshot(path=str(ARTIFACTS / "narrow-moderator.png"))
    await page.set_viewport_size({"width": 1680, "height": 960})

    # The clock control moves the bot's time (and the server's), not the machine's.
    before = utcnow()
    await page.get_by_role("button", name="+1 день").press("Enter")
    await expect(page.locator("#clock-now")).to_contain_text("на 24 год попереду", timeout=WAIT_MS)
    assert utcnow() - before >= timedelta(days=1)
    assert world.server.clock.now() - before.timestamp() >= 86_400

    # A spec violation, if the server ever records one, is shown in red.
    assert world.server.violations == []
    await expect(page.locator("#violations")).to_be_hidden()
    world.server.violations.append("sendMessage: text is too long (shown by the test)")
    world.server.state.feed.bump()
    banner = page.locator("#violations")
    await expect(banner).to_contain_text("Бот порушив специфікацію Bot API", timeout=WAIT_MS)
    await expect(banner).to_contain_text("text is too long")
    color = await banner.evaluate("e => getComputedStyle(e).backgroundColor")
    assert color == "rgb(176, 0, 32)"  # red
    world.server.violations.clear()

    assert errors == []
    await page.close()


async def test_a_russian_residents_meeting_reminder_after_moving_the_clock(
    browser: Browser, sandbox: tuple[Sandbox, str]
) -> None:
    from playwright.async_api import expect

    world, url = sandbox
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = await browser.new_page(viewport={"width": 1680, "height": 960})
    await page.goto(url)
    await expect(page.locator("#status")).to_have_text("Готово.", timeout=WAIT_MS)
    resident = pane(page, "resident-ru")
    await say(resident, "/start")
    await press(resident, "Русский")
    await press(resident, "Дружковка")
    await bot_says(resident, "Главное меню")
    await press(resident, "🔔 Встречи рабочей группы: выключено")
    await expect(resident.locator(".toasts .toast").last).to_contain_text(
        "Вы будете получать сообщения о встречах рабочей группы", timeout=WAIT_MS
    )
    # The seeded meeting is tomorrow at 18:00 Kyiv time: nothing is due before the jump.
    assert (
        await resident.locator("article.msg.bot", has_text="Заседание рабочей группы").count() == 0
    )
    before = world.clock.now()
    await page.get_by_role("button", name="До наступного нагадування").press("Enter")
    reminder = await bot_says(resident, "Заседание рабочей группы")
    text = await reminder.inner_text()
    assert "Засідання" not in text  # in the resident's language only
    assert "по киевскому времени" in text  # the zone named
    assert world.clock.now() - before >= timedelta(hours=1)  # the bot's clock jumped
    await expect(page.locator("#note")).to_contain_text("Годинник переведено на")
    # the Ukrainian resident did not opt in and hears nothing
    uk = pane(page, "resident-uk")
    assert await uk.locator("article.msg.bot", has_text="Засідання робочої групи").count() == 0
    await page.screenshot(path=str(ARTIFACTS / "wide-reminder.png"))
    await page.set_viewport_size({"width": 390, "height": 844})
    switch = page.locator("nav.switcher").get_by_role("button", name="Дмитрий · мешканець · ru")
    await switch.press("Enter")
    await expect(resident).to_be_visible()
    await page.screenshot(path=str(ARTIFACTS / "narrow-reminder.png"))
    assert world.server.violations == []

    # "Reset" asks once more, then wipes the world: a fresh database, empty chats.
    await page.set_viewport_size({"width": 1680, "height": 960})
    generation = world.generation
    await page.get_by_role("button", name="Скинути…").press("Enter")
    wipe = page.get_by_role("button", name="Стерти й почати знову")
    await expect(wipe).to_be_focused()
    await wipe.press("Enter")
    await expect(resident.locator("article.msg")).to_have_count(0, timeout=WAIT_MS)
    await expect(page.locator("#status")).to_have_text("Готово.", timeout=WAIT_MS)
    assert world.generation == generation + 1 and world.clock.offset == timedelta()
    await bot_says(pane(page, "moderator"), "Тепер ви є модератором громади Дружківка")
    await page.close()
