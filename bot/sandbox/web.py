"""The sandbox page and its small JSON API, served by the sandbox's own process (aiohttp).

``GET /`` is ``web/index.html`` (plain HTML, CSS and one script, nothing fetched from
elsewhere).  The page long-polls ``GET /api/state?since=V``: it returns as soon as the local
Bot API server's change counter passes ``V`` (or after 20 seconds) with every pane's chat,
the clock, the spec violations and the answered button presses.  People act with
``POST /api/panes/{pane}/text|photo|press``; ``POST /api/panes`` adds a resident,
``POST /api/clock`` moves time, ``POST /api/reset`` wipes the sandbox.  Files the bot sent
are served from ``GET /files/{file_id}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.sandbox.cast import Pane, add_resident
from bot.sandbox.reminders import next_reminder_at
from bot.sandbox.render import message_json
from bot.sandbox.runtime import Sandbox, Toast
from bot.sandbox.strings import PAGE_LANGUAGES, page_strings
from bot.startup import StartupError
from locales import load_translators
from locales.runtime import Translator

__all__ = ["build_web_app", "image_type", "serve", "start_site", "state_json"]

log = logging.getLogger(__name__)

JSON = dict[str, Any]
STATIC = Path(__file__).resolve().parent / "web"
LONG_POLL_SECONDS = 20.0
MAX_TEXT = 8192  # more than Telegram takes (4096): the bot's own refusal is what is shown
MAX_PHOTO = 10 * 1024 * 1024
SANDBOX_KEY = web.AppKey("sandbox", Sandbox)
CLOCK_STEPS = {"hour": timedelta(hours=1), "day": timedelta(days=1)}


def _pane_json(sandbox: Sandbox, pane: Pane) -> JSON:
    me = pane.person.id if pane.person is not None else None
    chat = pane.view.chat
    messages = [message_json(m, me) for m in chat.messages.values() if not m.deleted]
    item: JSON = {
        "key": pane.key,
        "title": pane.title,
        "role": pane.role,
        "language": pane.language,
        "messages": messages,
        "blocked": chat.blocked,
    }
    if pane.person is None:
        item["members"] = [
            {"id": str(m.id), "name": str(m.user.get("first_name", ""))} for m in pane.members
        ]
    return item


def _toasts(sandbox: Sandbox) -> list[JSON]:
    answers = sandbox.server.state.callback_answers
    shown = []
    for toast in sandbox.toasts:
        answer = answers.get(toast.query_id)
        if answer is not None and answer.get("text"):
            shown.append(
                {
                    "id": toast.query_id,
                    "pane": toast.pane,
                    "text": str(answer["text"]),
                    "alert": bool(answer.get("show_alert")),
                }
            )
    return shown


def state_json(sandbox: Sandbox) -> JSON:
    now = sandbox.clock.now()
    return {
        "generation": sandbox.generation,
        "version": sandbox.server.state.feed.version,
        "status": sandbox.status,
        "clock": {"now": now.isoformat(), "offset_seconds": sandbox.clock.offset.total_seconds()},
        "violations": list(sandbox.server.violations),
        "panes": [_pane_json(sandbox, pane) for pane in sandbox.panes.values()],
        "toasts": _toasts(sandbox),
    }


def _sandbox(request: web.Request) -> Sandbox:
    return request.app[SANDBOX_KEY]


async def get_state(request: web.Request) -> web.Response:
    sandbox = _sandbox(request)
    try:
        since = int(request.query.get("since", "-1"))
        generation = int(request.query.get("generation", "-1"))
    except ValueError:
        raise web.HTTPBadRequest(text="since and generation are numbers") from None
    if sandbox.status == "starting":
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(sandbox.ready.wait(), LONG_POLL_SECONDS)
    elif generation == sandbox.generation and sandbox.status == "ready":
        server = sandbox.server
        await server.state.feed.wait_until(
            lambda: True if server.state.feed.version > since else None, LONG_POLL_SECONDS
        )
    return web.json_response(state_json(_sandbox(request)))


def _pane(request: web.Request) -> Pane:
    sandbox = _sandbox(request)
    if sandbox.status != "ready":
        raise web.HTTPConflict(text="the sandbox is starting")
    pane = sandbox.panes.get(request.match_info["pane"])
    if pane is None:
        raise web.HTTPNotFound(text="no such pane")
    return pane


async def _body(request: web.Request) -> JSON:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="a JSON body is expected") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="a JSON object is expected")
    return body


def _speaker(pane: Pane, body: JSON) -> Any:
    try:
        return pane.speaker(str(body["as"]) if body.get("as") else None)
    except KeyError:
        raise web.HTTPBadRequest(text="no such member") from None


async def post_text(request: web.Request) -> web.Response:
    pane = _pane(request)
    body = await _body(request)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        raise web.HTTPBadRequest(text=f"text: 1 to {MAX_TEXT} characters")
    person = _speaker(pane, body)
    chat = None if pane.person is not None else pane.view
    if text.startswith("/") and len(text) > 1 and not text[1].isspace():
        await person.send_command(text, chat)
    else:
        await person.send_text(text, chat)
    return web.json_response({"ok": True})


async def post_photo(request: web.Request) -> web.Response:
    pane = _pane(request)
    form = await request.post()
    upload = form.get("photo")
    if not isinstance(upload, web.FileField):
        raise web.HTTPBadRequest(text="a photo file is expected")
    data = upload.file.read(MAX_PHOTO + 1)
    if not data or len(data) > MAX_PHOTO:
        raise web.HTTPBadRequest(text="a photo of at most 10 MB is expected")
    caption = form.get("caption")
    person = _speaker(pane, {"as": form.get("as")})
    chat = None if pane.person is not None else pane.view
    await person.send_photo(
        caption if isinstance(caption, str) and caption else None, chat, data=data
    )
    return web.json_response({"ok": True})


async def post_press(request: web.Request) -> web.Response:
    pane = _pane(request)
    body = await _body(request)
    try:
        message_id, row, column = int(body["message"]), int(body["row"]), int(body["column"])
    except (KeyError, TypeError, ValueError):
        raise web.HTTPBadRequest(text="message, row and column are numbers") from None
    person = _speaker(pane, body)
    try:
        query_id = person.press_at(pane.view, message_id, row, column)
    except AssertionError as exc:
        raise web.HTTPConflict(text=str(exc)) from None
    _sandbox(request).toasts.append(Toast(query_id, pane.key))
    return web.json_response({"ok": True, "query": query_id})


async def post_pane(request: web.Request) -> web.Response:
    sandbox = _sandbox(request)
    if sandbox.status != "ready":
        raise web.HTTPConflict(text="the sandbox is starting")
    body = await _body(request)
    name = str(body.get("name") or "").strip()[:64]
    language = body.get("language")
    if not name or language not in ("uk", "ru"):
        raise web.HTTPBadRequest(text="a name and a language (uk or ru) are expected")
    pane = add_resident(sandbox.server, sandbox.panes, name, str(language))
    sandbox.server.state.feed.bump()
    return web.json_response({"ok": True, "pane": pane.key})


async def post_clock(request: web.Request) -> web.Response:
    sandbox = _sandbox(request)
    body = await _body(request)
    step = body.get("step")
    if step in CLOCK_STEPS:
        sandbox.move_clock(CLOCK_STEPS[str(step)])
        return web.json_response({"ok": True})
    if step == "reminder":
        if sandbox.app is None or sandbox.app.lifecycle.engine is None:
            raise web.HTTPConflict(text="the sandbox is starting")
        due = await next_reminder_at(sandbox.app.lifecycle.engine, sandbox.clock.now())
        if due is None:
            return web.json_response({"ok": False, "reason": "no_reminder"})
        sandbox.clock.advance_to(due)
        sandbox.wake()
        return web.json_response({"ok": True, "to": due.isoformat()})
    raise web.HTTPBadRequest(text="step: hour, day or reminder")


async def post_reset(request: web.Request) -> web.Response:
    await _sandbox(request).reset()
    return web.json_response({"ok": True})


IMAGE_MAGIC = (
    (b"\xff\xd8", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF8", "image/gif"),
    (b"RIFF", "image/webp"),
)


def image_type(data: bytes) -> str | None:
    """The image type by the file's first bytes (a poll chart is a PNG, a photo a JPEG);
    None for anything else, which is then only offered as a download."""
    for magic, content_type in IMAGE_MAGIC:
        if data.startswith(magic) and (content_type != "image/webp" or data[8:12] == b"WEBP"):
            return content_type
    return None


async def get_file(request: web.Request) -> web.Response:
    stored = _sandbox(request).server.state.files.get(request.match_info["file_id"])
    if stored is None:
        raise web.HTTPNotFound(text="no such file")
    headers = {"X-Content-Type-Options": "nosniff"}
    shown_as = image_type(stored.data) if stored.file_path.startswith("photos/") else None
    if shown_as is not None:
        return web.Response(body=stored.data, content_type=shown_as, headers=headers)
    name = (stored.file_name or Path(stored.file_path).name).replace('"', "")
    headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return web.Response(body=stored.data, content_type="application/octet-stream", headers=headers)


async def get_strings(request: web.Request) -> web.Response:
    language = request.query.get("language", "uk")
    if language not in PAGE_LANGUAGES:
        raise web.HTTPBadRequest(text="language: uk, ru or en")
    if language == "en":
        return web.json_response(page_strings(lambda text: text))
    return web.json_response(page_strings(_translators()[language].gettext))


@functools.cache
def _translators() -> dict[str, Translator]:
    return load_translators()


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The page runs only its own script and styles (no inline script, nothing remote)."""
    response = await handler(request)
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'",
    )
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def build_web_app(sandbox: Sandbox) -> web.Application:
    app = web.Application(middlewares=[security_headers], client_max_size=MAX_PHOTO + 65536)
    app[SANDBOX_KEY] = sandbox
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC)
    app.router.add_get("/api/state", get_state)
    app.router.add_get("/api/strings", get_strings)
    app.router.add_post("/api/panes", post_pane)
    app.router.add_post("/api/panes/{pane}/text", post_text)
    app.router.add_post("/api/panes/{pane}/photo", post_photo)
    app.router.add_post("/api/panes/{pane}/press", post_press)
    app.router.add_post("/api/clock", post_clock)
    app.router.add_post("/api/reset", post_reset)
    app.router.add_get("/files/{file_id}", get_file)
    return app


async def start_site(sandbox: Sandbox, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Listen for the page on ``host:port`` (0: a free port); the runner and the port."""
    runner = web.AppRunner(build_web_app(sandbox), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        raise StartupError(
            f"cannot listen on {host}:{port} for the sandbox page ({exc.strerror or exc}):"
            " stop the program using it, or pick another with --port"
        ) from None
    return runner, int(runner.addresses[0][1])


async def serve(sandbox: Sandbox, host: str, port: int, stop: asyncio.Event) -> None:
    """Serve the page at once, start the world behind it, run until ``stop`` is set."""
    runner, _port = await start_site(sandbox, host, port)
    try:
        try:
            await sandbox.start()
        except Exception:
            sandbox.status = "failed to start (see the terminal)"
            sandbox.ready.set()
            raise
        await stop.wait()
    finally:
        await runner.cleanup()
        await sandbox.stop()
