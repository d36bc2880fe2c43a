"""Figures of a scenario, the printed scenario table and the JSON file (with the targets)."""

from __future__ import annotations

import json
import math
import platform
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import telegram

__all__ = ["RESULTS_DIR", "ScenarioResult", "percentile", "render", "write_json"]
RESULTS_DIR = Path(__file__).resolve().parent / "results"
RESULTS = RESULTS_DIR / "latest.json"


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(math.ceil(pct / 100 * len(ordered)), 1)
    return ordered[rank - 1]


@dataclass
class ScenarioResult:
    """One scenario's measurements (times in seconds unless the name says ms)."""

    scenario: str
    description: str
    users: int
    updates: int
    seconds: float
    latencies: list[float] = field(repr=False)
    peak_rss_kib: int
    end_rss_kib: int
    bot_cpu_seconds: float
    harness_cpu_seconds: float
    step_latencies: dict[str, list[float]] = field(default_factory=dict, repr=False)
    warnings: list[str] = field(default_factory=list)
    startup_seconds: float | None = None  # process spawn to the first getUpdates
    calls: dict[str, int] = field(default_factory=dict)  # Bot API calls during the run
    extra: dict[str, float] = field(default_factory=dict)  # the scenario's own figures

    @property
    def updates_per_second(self) -> float:
        return self.updates / self.seconds

    @property
    def cpu_ms_per_update(self) -> float:
        """Bot CPU time / updates: the figure that survives a loaded machine."""
        return self.bot_cpu_seconds / self.updates * 1000

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        del data["latencies"], data["step_latencies"]
        data.update(
            updates_per_second=round(self.updates_per_second, 1),
            seconds=round(self.seconds, 3),
            p50_ms=round(percentile(self.latencies, 50) * 1000, 1),
            p95_ms=round(percentile(self.latencies, 95) * 1000, 1),
            max_ms=round(max(self.latencies) * 1000, 1),
            peak_rss_mib=round(self.peak_rss_kib / 1024, 1),
            end_rss_mib=round(self.end_rss_kib / 1024, 1),
            bot_cpu_seconds=round(self.bot_cpu_seconds, 2),
            harness_cpu_seconds=round(self.harness_cpu_seconds, 2),
            cpu_ms_per_update=round(self.cpu_ms_per_update, 2),
            startup_seconds=None
            if self.startup_seconds is None
            else round(self.startup_seconds, 2),
            steps={
                step: {
                    "p50_ms": round(percentile(values, 50) * 1000, 1),
                    "p95_ms": round(percentile(values, 95) * 1000, 1),
                }
                for step, values in self.step_latencies.items()
            },
        )
        return data


def render(results: Sequence[ScenarioResult]) -> str:
    """The table, per-scenario notes, and the ratio line."""
    header = (
        "scenario",
        "updates",
        "seconds",
        "updates/s",
        "CPU ms/update",
        "p50 ms",
        "p95 ms",
        "peak RSS MiB",
    )
    rows = [header]
    for r in results:
        s = r.summary()
        rows.append(
            (
                r.scenario,
                str(r.updates),
                f"{r.seconds:.2f}",
                f"{r.updates_per_second:.1f}",
                f"{r.cpu_ms_per_update:.2f}",
                f"{s['p50_ms']:.1f}",
                f"{s['p95_ms']:.1f}",
                f"{s['peak_rss_mib']:.1f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    for r in results:
        s = r.summary()
        lines.append(f"{r.scenario}: {r.description}")
        lines.append(
            f"  end RSS {s['end_rss_mib']} MiB; bot CPU {s['bot_cpu_seconds']} s,"
            f" harness CPU {s['harness_cpu_seconds']} s during the run; max latency"
            f" {s['max_ms']} ms"
        )
        if s["steps"]:
            steps = ", ".join(
                f"{name} p50/p95 {v['p50_ms']}/{v['p95_ms']} ms" for name, v in s["steps"].items()
            )
            lines.append(f"  per step: {steps}")
        if r.calls:
            lines.append("  Bot API calls: " + ", ".join(f"{m} {n}" for m, n in r.calls.items()))
        if r.extra:
            lines.append("  " + ", ".join(f"{k} {v}" for k, v in r.extra.items()))
        lines.extend(f"  warning: {w}" for w in r.warnings)
    return "\n".join(lines)


def write_json(
    results: Sequence[ScenarioResult],
    settings: dict[str, Any],
    figures: Sequence[dict[str, Any]] = (),
    load: dict[str, Any] | None = None,
) -> Path:
    """Write the figures to ``bench/results/latest.json``; return the path."""
    document = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "python_telegram_bot": telegram.__version__,
        "machine": {"cpus": _cpus(), "platform": platform.platform()},
        "settings": settings,
        "machine_load": load or {},
        "table": list(figures),
        "scenarios": {r.scenario: r.summary() for r in results},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return RESULTS


def _cpus() -> int | None:
    import os

    return os.cpu_count()
