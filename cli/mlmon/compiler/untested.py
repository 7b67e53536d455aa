"""``models[].untested_alerts``: alert rules of a model that ``mlmon validate`` does not require a
firing rule test for, each with the reason. Lint lists every one (MLM214, a warning), and
generate writes them to ``prometheus/tests/untested-alerts.yml``, which validate's coverage check
reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mlmon.compiler.dsl import array, obj, string, string_map

KEY = "untested_alerts"
FILE = "prometheus/tests/untested-alerts.yml"  # relative to the output folder
ALERT_NAME_PATTERN = r"^[a-zA-Z_][a-zA-Z0-9_]*$"
CODE = "MLM214"


@dataclass(frozen=True)
class UntestedAlert:
    alert: str
    reason: str
    labels: Mapping[str, str] = field(default_factory=dict)  # picks some rules of the alert; empty: all


def fragment() -> dict[str, Any]:
    item = obj(
        {
            "alert": string("alert name, e.g. MLModelDriftCritical", pattern=ALERT_NAME_PATTERN),
            "labels": string_map("static labels of the rules meant (e.g. {burn_window: 3d/6h}); default: every rule of the alert"),
            "reason": string("why no generated rule test can make it fire", minLength=1),
        },
        ("alert", "reason"),
        "An alert exempted from the firing coverage of `mlmon validate`",
    )
    return array(item, "alert rules of this model that need no firing rule test (`mlmon validate` fails otherwise); lint lists them")


def compile_untested(raw: Sequence[Mapping[str, Any]] | None) -> tuple[UntestedAlert, ...]:
    return tuple(UntestedAlert(e["alert"], e["reason"], dict(sorted((e.get("labels") or {}).items()))) for e in raw or ())


def describe(u: UntestedAlert) -> str:
    labels = "".join(f",{k}={v}" for k, v in u.labels.items())
    return f"{u.alert}{{{labels[1:]}}}" if labels else u.alert


def file_data(models: Sequence[Any]) -> dict[str, Any] | None:
    """The exemptions of every model (None when there are none): the rule file each applies to,
    the alert, the static labels that must match and the reason."""
    from mlmon.render.prometheus import RULES_DIR

    entries = []
    for m in models:
        for u in m.untested_alerts:
            entries.append(
                {
                    "model": m.id,
                    "rule_files": f"{RULES_DIR.removeprefix('prometheus/')}/{m.id}.*.rules.yml",
                    "alert": u.alert,
                    "labels": {"model": m.id, **u.labels},
                    "reason": u.reason,
                    "source": m.origin.file,
                }
            )
    return {"untested_alerts": entries} if entries else None
