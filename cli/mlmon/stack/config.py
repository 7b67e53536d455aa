"""Local copies of the generated configuration: what a stack on 127.0.0.1 must change.

- ``prometheus.yml``: rule files from ``mlmon/rules/`` next to it, laid out as `mlmon apply`
  manages them (``lay_out_rules``), Alertmanager at the local one, and each model's scrape job at
  its demo service;
- ``alertmanager.yml``: Slack ``api_url_file`` and PagerDuty ``routing_key_file``/``service_key_file``
  point at files in ``<state>/secrets`` (the sink's URL and a dummy key), PagerDuty gets a ``url``
  on the sink, the retraining webhook's ``url`` is the sink; grouping waits are shortened
  (``group_wait`` 1s, ``group_interval`` 5s) and business-hours muting is dropped so tickets show
  up at any hour.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path

from mlmon.stack.processes import HOST
from mlmon.stack.sink import Sink

LOCAL_GROUP_WAIT = "1s"
LOCAL_GROUP_INTERVAL = "5s"
LOCAL_REPEAT_INTERVAL = "1h"
DUMMY_KEY = "mlmon-local-stack-dummy-key"


def local_alertmanager_config(data: dict, sink: Sink, secrets_dir: Path) -> dict:
    """Point every receiver at the sink (through files in ``secrets_dir``); short grouping waits."""
    cfg = json.loads(json.dumps(data))  # deep copy of plain data
    secrets_dir.mkdir(parents=True, exist_ok=True)

    def secret(name: str, text: str) -> str:
        p = secrets_dir / name
        p.write_text(text + "\n", encoding="utf-8")
        p.chmod(0o600)
        return str(p)

    for rec in cfg.get("receivers", []) or []:
        name = rec.get("name", "default")
        for sc in rec.get("slack_configs", []) or []:
            sc.pop("api_url", None)
            sc["api_url_file"] = secret(f"slack-{name}", sink.url("slack", name))
        for pd in rec.get("pagerduty_configs", []) or []:
            if "service_key_file" in pd or "service_key" in pd:
                pd.pop("service_key", None)
                pd["service_key_file"] = secret(f"pagerduty-{name}", DUMMY_KEY)
            else:
                pd.pop("routing_key", None)
                pd["routing_key_file"] = secret(f"pagerduty-{name}", DUMMY_KEY)
            pd["url"] = sink.url("pagerduty", name)
        for wh in rec.get("webhook_configs", []) or []:
            wh.pop("url_file", None)
            wh["url"] = sink.url("webhook", name)
        # channels the local sink does not speak: drop them rather than send anywhere real
        for key in [k for k in rec if k.endswith("_configs") and k not in ("slack_configs", "pagerduty_configs", "webhook_configs")]:
            rec.pop(key)
    glob = cfg.setdefault("global", {})
    for key in [k for k in glob if k in ("slack_api_url", "slack_api_url_file", "pagerduty_url", "smtp_smarthost")]:
        glob.pop(key)

    def walk(route: dict, root: bool) -> None:
        if root or "group_wait" in route:
            route["group_wait"] = LOCAL_GROUP_WAIT
        if root or "group_interval" in route:
            route["group_interval"] = LOCAL_GROUP_INTERVAL
        if root:
            route["repeat_interval"] = LOCAL_REPEAT_INTERVAL
        route.pop("active_time_intervals", None)
        route.pop("mute_time_intervals", None)
        for child in route.get("routes", []) or []:
            walk(child, False)

    if isinstance(cfg.get("route"), dict):
        walk(cfg["route"], True)
    cfg.pop("time_intervals", None)
    cfg.pop("mute_time_intervals", None)
    return cfg


def local_prometheus_config(
    data: dict,
    rules_dir: Path,
    alertmanager_port: int,
    targets: Mapping[str, str],
    teams: Mapping[str, str] | None = None,
    scrape_interval: str | None = None,
    evaluation_interval: str | None = None,
) -> dict:
    """Rules from ``rules_dir``, the local Alertmanager, model jobs scraping ``targets[model]``."""
    cfg = json.loads(json.dumps(data))
    cfg["rule_files"] = [str(rules_dir / "*.rules.yml")]
    cfg["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [f"{HOST}:{alertmanager_port}"]}]}]}
    glob = cfg.setdefault("global", {})
    if scrape_interval:
        glob["scrape_interval"] = scrape_interval
    if evaluation_interval:
        glob["evaluation_interval"] = evaluation_interval
    jobs = cfg.setdefault("scrape_configs", []) or []
    cfg["scrape_configs"] = jobs
    by_name = {j.get("job_name"): j for j in jobs}
    for model, addr in sorted(targets.items()):
        job = by_name.get(f"mlmon-{model}")
        if job is None:
            static = {"mlmon_model": model, **({"team": teams[model]} if teams and model in teams else {})}
            job = {"job_name": f"mlmon-{model}", "metrics_path": "/metrics", "scheme": "http", "static_configs": [{"targets": [], "labels": static}]}
            jobs.append(job)
        if scrape_interval:
            job["scrape_interval"] = scrape_interval
        labels: dict[str, str] = {}
        for sc in job.get("static_configs") or []:
            labels.update(sc.get("labels") or {})
        job["static_configs"] = [{"targets": [addr], "labels": labels} if labels else {"targets": [addr]}]
    return cfg


def write_local(
    state: Path,
    files: Mapping[str, str],
    sink: Sink,
    alertmanager_port: int,
    models: Mapping[str, tuple[str, str]],
    scrape_interval: str | None = None,
    evaluation_interval: str | None = None,
) -> None:
    """The generated tree under ``<state>/generated`` (as ``mlmon generate`` writes it) and the local
    copies under ``<state>/local``; ``models``: id -> (address of its demo service, team)."""
    import yaml

    from mlmon.render import alertmanager, emit, prometheus

    gen = state / "generated"
    if gen.exists():
        shutil.rmtree(gen)
    for rel, text in sorted(files.items()):
        p = gen / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    local = state / "local"
    local.mkdir(parents=True, exist_ok=True)
    am = yaml.safe_load(files.get(alertmanager.CONFIG, "") or "{}") or {}
    am_local = local_alertmanager_config(am, sink, local / "secrets")
    header = "# mlmon up: local Alertmanager configuration (receivers point at the sink)"
    (local / "alertmanager.yml").write_text(emit.to_yaml(am_local, header), encoding="utf-8")
    prom = yaml.safe_load(files.get(prometheus.CONFIG, "") or "{}") or {}
    targets = {m: addr for m, (addr, _) in models.items()}
    teams = {m: team for m, (_, team) in models.items()}
    rules = lay_out_rules(local, gen / prometheus.RULES_DIR)
    prom_local = local_prometheus_config(prom, rules, alertmanager_port, targets, teams, scrape_interval, evaluation_interval)
    (local / "prometheus.yml").write_text(emit.to_yaml(prom_local, "# mlmon up: local Prometheus configuration"), encoding="utf-8")


def lay_out_rules(config_dir: Path, generated_rules: Path) -> Path:
    """The generated rule files laid out as `mlmon apply` manages them next to ``prometheus.yml``
    (``mlmon/rules`` -> a rule-set folder named by its hash), so `mlmon apply --context local`
    finds mlmon's own rule set; returns the ``rule_files`` folder, relative to ``config_dir``."""
    from mlmon.remote.prometheus.ruledir import OWNED_DIR, RULES_LINK, RuleDir, read_files

    owned = config_dir / OWNED_DIR
    owned.mkdir(parents=True, exist_ok=True)
    rules = RuleDir(owned)
    version = rules.write_version(read_files(generated_rules))
    rules.point_to(version)
    rules.cleanup({version})
    return Path(OWNED_DIR) / RULES_LINK
