"""Parse, schema and semantic checks: every problem, at its file:line:col, with a stable code."""

from mlmon import pipeline
from mlmon.diagnostics import Severity, format_json, format_text
from tests.helpers.specs import MINIMAL, ROUTING, spec


def check(text, name="s.yaml"):
    return pipeline.check({name: text})


def codes(diags):
    return [(d.line, d.col, d.code) for d in diags]


def test_minimal_spec_compiles_with_default_slos():
    s, diags = check(MINIMAL)
    assert diags == []
    m = s.model("fraud-detector")
    assert [x.name for x in m.section("slos")] == ["availability", "latency"]
    assert m.serving.scrape_interval == 30.0


def test_yaml_syntax_error_has_position():
    s, diags = check("apiVersion: mlmon/v1\nkind: [unclosed\n")
    assert s is None
    assert len(diags) == 1
    d = diags[0]
    assert d.code == "MLM002" and d.file == "s.yaml" and d.line >= 2
    assert "YAML syntax error" in d.message


def test_empty_file():
    s, diags = check("")
    assert s is None and [d.code for d in diags] == ["MLM102"]
    assert "empty" in diags[0].message


def test_not_a_mapping():
    s, diags = check("- 1\n- 2\n")
    assert s is None and diags[0].code == "MLM103"


def test_missing_fields_and_wrong_types_reported_at_once():
    text = spec("  - id: fraud-detector\n    team: risk-ml\n    slos:\n      - {name: a, objective: high, sli: {kind: availability}}\n  - team: risk-ml\n")
    s, diags = check(text)
    assert s is None
    got = {(d.code, d.line) for d in diags}
    lines = text.splitlines()
    obj_line = next(i for i, line in enumerate(lines, 1) if "objective: high" in line)
    second = next(i for i, line in enumerate(lines, 1) if line.startswith("  - team"))
    assert ("MLM103", obj_line) in got  # objective: expected a number
    assert ("MLM102", second) in got  # models[1]: missing id
    msg = next(d.message for d in diags if d.code == "MLM103")
    assert msg == "models[0].slos[0].objective: expected a number, got a string"


def test_unknown_field_points_at_key_with_suggestion():
    text = MINIMAL.replace("serving:", "servng:")
    s, diags = check(text)
    d = next(d for d in diags if d.code == "MLM101")
    line = next(i for i, text_line in enumerate(text.splitlines(), 1) if "servng" in text_line)
    assert (d.line, d.col) == (line, 5)
    assert d.message == "models[0]: unknown field 'servng'"
    assert d.hint == "did you mean 'serving'?"


def test_duplicate_ids_across_files():
    a = MINIMAL
    b = spec("  - id: fraud-detector\n    team: risk-ml\n", routing="", name="other")
    s, diags = pipeline.check({"a.yaml": a, "b.yaml": b})
    d = [x for x in diags if x.code == "MLM201"]
    assert len(d) == 1 and d[0].file == "b.yaml" and (d[0].line, d[0].col) == (5, 9)
    assert "first defined at a.yaml:" in d[0].message


def test_duplicate_yaml_key():
    s, diags = check(MINIMAL + "metadata: {name: again}\n")
    assert any(d.code == "MLM003" and "duplicate key 'metadata'" in d.message for d in diags)


def test_unknown_team_with_hint():
    s, diags = check(spec("  - id: m\n    team: risk-m1\n"))
    d = next(d for d in diags if d.code == "MLM202")
    assert d.message == "models[0].team: unknown team 'risk-m1'" and d.hint == "did you mean 'risk-ml'?"
    assert (d.line, d.col) == (13, 11)


def test_invalid_duration():
    s, diags = check(spec("  - id: m\n    team: risk-ml\n    serving: {scrape_interval: 5x}\n"))
    d = next(d for d in diags if d.code == "MLM203")
    assert "invalid duration '5x'" in d.message and d.hint


def test_objective_out_of_range_and_ratio_confusion():
    s, diags = check(
        spec(
            "  - id: m\n    team: risk-ml\n    slos:\n      - {name: a, objective: 100, sli: {kind: availability}}\n      - {name: b, objective: 0.999, sli: {kind: availability}}\n"
        )
    )
    assert any(d.code == "MLM104" and "objective: must be less than 100" in d.message for d in diags)
    s, diags = check(spec("  - id: m\n    team: risk-ml\n    slos:\n      - {name: b, objective: 0.999, sli: {kind: availability}}\n"))
    d = next(d for d in diags if d.code == "MLM204")
    assert "percentage" in d.message and "99.9" in d.hint


