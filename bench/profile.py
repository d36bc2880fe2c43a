"""Sampling profile of the bot under test: ``python -m bench --only hromada --profile``.

py-spy (``pip install py-spy``; not a project dependency: only this option uses it) attaches
to the bot's process once it polls and samples the thread holding the GIL (``--gil``: a
thread waiting in ``epoll`` or on aiosqlite's queue is not counted) until the bot exits. The raw
stacks go to ``bench/results/hromada.pyspy.txt``; ``python -m bench.profile FILE`` (also
called at the end of the run) prints the top functions by own samples and the share of each
layer (SQLAlchemy, the HTTP client, PTB, aiosqlite, our code...).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.processes import BenchError

__all__ = ["start_sampling", "summarize"]

LAYERS = (
    ("sqlalchemy", "SQLAlchemy"),
    ("httpx", "HTTP client (httpx/httpcore/h11/anyio)"),
    ("httpcore", "HTTP client (httpx/httpcore/h11/anyio)"),
    ("h11", "HTTP client (httpx/httpcore/h11/anyio)"),
    ("anyio", "HTTP client (httpx/httpcore/h11/anyio)"),
    ("aiohttp", "HTTP client (aiohttp)"),
    ("telegram", "python-telegram-bot"),
    ("aiosqlite", "aiosqlite"),
    ("sqlite3", "SQLite"),
    ("asyncpg", "asyncpg"),
    ("asyncio", "asyncio event loop"),
    ("babel", "Babel"),
    ("json", "json"),
)
OURS = ("handlers", "flows", "storage", "bot", "locales", "scheduler")


async def start_sampling(pid: int, out: Path) -> asyncio.subprocess.Process:
    """py-spy recording ``pid`` (all threads, busy samples) into ``out`` until it exits."""
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        raise BenchError("--profile needs py-spy: .venv/bin/pip install py-spy")
    out.parent.mkdir(parents=True, exist_ok=True)
    return await asyncio.create_subprocess_exec(
        spy,
        "record",
        "--pid",
        str(pid),
        "--format",
        "raw",
        "--rate",
        "250",
        "--nonblocking",
        "--gil",  # only the thread holding the GIL: CPU spent in Python, not waits
        "--output",
        str(out),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _layer(frame: str) -> str:
    """The layer a frame ``function (path:line)`` belongs to (py-spy shortens paths to the
    module's: ``telegram/_bot.py``, ``handlers/core/pipeline.py``, ``asyncio/events.py``)."""
    path = frame.rpartition("(")[2].rpartition(":")[0]
    package = path.lstrip("/").split("/", 1)[0].removesuffix(".py")
    for prefix, name in LAYERS:
        if package == prefix:
            return name
    if package in OURS:
        return "our code (bot, handlers, flows, storage, locales, scheduler)"
    return f"other ({package or 'builtin'})"


def summarize(raw: Path, top: int = 5) -> str:
    """Top ``top`` functions by own (leaf) samples, and the samples per layer (a stack is
    counted for the innermost frame's layer)."""
    own: Counter[str] = Counter()
    layers: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        count = int(count_text)
        total += count
        own[frames[-1]] += count
        layers[_layer(frames[-1])] += count
    if total == 0:
        return f"{raw}: no samples"
    lines = [f"{total} samples holding the GIL (all threads); top {top} functions by own samples:"]
    for frame, count in own.most_common(top):
        lines.append(f"  {100 * count / total:5.1f} %  {frame}")
    lines.append("by layer (innermost frame):")
    for layer, count in layers.most_common():
        lines.append(f"  {100 * count / total:5.1f} %  {layer}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summarize(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 5))
