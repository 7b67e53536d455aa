"""What a local stack runs: the compiled spec with local settings, rendered exactly as ``mlmon
generate`` renders it. The spec's own settings say where everything goes, so no generated file is
edited afterwards:

- ``alerting.alertmanagers``: the local Alertmanager;
- each model's ``serving.targets``: its demo service (and the scrape and evaluation intervals, when
  the stack is given them);
- every team's Slack ``api_url_file`` and PagerDuty ``routing_key_file``/``service_key_file``:
  files in ``<state>/secrets`` holding the sink's URL and a dummy key; the PagerDuty ``url`` and the
  retraining ``url``: the sink;
- ``routing.grouping`` and each retraining route: short waits (``group_wait`` 1s,
  ``group_interval`` 5s); no business hours, so tickets show up at any hour.

``generated/`` is never touched: the spec's own output goes to ``<state>/generated`` (to read),
the local one to ``<state>/local`` (what Prometheus and Alertmanager load).

Prometheus loads its rules from ``mlmon/rules/`` next to its ``prometheus.yml``, laid out as
`mlmon apply` manages them (``lay_out_rules``), so `mlmon apply --context local` finds mlmon's own
rule set.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlmon.compiler import model as M
from mlmon.compiler.units import parse_duration
from mlmon.stack.processes import HOST
from mlmon.stack.sink import Sink

LOCAL_GROUPING = M.Grouping(group_wait="1s", group_interval="5s", repeat_interval="1h")
LOCAL_GROUP_WAIT = LOCAL_GROUPING.group_wait
LOCAL_GROUP_INTERVAL = LOCAL_GROUPING.group_interval
DUMMY_KEY = "mlmon-local-stack-dummy-key"


def local_spec(
    spec: Any,
    sink: Sink,
    secrets_dir: Path,
    alertmanager_port: int,
    targets: Mapping[str, str],
    scrape_interval: str | None = None,
    evaluation_interval: str | None = None,
) -> Any:
    """``spec`` with the settings of a stack on 127.0.0.1 (see the module docstring);
    ``targets``: model id -> address of its demo service. Writes the secret files."""
    secrets_dir.mkdir(parents=True, exist_ok=True)

    def secret(name: str, text: str) -> str:
        p = secrets_dir / name
        p.write_text(text + "\n", encoding="utf-8")
        p.chmod(0o600)
        return str(p)

    teams = {}
    for name, team in spec.routing.teams.items():
        slack, pd, retr = team.slack, team.pagerduty, team.retraining
        if slack is not None:
            receiver = f"{name}-slack"
            slack = dataclasses.replace(slack, api_url_file=secret(f"slack-{receiver}", sink.url("slack", receiver)))
        if pd is not None:
            receiver = f"{name}-pagerduty"
            key = secret(f"pagerduty-{receiver}", DUMMY_KEY)
            keys = {"service_key_file": key, "routing_key_file": None} if pd.service_key_file else {"routing_key_file": key, "service_key_file": None}
            pd = dataclasses.replace(pd, url=sink.url("pagerduty", receiver), **keys)
        if retr is not None:
            retr = dataclasses.replace(
                retr, url=sink.url("webhook", f"{name}-retraining"), group_wait=LOCAL_GROUPING.group_wait, group_interval=LOCAL_GROUPING.group_interval
            )
        teams[name] = dataclasses.replace(team, slack=slack, pagerduty=pd, retraining=retr)
    routing = dataclasses.replace(spec.routing, teams=teams, business_hours=None, grouping=LOCAL_GROUPING, pagerduty_url=None, slack_api_url_file=None)
    models = []
    for m in spec.models:
        serving = m.serving
        if m.id in targets:
            serving = dataclasses.replace(serving, targets=(targets[m.id],))
        if scrape_interval:
            serving = dataclasses.replace(serving, scrape_interval=parse_duration(scrape_interval))
        evaluation = parse_duration(evaluation_interval) if evaluation_interval else m.evaluation_interval
        models.append(dataclasses.replace(m, serving=serving, evaluation_interval=evaluation))
    alerting = dataclasses.replace(spec.alerting, alertmanagers=(f"{HOST}:{alertmanager_port}",), scheme="http", path_prefix=None)
    return dataclasses.replace(spec, routing=routing, models=tuple(models), alerting=alerting)


def write_tree(root: Path, files: Mapping[str, str]) -> None:
    if root.exists():
        shutil.rmtree(root)
    for rel, text in sorted(files.items()):
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def write_local(
    state: Path,
    spec: Any,
    files: Mapping[str, str],
    sink: Sink,
    alertmanager_port: int,
    targets: Mapping[str, str],
    scrape_interval: str | None = None,
    evaluation_interval: str | None = None,
) -> None:
    """The spec's generated tree (``files``, as ``mlmon generate`` writes it) under
    ``<state>/generated``, and the tree of the local spec under ``<state>/local``."""
    from mlmon import pipeline
    from mlmon.remote.prometheus.ruledir import OWNED_DIR, RULE_FILE_GLOB, RULES_LINK
    from mlmon.render import prometheus

    write_tree(state / "generated", files)
    local = local_spec(spec, sink, state / "secrets", alertmanager_port, targets, scrape_interval, evaluation_interval)
    tree = pipeline.render(local, dashboards=False)
    prefix = prometheus.RULES_DIR + "/"
    rules = {rel[len(prefix) :]: tree.pop(rel).encode() for rel in sorted(tree) if rel.startswith(prefix)}
    tree[prometheus.CONFIG] = prometheus.config_file(local, pipeline.header(list(local.files)), rule_files=f"{OWNED_DIR}/{RULES_LINK}/{RULE_FILE_GLOB}")
    write_tree(state / "local", tree)
    lay_out_rules((state / "local" / prometheus.CONFIG).parent, rules)


def lay_out_rules(config_dir: Path, files: Mapping[str, bytes]) -> Path:
    """The rule files (name -> bytes) laid out as `mlmon apply` manages them next to
    ``prometheus.yml`` (``mlmon/rules`` -> a rule-set folder named by its hash), so `mlmon apply
    --context local` finds mlmon's own rule set; returns the ``rule_files`` folder, relative to
    ``config_dir``."""
    from mlmon.remote.prometheus.ruledir import OWNED_DIR, RULES_LINK, RuleDir

    owned = config_dir / OWNED_DIR
    owned.mkdir(parents=True, exist_ok=True)
    rules = RuleDir(owned)
    version = rules.write_version(dict(files))
    rules.point_to(version)
    rules.cleanup({version})
    return Path(OWNED_DIR) / RULES_LINK