def test_dead_burn_tier_has_hint():
    s, diags = check(spec("  - id: m\n    team: risk-ml\n    slos:\n      - {name: acc, objective: 90, sli: {kind: availability}}\n"))
    dead = [d for d in diags if d.code == "MLM206"]
    # 14.4x and 6x need ratios 1.44 and 0.6: only the 14.4x tier is dead at 90%
    assert len(dead) == 1
    assert "1h/5m at 14.4x can never fire" in dead[0].message
    assert "raise the objective above 93.06%" in dead[0].hint and "alerting.page: false" in dead[0].hint
    s, diags = check(spec("  - id: m\n    team: risk-ml\n    slos:\n      - {name: acc, objective: 90, sli: {kind: availability}, alerting: {page: false}}\n"))
    assert not [d for d in diags if d.code == "MLM206"]


def test_window_shorter_than_four_scrapes():
    s, diags = check(
        spec(
            "  - id: m\n    team: risk-ml\n    serving: {scrape_interval: 1m}\n    slos:\n      - {name: a, objective: 99, period: 7d, sli: {kind: availability}}\n"
        )
    )
    d = next(d for d in diags if d.code == "MLM207")
    assert "alert window 1m" in d.message and "4x the scrape interval (4m)" in d.message


def test_custom_promql_must_parse_and_have_window():
    sli = "{kind: ratio, good: 'sum(rate(good_total[{{window}}])', total: 'sum(rate(all_total[5m]))'}"
    s, diags = check(spec(f"  - id: m\n    team: risk-ml\n    slos:\n      - {{name: r, objective: 99, sli: {sli}}}\n"))
    msgs = sorted(d.message for d in diags if d.code == "MLM205")
    assert len(msgs) == 2
    assert "good query does not parse" in msgs[0]
    assert "total query has no {{window}} placeholder" in msgs[1]


def test_inline_secret_is_an_error():
    routing = ROUTING.replace("api_url_file: /etc/alertmanager/secrets/slack-recsys", "api_url: https://hooks.slack.com/services/T000/B000/XXXX")
    s, diags = check(spec("  - id: m\n    team: recsys\n", routing=routing))
    sec = [d for d in diags if d.code == "MLM208"]
    assert sec and all(d.severity == Severity.ERROR for d in sec)
    assert "inline secret" in sec[0].message
    assert "api_url_file" in (sec[0].hint or "")
    assert not any("hooks.slack.com" in d.message for d in diags), "the secret must not be echoed"


def test_secret_looking_value_anywhere():
    s, diags = check(MINIMAL.replace("payments-ml}", "payments-ml, description: 'xoxb-123456789012-abcdefghij'}"))
    assert any(d.code == "MLM208" for d in diags)


def test_team_without_receiver():
    routing = "routing:\n  teams:\n    lonely: {}\n"
    s, diags = check(spec("  - id: m\n    team: lonely\n", routing=routing))
    assert any(d.code == "MLM209" for d in diags)


def test_alias_bomb_is_rejected_quickly():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    prev = "a"
    for i in range(1, 9):
        name = chr(ord("a") + i)
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
        prev = name
    s, diags = check(bomb)
    assert s is None
    assert any(d.code == "MLM003" and "alias expansion" in d.message for d in diags)


def test_binary_and_huge_files():
    s, diags = pipeline.check({"bin.yaml": b"\x7fELF\x00\x01\x02"})
    assert diags[0].code == "MLM001" and "binary" in diags[0].message
    s, diags = pipeline.check({"big.yaml": b"# x\n" * (3 * 1024 * 1024)})
    assert diags[0].code == "MLM001" and "limited to 4 MiB" in diags[0].message
    s, diags = pipeline.check({"latin.yaml": "name: caf\xe9\n".encode("latin-1")})
    assert diags[0].code == "MLM005" and "UTF-8" in diags[0].message


def test_reserved_labels_cannot_be_overridden():
    s, diags = check(spec("  - id: m\n    team: risk-ml\n    labels: {severity: low, tier: gold}\n"))
    assert [d.code for d in diags] == ["MLM220"]


def test_formatting_text_and_json():
    s, diags = check(spec("  - id: m\n    team: nobody\n"))
    text = format_text(diags)
    assert text.startswith("s.yaml:13:11: error: models[0].team: unknown team 'nobody' [MLM202]\n")
    js = format_json(diags)
    assert '"code": "MLM202"' in js and '"error": 1' in js and js.endswith("\n")


def test_cross_section_opencost_needs_the_exporter():
    s, diags = check(spec("  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n    cost: {source: opencost, monthly_budget_usd: 100}\n"))
    d = [x for x in diags if x.code == "MLM212"]
    assert len(d) == 1 and d[0].message == "models[0].cost.source: opencost needs the OpenCost exporter"
    ok = spec(
        "  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n    infra: {exporters: [opencost], namespace: ml, pod: 'm-.*'}\n"
        "    cost: {source: opencost, monthly_budget_usd: 100}\n"
    )
    s, diags = check(ok)
    assert not [x for x in diags if x.code == "MLM212"], diags
