"""``python -m mlmon.demo``: run the demo model service (see ``mlmon.demo``)."""

from __future__ import annotations

import argparse
import sys

from mlmon.compiler.units import parse_duration
from mlmon.demo.service import MODES, Settings, serve


def _seconds(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mlmon.demo", description="Demo model service emitting the mlmon metric contract (127.0.0.1 only).")
    ap.add_argument("--model-id", default="demo", help="model id (label `model`; must match the spec)")
    ap.add_argument("--version", default="v1")
    ap.add_argument("--stage", default="production")
    ap.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0: any free port)")
    ap.add_argument("--rate", type=float, default=20.0, help="self-generated requests per second (0: none)")
    ap.add_argument("--mode", choices=MODES, default="healthy")
    ap.add_argument("--label-delay", type=_seconds, default=5.0, help="delay until ground truth arrives (e.g. 5s)")
    ap.add_argument("--feedback-share", type=float, default=0.3)
    ap.add_argument("--error-share", type=float, default=0.5, help="share of failing requests in `errors` mode")
    ap.add_argument("--baseline", default=None, help="baseline YAML (from `mlmon baseline`) for the drift counters")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--write-training-csv", metavar="FILE", help="write the training data as CSV and exit")
    a = ap.parse_args(argv)
    if a.write_training_csv:
        return write_training_csv(a.write_training_csv, a.seed)
    s = Settings(
        model_id=a.model_id,
        version=a.version,
        stage=a.stage,
        port=a.port,
        rate=a.rate,
        mode=a.mode,
        label_delay=a.label_delay,
        feedback_share=a.feedback_share,
        error_share=a.error_share,
        baseline=a.baseline,
        seed=a.seed,
    )
    return serve(s)


def write_training_csv(path: str, seed: int = 7) -> int:
    from mlmon.demo import data
    from mlmon.demo.model import train

    rows = data.dataset(1500, seed)
    model = train(rows)
    text = data.to_csv(rows, [model.predict_proba(x) for x, _ in rows])
    if path == "-":
        sys.stdout.write(text)
    else:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
