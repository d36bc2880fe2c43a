"""Issue 11's table: every figure beside its target, ``met`` true/false, or "not measured".

Throughputs are ratios to baselines measured in the same run (the machine is shared, so
absolute rates are noisy; ratios and CPU per update survive that).  Rows owned by other
benchmarks (``bench.reminders``, ``bench.polls``, ``bench.queries``) are filled in by
:mod:`bench.side` when those modules exist and ran.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from bench.report import ScenarioResult, percentile

__all__ = ["Figure", "not_measured", "render_figures", "scenario_figures"]


@dataclass
class Figure:
    """One row: ``value`` in ``unit`` against ``target`` (None: not measured, why in note)."""

    name: str
    target: str
    value: float | None = None
    unit: str = ""
    met: bool | None = None
    note: str = ""

    def shown(self) -> str:
        if self.value is None:
            return "not measured" if self.met is None else "see note"
        return f"{self.value:.3g} {self.unit}".strip()

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["measured"] = self.value is not None
        return data


def not_measured(name: str, target: str, why: str) -> Figure:
    return Figure(name, target, note=why)


def _ratio(
    name: str, target: float, ours: ScenarioResult | None, base: ScenarioResult | None
) -> Figure:
    wanted = f">= {target}"
    if ours is None or base is None:
        return not_measured(name, wanted, "run both scenarios (no --only)")
    value = ours.updates_per_second / base.updates_per_second
    return Figure(
        name,
        wanted,
        round(value, 3),
        "",
        value >= target,
        f"{ours.updates_per_second:.0f} vs {base.updates_per_second:.0f} updates/s",
    )


def _cpu(name: str, result: ScenarioResult | None, target_ms: float | None) -> Figure:
    wanted = f"<= {target_ms:g} ms" if target_ms is not None else "(reported)"
    if result is None:
        return not_measured(name, wanted, "scenario not run")
    value = result.cpu_ms_per_update
    return Figure(
        name,
        wanted,
        round(value, 2),
        "ms",
        None if target_ms is None else value <= target_ms,
        f"{result.bot_cpu_seconds:.1f} s bot CPU / {result.updates} updates"
        f" at {result.updates_per_second:.0f} updates/s",
    )


def scenario_figures(results: Sequence[ScenarioResult], database: str) -> list[Figure]:
    """The rows the throughput scenarios give."""
    by: Mapping[str, ScenarioResult] = {r.scenario: r for r in results}
    ours, same, echo = by.get("hromada"), by.get("same_calls"), by.get("echo")
    rows = [
        _ratio(f"onboarding ÷ same-calls baseline, {database}", 0.6, ours, same),
        _ratio(f"onboarding ÷ echo, {database}", 0.3, ours, echo),
        _cpu("CPU per update, onboarding", ours, None),
        _cpu("CPU per update, same-calls baseline", same, None),
        _cpu("CPU per update, echo", echo, None),
    ]
    request, calls = by.get("request"), by.get("request_calls")
    pg = by.get("request_pg") or (request if database == "postgres" else None)
    if database == "sqlite":
        rows.append(
            _ratio("request scenario ÷ its same-calls baseline, sqlite", 0.5, request, calls)
        )
    rows.append(_ratio("request scenario ÷ its same-calls baseline, postgres", 0.4, pg, calls))
    rows.append(_cpu("CPU per update, request scenario", request, 4.0))
    if pg is not None and pg is not request:
        rows.append(_cpu("CPU per update, request scenario, postgres", pg, None))
    rows.append(_cpu("CPU per update, request same-calls baseline", calls, None))
    rows += _steady_flood_memory(by, database)
    if ours is not None and ours.startup_seconds is not None:
        rows.append(
            Figure(
                "start-up to first getUpdates, existing database",
                "< 3 s",
                round(ours.startup_seconds, 2),
                "s",
                ours.startup_seconds < 3.0,
                "process spawn to the first getUpdates at the server (seeded database)",
            )
        )
    else:
        rows.append(
            not_measured("start-up to first getUpdates", "< 3 s", "hromada scenario not run")
        )
    return rows


def _steady_flood_memory(by: Mapping[str, ScenarioResult], database: str) -> list[Figure]:
    rows = []
    name = f"p95 latency at a steady 100 updates/s (open loop), {database}"
    steady = by.get("steady")
    if steady is None:
        rows.append(not_measured(name, "<= 50 ms", "steady scenario not run"))
    else:
        p95 = percentile(steady.latencies, 95) * 1000
        rows.append(
            Figure(
                name,
                "<= 50 ms",
                round(p95, 1),
                "ms",
                p95 <= 50,
                f"{steady.updates} updates offered at 100/s; served {steady.updates_per_second:.0f}"
                f"/s; CPU {steady.cpu_ms_per_update:.2f} ms/update",
            )
        )
    name = "flood (500 texts in 10 s) beside 200 onboarding: their throughput"
    flood = by.get("flood")
    if flood is None or "ratio" not in flood.extra:
        rows.append(not_measured(name, ">= 0.9 of without", "flood scenario not run"))
    else:
        ratio = flood.extra["ratio"]
        rows.append(
            Figure(
                name,
                ">= 0.9 of without",
                ratio,
                "",
                ratio >= 0.9,
                f"{flood.extra['updates_per_second_beside_flood']:.0f} vs"
                f" {flood.extra['updates_per_second_without_flood']:.0f} updates/s",
            )
        )
    memory = by.get("memory")
    if memory is None:  # the default run: hromada's RSS half-way and at the end
        memory = by.get("hromada")
    name = "bot RSS after the memory scenario (issue: 50,000 updates, 10,000 people)"
    if memory is None or "rss_end_mib" not in memory.extra:
        rows.append(not_measured(name, "<= 200 MB", "memory scenario not run"))
        rows.append(not_measured("RSS growth, second half", "< 10 %", "memory scenario not run"))
    else:
        end, growth = memory.extra["rss_end_mib"], memory.extra["growth_half_to_end"]
        size = f"{memory.updates:,} updates from {memory.users:,} people"
        rows.append(Figure(name, "<= 200 MB", end * 1.048576, "MB", end * 1.048576 <= 200, size))
        rows.append(
            Figure(
                "RSS growth between half-way and the end",
                "< 10 %",
                round(growth * 100, 1),
                "%",
                growth < 0.10,
                f"{memory.extra['rss_half_mib']} -> {end} MiB ({size})",
            )
        )
    return rows


def render_figures(figures: Sequence[Figure]) -> str:
    rows = [("figure", "value", "target", "met", "note")]
    for f in figures:
        met = "n/a" if f.met is None else ("yes" if f.met else "NO")
        rows.append((f.name, f.shown(), f.target, met, f.note))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for n, row in enumerate(rows):
        cells = [cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True)]
        lines.append("  ".join([*cells, row[4]]).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
