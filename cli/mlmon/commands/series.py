"""`mlmon series`: the estimated series count per model (scraped + recorded, by monitor) and in
total, against ``storage.series_budget`` when the spec sets one (``mlmon.scale.series``)."""

from __future__ import annotations

import json
import sys

from mlmon import ExitCode
from mlmon.commands._common import check_format, load, print_diagnostics


def run(opts) -> int:
    bad = check_format(opts.format)
    if bad is not None:
        return bad
    spec, diags, usage = load(opts.paths, None, getattr(opts, "allow_outside_refs", False), budget=False)
    if usage:
        print_diagnostics(diags, opts.format)
        return ExitCode.USAGE
    if spec is None:
        print_diagnostics(diags, opts.format)
        return ExitCode.FINDINGS
    from mlmon import pipeline
    from mlmon.scale.checks import budget as over_budget

    estimates = pipeline.series_estimates(spec, opts.versions)
    over = over_budget(spec, estimates, {})
    total = sum(e.total for e in estimates)
    budget = spec.storage.budget if spec.storage is not None else None
    if opts.format == "json":
        doc = {
            "versions": opts.versions,
            "models": [
                {"model": e.model, "scraped": e.scraped, "recorded": dict(sorted(e.recorded.items())), "total": e.total, "notes": list(e.notes)}
                for e in estimates
            ],
            "total": total,
            "budget": {"total": budget.total, "per_model": budget.per_model} if budget is not None else None,
            "over_budget": [d.to_dict() for d in over],
        }
        sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    else:
        width = max([len(e.model) for e in estimates] + [5])
        sys.stdout.write(f"{'model':<{width}}  {'scraped':>8}  {'recorded':>8}  {'total':>8}  recorded by monitor\n")
        for e in estimates:
            parts = ", ".join(f"{k} {v}" for k, v in e.recorded.items())
            sys.stdout.write(f"{e.model:<{width}}  {e.scraped:>8}  {sum(e.recorded.values()):>8}  {e.total:>8}  {parts}\n")
            for note in e.notes:
                sys.stdout.write(f"{'':<{width}}  note: {note}\n")
        limit = f" (budget {budget.total})" if budget is not None and budget.total else ""
        sys.stdout.write(f"{'total':<{width}}  {'':>8}  {'':>8}  {total:>8}{limit}\n")
        sys.stderr.write(
            f"mlmon series: estimated for {opts.versions} version(s) per model; scraped = mlmon's drift counters plus the 5 series "
            "Prometheus adds per target (what a serving framework exports besides is not counted)\n"
        )
        print_diagnostics(over, opts.format)
    return ExitCode.FINDINGS if over else ExitCode.OK
