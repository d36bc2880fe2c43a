"""The sandbox page's API over real HTTP (no browser): what people do from the page reaches
the real bot, bad input is refused with a reason, the clock moves the bot's time, and
reset wipes the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest_asyncio
from sqlalchemy import func, select

from bot.botapi.server import BotApiServer
from bot.botapi.state import StoredMessage
from bot.sandbox.render import message_json
from bot.sandbox.runtime import SANDBOX_TOKEN, Sandbox, sandbox_settings
from bot.sandbox.web import image_type, start_site
from bot.settings import Settings
from storage.engine import session_factory
from storage.models import GroupChat, Invite, MeetingReminder, SelfHelpGroup
from storage.repositories import staff
from storage.types import utcnow
from tests.request_steps import onboard
from tests.sandbox_clock import morning_clock

JPEG = b"\xff\xd8\xff\xe0 a small test photo \xff\xd9"


@pytest_asyncio.fixture
async def page(tmp_path: Path) -> AsyncIterator[tuple[Sandbox, aiohttp.ClientSession]]:
    world = Sandbox(Settings.model_validate({}), tmp_path / "sandbox", machine=morning_clock())
    runner, port = await start_site(world, "127.0.0.1", 0)
    try:
        await world.start()
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            yield world, http
    finally:
        await runner.cleanup()
        await world.stop()


async def state(http: aiohttp.ClientSession) -> dict[str, Any]:
    async with http.get("/api/state") as response:
        assert response.status == 200
        body: dict[str, Any] = await response.json()
        return body


async def test_bad_input_is_refused_with_a_reason(
    page: tuple[Sandbox, aiohttp.ClientSession],
) -> None:
    world, http = page
    async with http.post("/api/panes/nobody/text", json={"text": "привіт"}) as response:
        assert response.status == 404
    async with http.post("/api/panes/resident-uk/text", json={"text": "   "}) as response:
        assert response.status == 400 and "text" in await response.text()
    async with http.post("/api/panes/resident-uk/text", data=b"not json") as response:
        assert response.status == 400
    async with http.post("/api/panes/group/text", json={"text": "hi", "as": "1"}) as response:
        assert response.status == 400 and "member" in await response.text()
    async with http.post("/api/clock", json={"step": "back"}) as response:
        assert response.status == 400
    press = {"message": 999, "row": 0, "column": 0}
    async with http.post("/api/panes/resident-uk/press", json=press) as response:
        assert response.status == 409  # no such message: nothing is sent to the bot
    async with http.post("/api/panes", json={"name": "Ніна", "language": "de"}) as response:
        assert response.status == 400
    assert world.server.state.chats[100001].messages == {}
    assert world.server.violations == []


async def test_a_resident_added_from_the_page_talks_to_the_bot(
    page: tuple[Sandbox, aiohttp.ClientSession],
) -> None:
    world, http = page
    async with http.post("/api/panes", json={"name": "Ніна", "language": "ru"}) as response:
        key = (await response.json())["pane"]
    pane = world.panes[key]
    assert pane.person is not None and pane.language == "ru"
    async with (
        pane.person.expect_message(lambda m: "Русский" in m.button_texts()),
        http.post(f"/api/panes/{key}/text", json={"text": "/start"}) as response,
    ):
        assert response.status == 200
    shown = next(p for p in (await state(http))["panes"] if p["key"] == key)
    assert (shown["title"], shown["role"], shown["language"]) == ("Ніна", "resident", "ru")
    assert [m["mine"] for m in shown["messages"]] == [True, False]
    buttons = [b["text"] for row in shown["messages"][1]["buttons"] for b in row]
    assert "Українська" in buttons and "Русский" in buttons


async def test_a_photo_from_the_page_reaches_the_chat_and_can_be_fetched(
    page: tuple[Sandbox, aiohttp.ClientSession],
) -> None:
    world, http = page
    form = aiohttp.FormData()
    form.add_field("photo", JPEG, filename="street.jpg", content_type="image/jpeg")
    form.add_field("caption", "Яма на дорозі")
    resident = world.panes["resident-uk"].person
    assert resident is not None
    async with (
        resident.expect_message(),  # the bot answers the photo (not onboarded yet)
        http.post("/api/panes/resident-uk/photo", data=form) as response,
    ):
        assert response.status == 200
    shown = next(p for p in (await state(http))["panes"] if p["key"] == "resident-uk")
    sent = shown["messages"][0]
    assert sent["mine"] and sent["html"] == "Яма на дорозі"
    async with http.get(sent["photo"]) as response:
        assert response.status == 200 and await response.read() == JPEG
        assert response.headers["Content-Type"] == "image/jpeg"
    async with http.get("/files/nothing-here") as response:
        assert response.status == 404


def test_a_document_the_bot_sends_is_a_download_link() -> None:
    raw = {
        "message_id": 7,
        "from": {"id": 1, "is_bot": True, "first_name": "Hromada"},
        "chat": {"id": 5, "type": "private"},
        "date": 1_800_000_000,
        "document": {"file_id": "FDOC1", "file_unique_id": "U1", "file_name": "мої-дані.json"},
        "caption": "Ваші дані",
        "caption_entities": [{"type": "bold", "offset": 0, "length": 4}],
    }
    shown = message_json(StoredMessage(raw=raw, from_bot=True, changed_at=1), me=5)
    assert shown["document"] == {"name": "мої-дані.json", "url": "/files/FDOC1"}
    assert shown["html"] == "<b>Ваші</b> дані" and shown["from_bot"] and not shown["mine"]


async def test_the_clock_moves_the_bot_and_the_server_not_the_machine(
    page: tuple[Sandbox, aiohttp.ClientSession],
) -> None:
    world, http = page
    before = utcnow()
    async with http.post("/api/clock", json={"step": "hour"}) as response:
        assert response.status == 200
    async with http.post("/api/clock", json={"step": "day"}) as response:
        assert response.status == 200
    assert world.clock.offset == timedelta(hours=25)
    assert utcnow() - before >= timedelta(hours=25)
    assert world.server.clock.now() - before.timestamp() >= 25 * 3600
    assert (await state(http))["clock"]["offset_seconds"] == 25 * 3600
    moved = world.clock.now()
    async with http.post("/api/clock", json={"step": "reminder"}) as response:
        body = await response.json()
    assert body["ok"] is True  # the seeded weekly meeting has its reminders armed
    due = datetime.fromisoformat(body["to"])
    assert due > moved and world.clock.now() >= due
    assert world.app is not None and world.app.lifecycle.engine is not None
    async with session_factory(world.app.lifecycle.engine)() as session:
        earliest = await session.scalar(
            select(func.min(MeetingReminder.due_at)).where(MeetingReminder.due_at > moved)
        )
    assert earliest == due  # the earliest reminder after the moved clock, not a later one


async def test_reset_wipes_the_database_and_gives_the_roles_again(
    page: tuple[Sandbox, aiohttp.ClientSession],
) -> None:
    world, http = page
    async with http.post("/api/panes", json={"name": "Ніна", "language": "uk"}):
        pass
    assert len(world.panes) == 7
    assert world.app is not None and world.app.lifecycle.engine is not None
    async with session_factory(world.app.lifecycle.engine)() as session:
        roles_before = len(await staff.list_staff(session))
    assert roles_before == 3
    async with http.post("/api/reset") as response:
        assert response.status == 200
    after = await state(http)
    assert after["generation"] == 2 and after["status"] == "ready"
    assert len(after["panes"]) == 6  # the added resident is gone with the old world
    assert world.clock.offset == timedelta()
    assert world.app is not None and world.app.lifecycle.engine is not None
    async with session_factory(world.app.lifecycle.engine)() as session:
        roles = await staff.list_staff(session)
    assert sorted(role.role for role in roles) == ["facilitator", "moderator", "provider"]
    assert all(role.id <= 3 for role in roles)  # a fresh database: ids start again


async def test_the_demo_group_is_linked_to_the_group_pane(
    page: tuple[Sandbox, aiohttp.ClientSession],
) -> None:
    world, _http = page
    assert world.app is not None and world.app.lifecycle.engine is not None
    engine = world.app.lifecycle.engine
    async with session_factory(engine)() as session:
        groups = (await session.scalars(select(SelfHelpGroup))).all()
        assert [g.title_uk for g in groups] == ["Батьки дітей з інвалідністю"]
        linked = await session.get(GroupChat, groups[0].id)
        invites = (await session.scalars(select(Invite).where(Invite.role == "facilitator"))).all()
    assert linked is not None and linked.chat_id == world.panes["group"].view.chat_id
    assert [invite.group_id for invite in invites] == [groups[0].id]
    assert all(invite.used_at is not None for invite in invites)  # opened in Галина's pane
    async with session_factory(engine)() as session:
        roles = [r for r in await staff.list_staff(session) if r.role == "facilitator"]
    assert [role.group_id for role in roles] == [groups[0].id]  # she facilitates that group


def test_images_are_shown_by_what_they_are_and_the_rest_is_a_download() -> None:
    assert image_type(JPEG) == "image/jpeg"
    assert image_type(b"\x89PNG\r\n\x1a\n chart") == "image/png"
    assert image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert image_type(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None
    assert image_type(b"<svg onload=alert(1)>") is None  # never served as an image


async def test_a_member_writes_in_the_group_pane(
    page: tuple[Sandbox, aiohttp.ClientSession],
) -> None:
    world, http = page
    body = {"text": "Доброго вечора всім", "as": "100002"}
    queued_before = world.server.state.next_update_id
    async with http.post("/api/panes/group/text", json=body) as response:
        assert response.status == 200
    assert world.server.state.next_update_id == queued_before + 1  # an update for the bot
    shown = next(p for p in (await state(http))["panes"] if p["key"] == "group")
    assert [m["id"] for m in shown["members"]] == ["100005", "100001", "100002"]
    said = shown["messages"][-1]
    assert said["sender"] == "Дмитрий" and said["html"] == "Доброго вечора всім"
    assert not said["from_bot"] and not said["mine"]
    group_id = world.panes["group"].view.chat_id
    server = world.server.state

    def fetched() -> bool | None:  # the bot took the message with getUpdates (and confirmed it)
        waiting = [
            u for u in server.updates if u.get("message", {}).get("chat", {}).get("id") == group_id
        ]
        return True if not waiting else None

    assert await server.feed.wait_until(fetched, 10) is True


async def test_the_page_speaks_the_chosen_language(
    page: tuple[Sandbox, aiohttp.ClientSession],
) -> None:
    _world, http = page
    words = {}
    for language in ("uk", "ru", "en"):
        async with http.get(f"/api/strings?language={language}") as response:
            words[language] = await response.json()
    assert (words["uk"]["send"], words["ru"]["send"], words["en"]["send"]) == (
        "Надіслати",
        "Отправить",
        "Send",
    )
    assert words["ru"]["moved_to"] == "Часы переведены на {time}."  # the placeholder kept
    assert all(words["uk"][key] != words["en"][key] for key in ("reminder", "reset_yes"))
    async with http.get("/api/strings?language=de") as response:
        assert response.status == 400


async def test_the_sandbox_keeps_its_own_files(tmp_path: Path) -> None:
    base = Settings.model_validate(
        {"database_url": "sqlite+aiosqlite:///./data/hromada.sqlite3", "telegram_bot_token": "1:x"}
    )
    async with BotApiServer(SANDBOX_TOKEN) as server:
        settings = sandbox_settings(base, server, tmp_path / "sandbox")
        address = server.base_url
    assert settings.sqlite_path() == (tmp_path / "sandbox" / "hromada.sqlite3").resolve()
    assert Path(settings.erasure_ledger_file).parent == (tmp_path / "sandbox").resolve()
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == SANDBOX_TOKEN  # never a real one
    assert settings.telegram_api_base_url == address


async def test_a_file_the_bot_sends_is_offered_for_download(
    page: tuple[Sandbox, aiohttp.ClientSession],
) -> None:
    world, http = page
    resident = world.panes["resident-uk"].person
    assert resident is not None
    await onboard(resident)
    async with (
        resident.expect_message(lambda m: "document" in m.raw),
        http.post("/api/panes/resident-uk/text", json={"text": "/mydata"}) as response,
    ):
        assert response.status == 200
    shown = next(p for p in (await state(http))["panes"] if p["key"] == "resident-uk")
    sent = next(m for m in shown["messages"] if "document" in m)
    assert sent["from_bot"] and sent["document"]["name"] == "my-data.json"
    async with http.get(sent["document"]["url"]) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/octet-stream"
        assert 'filename="my-data.json"' in response.headers["Content-Disposition"]
        body = await response.read()
    assert b"100001" in body  # the resident's own export: their Telegram id is in it
