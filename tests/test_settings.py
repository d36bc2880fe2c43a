"""Settings fail early with one readable line; the CLI says what is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings, require_token

ROOT = Path(__file__).resolve().parent.parent


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "DEFAULT_LANGUAGE", "TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.default_language == "uk"
    assert settings.timezone == "Europe/Kyiv"
    assert settings.database_url.startswith("sqlite+aiosqlite:///./data/")
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.telegram_api_base_file_url == "https://api.telegram.org/file/bot"
    with pytest.raises(SettingsError, match=r"TELEGRAM_BOT_TOKEN.*@BotFather"):
        require_token(settings)


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("DEFAULT_LANGUAGE", "en", "DEFAULT_LANGUAGE"),
        ("TIMEZONE", "Europe/Atlantis", "TIMEZONE"),
        ("DATABASE_URL", "sqlite:///x.db", "DATABASE_URL"),
        ("TELEGRAM_API_BASE_URL", "ftp://x", "TELEGRAM_API_BASE_URL"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL"),
    ],
)
def test_invalid_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, fragment: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=fragment) as info:
        load_settings()
    assert "\n" not in str(info.value)


def _cli(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"TELEGRAM_BOT_TOKEN"}}
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_without_token_prints_one_clear_line(tmp_path: Path) -> None:
    result = _cli({}, tmp_path)
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "@BotFather" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_setting_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = _cli({"TELEGRAM_BOT_TOKEN": "1:x", "TIMEZONE": "Nowhere/Place"}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "TIMEZONE" in result.stderr
