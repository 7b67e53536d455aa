"""What a generated rule test file costs promtool, estimated without running it.

At every step of every case, promtool evaluates every rule of the loaded files: it formats each
expression back to text, parses it again, evaluates it and expands the annotations of pending or
firing alerts; how many samples a range reads barely matters, but loading the input series costs
per sample. So a file costs about a start-up, per step a fixed part per rule and a part per
character of expression, and a part per input sample. The coefficients were fitted (least
squares on the relative error) to the CPU of the files generated from ``specs/``, measured two at
a time as ``mlmon validate`` runs them, with its Go settings, on a host whose loop
(``bench/run.py``'s host line) took 1.2 ms: estimate / measurement from 0.42 to 1.46 per file,
median 0.96. ``cpu_bench`` prints estimate against measurement; ``tests/unit/test_rule_test_budget.py``
holds every generated file under the per-file target.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "cli"))
from mlmon.compiler.units import parse_duration as seconds  # noqa: E402

START_S = 0.044  # promtool start-up and file loading
PER_RULE_STEP_S = 25.2e-6  # one rule at one step
PER_CHAR_STEP_S = 0.53e-6  # one character of expression at one step
PER_INPUT_SAMPLE_S = 0.74e-6  # one sample of an input series

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Cost:
    file: str
    steps: int  # evaluations over all cases
    rules: int  # rules loaded
    chars: int  # characters of their expressions
    samples: int  # input samples over all cases
    estimate_s: float


def input_samples(values: str) -> int:
    """Samples of a promtool ``values`` notation: ``a+bxn`` (or ``axn``) is n + 1, anything else one."""
    n = 0
    for part in str(values).split():
        m = re.search(r"x(\d+)$", part)
        n += int(m.group(1)) + 1 if m else 1
    return n


def estimate(test_file: Path) -> Cost:
    data = yaml.load(test_file.read_text(encoding="utf-8"), Loader=_LOADER)
    every = seconds(data.get("evaluation_interval", "1m"))
    exprs = []
    for rel in data["rule_files"]:
        rules = yaml.load((test_file.parent / rel).read_text(encoding="utf-8"), Loader=_LOADER)
        exprs += [r["expr"] for g in rules["groups"] for r in g["rules"]]
    steps = samples = 0
    for case in data["tests"]:
        times = [seconds(c["eval_time"]) for key in ("alert_rule_test", "promql_expr_test") for c in case.get(key) or ()]
        steps += int(max(times, default=0) // every) + 1
        samples += sum(input_samples(s["values"]) for s in case.get("input_series") or ())
    chars = sum(len(e) for e in exprs)
    cost = START_S + steps * (len(exprs) * PER_RULE_STEP_S + chars * PER_CHAR_STEP_S) + samples * PER_INPUT_SAMPLE_S
    return Cost(test_file.name, steps, len(exprs), chars, samples, cost)
