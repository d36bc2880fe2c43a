"""How the sandbox starts: ``make run`` picks it when there is no token (the check is
``python -m bot.sandbox.has_token``), and ``python -m bot sandbox`` as a real process in a
folder with no .env serves the page, the bot ready behind it, on its own SQLite file."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN_LIKE = "123456:ABCdef_real-looking-token"


def _env(**extra: str) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    return {**kept, "PYTHONPATH": str(ROOT), **extra}


async def has_token(cwd: Path, **env: str) -> int:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.sandbox.has_token", cwd=cwd, env=_env(**env)
    )
    return await asyncio.wait_for(process.wait(), 60)


async def test_make_run_chooses_by_the_token(tmp_path: Path) -> None:
    assert await has_token(tmp_path) == 1  # no token, no .env: the sandbox
    assert await has_token(tmp_path, TELEGRAM_BOT_TOKEN="") == 1
    placeholder = "123456789:replace-with-your-token"
    assert await has_token(tmp_path, TELEGRAM_BOT_TOKEN=placeholder) == 1
    assert await has_token(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN_LIKE) == 0  # the real bot
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN_LIKE}\n", encoding="utf-8")
    assert await has_token(tmp_path) == 0
    assert await has_token(tmp_path, TIMEZONE="Mars/Olympus") == 2  # settings to fix first


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return int(response.status), bytes(response.read())


async def test_the_sandbox_process_serves_the_page(tmp_path: Path) -> None:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "sandbox",
        "--port",
        str(port),
        cwd=tmp_path,
        env=_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    try:
        first = await asyncio.wait_for(process.stdout.readline(), 30)
        assert f"http://127.0.0.1:{port}" in first.decode()
        state: dict[str, object] = {}
        for _attempt in range(60):  # each request long-polls until the world is ready
            try:
                status, body = await asyncio.to_thread(_get, f"http://127.0.0.1:{port}/api/state")
            except OSError:
                await asyncio.sleep(0.5)  # not listening yet: retry (an upper bound, 30 s)
                continue
            state = json.loads(body)
            if state["status"] == "ready":
                break
        assert state.get("status") == "ready", state
        status, page = await asyncio.to_thread(_get, f"http://127.0.0.1:{port}/")
        assert status == 200 and b"offline sandbox" in page
        assert b"https://" not in page and b"http://" not in page  # nothing from elsewhere
        assert (tmp_path / "data" / "sandbox" / "hromada.sqlite3").exists()
        assert not (tmp_path / "data" / "hromada.sqlite3").exists()  # not the bot's own file
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
    assert process.returncode == 0


async def test_a_busy_port_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "sandbox",
            "--port",
            str(port),
            cwd=tmp_path,
            env=_env(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _out, err = await asyncio.wait_for(process.communicate(), 60)
    lines = [line for line in err.decode().splitlines() if line.strip()]
    assert process.returncode == 1
    assert len(lines) == 1 and lines[0].startswith("error: cannot listen on"), lines
    assert "--port" in lines[0]
