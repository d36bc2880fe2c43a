"""The bot under test as a child process: start, watch, measure (``/proc``), stop for sure.

Every started process is remembered in a registry so that :func:`kill_all` can end it even
when the event loop is gone (the ``finally`` of ``python -m bench``).  Output goes to log
files in the scenario's temporary directory; :meth:`BotProcess.log_tail` shows it on failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, NamedTuple

__all__ = ["BenchError", "BotProcess", "Memory", "kill_all", "run_once"]

REPO = Path(__file__).resolve().parent.parent
_LIVE: dict[int, asyncio.subprocess.Process] = {}


class BenchError(Exception):
    """The benchmark cannot produce a valid figure; the message says why."""


class Memory(NamedTuple):
    """From ``/proc/<pid>/status``, in KiB."""

    peak_kib: int  # VmHWM: the highest resident set size so far
    now_kib: int  # VmRSS


def child_env(overrides: Mapping[str, str]) -> dict[str, str]:
    """The harness's environment plus ``overrides``; the repository is importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(overrides)
    return env


class BotProcess:
    """``python -m <module> <args>`` in ``workdir``, in its own session (own signals)."""

    def __init__(self, name: str, argv: list[str], env: Mapping[str, str], workdir: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = dict(env)
        self.workdir = workdir
        self.log_path = workdir / f"{name}.log"
        self._log: IO[bytes] | None = None
        self._proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self._log = self.log_path.open("wb")
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            *self.argv,
            cwd=self.workdir,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _LIVE[self._proc.pid] = self._proc

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise RuntimeError(f"{self.name} is not started")
        return self._proc.pid

    @property
    def returncode(self) -> int | None:
        return None if self._proc is None else self._proc.returncode

    async def wait(self) -> int:
        if self._proc is None:
            raise RuntimeError(f"{self.name} is not started")
        return await self._proc.wait()

    def memory(self) -> Memory:
        fields: dict[str, int] = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                fields[key] = int(value.split()[0])
        return Memory(fields["VmHWM"], fields["VmRSS"])

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used so far."""
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        after_name = stat.rpartition(")")[2].split()
        utime, stime = int(after_name[11]), int(after_name[12])
        return (utime + stime) / os.sysconf("SC_CLK_TCK")

    async def stop(self, grace: float = 15.0) -> int | None:
        """SIGTERM (PTB's run_polling shuts down cleanly on it), SIGKILL after ``grace``."""
        proc = self._proc
        try:
            if proc is not None and proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), grace)
                except TimeoutError:
                    with contextlib.suppress(ProcessLookupError):
                        proc.kill()
                    await proc.wait()
        finally:
            if proc is not None and proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
            if proc is not None and proc.returncode is not None:
                _LIVE.pop(proc.pid, None)
            if self._log is not None:
                self._log.close()
        return None if proc is None else proc.returncode

    def keep_log(self, target: Path) -> Path | None:
        """Copy the output out of the temporary directory (for a failed run)."""
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.log_path, target)
        except OSError:
            return None
        return target

    def log_tail(self, lines: int = 12) -> str:
        """Error lines (log records and exceptions, not traceback frames) and the last lines."""
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "    (no output)"
        errors = [
            line
            for line in text
            if line[:1].strip() and ("ERROR" in line or "Error" in line or "Exception" in line)
        ]
        shown = [*list(dict.fromkeys(errors))[:10], "...", *text[-lines:]]
        return "\n".join(f"    {line}" for line in shown)


def kill_all() -> None:
    """SIGKILL every child still running (last resort, no event loop needed)."""
    for pid, proc in list(_LIVE.items()):
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _LIVE.pop(pid, None)


async def run_once(argv: list[str], env: Mapping[str, str], workdir: Path, within: float) -> str:
    """Run ``python <argv>`` to completion and return its output; BenchError on failure."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *argv,
        cwd=workdir,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    _LIVE[proc.pid] = proc
    try:
        output, _ = await asyncio.wait_for(proc.communicate(), within)
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
        _LIVE.pop(proc.pid, None)
    text = output.decode(errors="replace")
    if proc.returncode != 0:
        raise BenchError(f"python {' '.join(argv)} failed ({proc.returncode}):\n{text}")
    return text
