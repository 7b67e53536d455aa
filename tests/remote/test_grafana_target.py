"""GrafanaTarget against the local contract test server (tests/helpers/grafana_server.py), which
enforces Grafana's upstream OpenAPI spec on every request and response. Grafana itself is not run."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ (for helpers.*)

from helpers.grafana_server import GrafanaTestServer, load_spec_or_skip  # noqa: E402
from mlmon.remote.base import ApplyError, ApplyOptions, RemoteError, TargetConfig  # noqa: E402
from mlmon.remote.grafana import GrafanaTarget, normalise_dashboard  # noqa: E402
from mlmon.remote.grafana.normalise import ownership  # noqa: E402
from mlmon.remote.http import HttpSettings  # noqa: E402

TOKEN = "glsa_TEST_token_do_not_print_1234"
USER_TOKEN = "user-session-token"
# Generous timeouts for ordinary calls (a loaded CI machine must not cause spurious timeouts);
# SHORT only where a test injects a delay longer than the read timeout.
FAST = HttpSettings(connect_timeout=2.0, read_timeout=5.0, retries=2, backoff=0.01)
SHORT = HttpSettings(connect_timeout=2.0, read_timeout=0.5, retries=2, backoff=0.01)
DELAY = 1.2


@pytest.fixture(scope="module")
def spec():
    return load_spec_or_skip()


@pytest.fixture
def srv(spec):
    with GrafanaTestServer(spec, tokens={TOKEN: "Admin", USER_TOKEN: "Editor", "viewer": "Viewer"}) as server:
        yield server
        assert server.violations == [], "mlmon (or the test server) went off the Grafana API contract"


def dash(uid: str, title: str, panels=(("Latency", "histogram_quantile(0.99, x)"),), **extra):
    return {
        "uid": uid,
        "title": title,
        "tags": ["model:" + uid],
        "schemaVersion": 41,
        "editable": True,
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": []},
        "annotations": {"list": []},
        "panels": [
            {"id": i + 1, "type": "timeseries", "title": t, "gridPos": {"h": 8, "w": 12, "x": 0, "y": 8 * i}, "targets": [{"refId": "A", "expr": e}]}
            for i, (t, e) in enumerate(panels)
        ],
        **extra,
    }


def write(gen: Path, *dashboards) -> Path:
    d = gen / "grafana" / "dashboards"
    d.mkdir(parents=True, exist_ok=True)
    for old in d.glob("*.json"):
        old.unlink()
    for x in dashboards:
        (d / f"{x['uid']}.json").write_text(json.dumps(x, indent=2, sort_keys=True) + "\n")
    return gen


def target(srv, tmp_path, token=TOKEN, settings=FAST, **kw):
    return GrafanaTarget(srv.url, state_dir=tmp_path / ".mlmon", settings=settings, env={"MLMON_GRAFANA_TOKEN": token}, **kw)


class Refused(Exception):
    pass


def apply(t, gen, plan=None, **opts):
    """What `mlmon apply` does with one target: plan, pre-flight (refusals: nothing written), apply."""
    plan = t.plan(gen) if plan is None else plan
    refusals = t.preflight(gen, plan, ApplyOptions(**opts))
    if refusals:
        raise Refused("; ".join(refusals))
    return t.apply(gen, plan, ApplyOptions(**opts))


def record(srv, uid):
    return ownership(srv.live(uid))


def user_edit(srv, uid, mutate):
    """What a user saving in the UI does: read, change, save with the version they read."""
    h = {"Authorization": f"Bearer {USER_TOKEN}"}
    got = requests.get(f"{srv.url}/api/dashboards/uid/{uid}", headers=h, timeout=5).json()
    d = got["dashboard"]
    mutate(d)
    r = requests.post(
        f"{srv.url}/api/dashboards/db", headers=h, timeout=5, json={"dashboard": d, "folderUid": got["meta"]["folderUid"], "overwrite": False, "message": "ui"}
    )
    assert r.status_code == 200, r.text
    return r.json()["version"]


def saves(srv):
    return [r for r in srv.requests if r.method == "POST" and r.path == "/api/dashboards/db"]


def test_first_apply_then_noop(srv, tmp_path):
    gen = write(tmp_path / "gen", dash("m-a", "Model A"), dash("m-b", "Model B", panels=(("Rate", "rate(x[5m])"), ("Err", "y"))))
    t = target(srv, tmp_path)
    plan = t.plan(gen)
    assert [(c.kind, c.name, c.action) for c in plan] == [("folder", "mlmon", "add"), ("dashboard", "m-a", "add"), ("dashboard", "m-b", "add")]
    assert [c.action for c in plan[2].children] == ["add", "add"]
    lines = t.apply(gen, plan, ApplyOptions(message="deploy 1"))
    assert any("folder mlmon" in line for line in lines) and sum("verified" in line for line in lines) == 3
    snap = srv.snapshot()
    assert snap["folders"] == [("mlmon", "mlmon")]
    assert snap["dashboards"]["m-a"]["folder"] == "mlmon"
    assert "mlmon" in srv.live("m-a")["tags"]
    assert record(srv, "m-a") == record(srv, "m-b") == "mlmon"  # the record travels with the dashboard
    assert not (tmp_path / ".mlmon" / "state").exists()  # no local state
    assert saves(srv)[0].body["message"] == "deploy 1" and saves(srv)[0].body["overwrite"] is False

    n = len(saves(srv))
    assert t.plan(gen) == []
    assert t.apply(gen, [], ApplyOptions()) == []
    assert len(saves(srv)) == n


def test_change_shows_panel_children_and_bumps_version(srv, tmp_path):
    gen = write(tmp_path / "gen", dash("m-a", "Model A", panels=(("Latency", "a"), ("Errors", "b"))))
    t = target(srv, tmp_path)
    apply(t, gen)
    write(gen, dash("m-a", "Model A", panels=(("Latency p99", "a"), ("Errors", "b"), ("Drift", "c"))))
    plan = t.plan(gen)
    assert [(c.kind, c.action) for c in plan] == [("dashboard", "change")]
    kids = {(c.name, c.action) for c in plan[0].children}
    assert kids == {("m-a/1: Latency p99", "change"), ("m-a/3: Drift", "add")}
    assert "title" in next(c for c in plan[0].children if c.action == "change").detail
    lines = apply(t, gen, plan)
    assert "version 2" in lines[0]
    assert [p["title"] for p in srv.live("m-a")["panels"]] == ["Latency p99", "Errors", "Drift"]
    assert t.plan(gen) == []


def test_server_filled_fields_are_not_changes():
    a = dash("u", "T")
    b = json.loads(json.dumps(a))
    b.update({"id": 42, "version": 7, "iteration": 123456, "tags": list(reversed(b["tags"] + ["mlmon"])) + ["mlmon"]})
    b["panels"][0]["pluginVersion"] = "12.0.0"
    b["panels"][0]["description"] = None
    a["tags"].append("mlmon")
    assert normalise_dashboard(a) == normalise_dashboard(b)


def test_ui_edit_is_detected_and_refused_without_force(srv, tmp_path):
    gen = write(tmp_path / "gen", dash("m-a", "Model A"), dash("m-b", "Model B"))
    t = target(srv, tmp_path)
    apply(t, gen)
    user_edit(srv, "m-a", lambda d: d["panels"][0].update(title="Edited in the UI"))
    write(gen, dash("m-a", "Model A", panels=(("Latency v2", "z"),)), dash("m-b", "Model B", panels=(("Latency v2", "z"),)))
    plan = t.plan(gen)
    by_uid = {c.name: c for c in plan}
    assert "edited outside mlmon" in by_uid["m-a"].detail and "--force" in by_uid["m-a"].detail
    assert "edited" not in by_uid["m-b"].detail
    before = srv.snapshot()
    with pytest.raises(Refused) as err:
        apply(t, gen, plan)
    assert "m-a" in str(err.value) and "--force" in str(err.value) and "m-b" not in str(err.value)
    assert srv.snapshot() == before  # refused before any write, m-b included
    lines = apply(t, gen, plan, force=True)
    assert len(lines) == 2
    assert srv.live("m-a")["panels"][0]["title"] == "Latency v2"
    forced = [r for r in saves(srv) if r.body["dashboard"]["uid"] == "m-a"][-1]
    assert forced.body["overwrite"] is False  # --force overwrites the edit the plan showed, never a newer one
    assert t.plan(gen) == []
    # the forced version is now mlmon's: a later change applies without --force
    write(gen, dash("m-a", "Model A", panels=(("Latency v3", "z"),)), dash("m-b", "Model B", panels=(("Latency v2", "z"),)))
    apply(t, gen)
    assert srv.live("m-a")["panels"][0]["title"] == "Latency v3"


def test_dashboard_without_record_needs_force(srv, tmp_path):
    srv.add_folder("mlmon", "mlmon")
    srv.put_dashboard(dash("m-a", "Model A", tags=["mlmon"]), folder_uid="mlmon")
    gen = write(tmp_path / "gen", dash("m-a", "Model A v2"))
    t = target(srv, tmp_path)
    with pytest.raises(Refused, match="not saved by mlmon"):
        apply(t, gen)
    apply(t, gen, force=True)
    assert srv.live("m-a")["title"] == "Model A v2"


def test_identical_live_dashboard_is_adopted(srv, tmp_path):
    srv.add_folder("mlmon", "mlmon")
    d = dash("m-a", "Model A")
    srv.put_dashboard({**d, "tags": d["tags"] + ["mlmon"]}, folder_uid="mlmon")
    gen = write(tmp_path / "gen", d)
    t = target(srv, tmp_path)
    plan = t.plan(gen)
    assert [(c.name, c.action) for c in plan] == [("m-a", "change")]
    assert "content equals the generated one, not recorded as mlmon's: apply records it" in plan[0].detail
    apply(t, gen, plan)  # no --force: nobody's edit can be lost, the content is the same
    assert t.plan(gen) == [] and record(srv, "m-a") == "mlmon"
    write(gen, dash("m-a", "Model A", panels=(("New", "n"),)))
    apply(t, gen)  # no --force needed: the dashboard carries mlmon's record now
    assert srv.live("m-a")["panels"][0]["title"] == "New"


def someone_saves(uids, title):
    """A hook: when mlmon's save of the last of ``uids`` arrives, someone saves all of them in the UI first."""

    def hook(server, req):
        if req.method == "POST" and req.path == "/api/dashboards/db" and req.body["dashboard"]["uid"] == uids[-1] and not server.hooks_fired:
            server.hooks_fired = True
            for uid in uids:
                server._save({"dashboard": {**server.live(uid), "title": title + " " + uid}, "folderUid": "mlmon", "overwrite": True})

    return hook


def test_concurrent_save_412_keeps_the_other_edit_and_rolls_back_mlmons(srv, tmp_path):
    gen = write(tmp_path / "gen", dash("m-a", "Model A"), dash("m-b", "Model B"))
    t = target(srv, tmp_path)
    apply(t, gen)
    write(gen, dash("m-a", "Model A", panels=(("A2", "a"),)), dash("m-b", "Model B", panels=(("B2", "b"),)))
    plan = t.plan(gen)
    before = srv.snapshot()
    srv.hooks_fired = False
    srv.hooks.append(someone_saves(["m-b"], "Edited in the UI"))
    with pytest.raises(ApplyError) as err:
        apply(t, gen, plan)
    assert "version-mismatch" in str(err.value) and "changed by someone else" in str(err.value)
    assert err.value.rolled_back is True
    assert srv.snapshot()["dashboards"]["m-a"] == before["dashboards"]["m-a"]  # mlmon's write undone
    assert srv.live("m-b")["title"] == "Edited in the UI m-b"  # the other person's edit is kept, not "restored" over
    assert record(srv, "m-b") == "edited"  # and never recorded as mlmon's
    assert "edited outside mlmon" in {c.name: c for c in t.plan(gen)}["m-b"].detail
    assert len([r for r in saves(srv) if r.body["dashboard"]["uid"] == "m-b"]) == 2  # the apply's save and the UI's; no "restore"


def test_rollback_never_overwrites_a_save_made_after_mlmons(srv, tmp_path):
    """mlmon saved m-a; someone edits m-a (and m-b) before mlmon's m-b save: the rollback leaves m-a
    to them and reports the conflict."""
    gen = write(tmp_path / "gen", dash("m-a", "Model A"), dash("m-b", "Model B"))
    t = target(srv, tmp_path)
    apply(t, gen)
    write(gen, dash("m-a", "Model A", panels=(("A2", "a"),)), dash("m-b", "Model B", panels=(("B2", "b"),)))
    srv.hooks_fired = False
    srv.hooks.append(someone_saves(["m-a", "m-b"], "Edited in the UI"))
    with pytest.raises(ApplyError) as err:
        apply(t, gen)
    assert err.value.rolled_back is False
    assert "conflict: dashboard m-a was saved as version 3 by someone else after mlmon's save" in str(err.value)
    assert srv.live("m-a")["title"] == "Edited in the UI m-a" and srv.live("m-b")["title"] == "Edited in the UI m-b"
    assert record(srv, "m-a") == record(srv, "m-b") == "edited"


def test_name_exists_412_has_a_clear_message(srv, tmp_path):
    srv.add_folder("mlmon", "mlmon")
    srv.put_dashboard({"uid": "someone-else", "title": "Model A"}, folder_uid="mlmon")
    gen = write(tmp_path / "gen", dash("m-a", "Model A"))
    t = target(srv, tmp_path)
    with pytest.raises(ApplyError) as err:
        apply(t, gen)
    assert "name-exists" in str(err.value) and "same title" in str(err.value)
    assert err.value.rolled_back is True
    assert srv.live("m-a") is None and srv.live("someone-else") is not None


def test_bad_token_401_names_server_and_hides_token(srv, tmp_path):
    gen = write(tmp_path / "gen", dash("m-a", "Model A"))
    bad = "wrong-token-value-xyz"
    with pytest.raises(RemoteError) as err:
        target(srv, tmp_path, token=bad).plan(gen)
    msg = str(err.value)
    assert "grafana at " + srv.url in msg and "401" in msg and "MLMON_GRAFANA_TOKEN" in msg
    assert bad not in msg


@pytest.mark.parametrize("folder_exists", [False, True])
def test_viewer_token_403_on_write_is_a_remote_error_and_changes_nothing(srv, tmp_path, folder_exists):
    if folder_exists:
        srv.add_folder("mlmon", "mlmon")
    before = srv.snapshot()
    gen = write(tmp_path / "gen", dash("m-a", "Model A"))
    t = target(srv, tmp_path, token="viewer")
    with pytest.raises(RemoteError) as err:
        apply(t, gen)
    assert "403" in str(err.value) and "grafana at" in str(err.value) and "MLMON_GRAFANA_TOKEN" in str(err.value)
    assert srv.snapshot() == before


def test_ownership_untagged_and_foreign_dashboards_are_never_touched(srv, tmp_path):
    srv.add_folder("mlmon", "mlmon")
    srv.add_folder("team", "Team")
    srv.put_dashboard({"uid": "hand-made", "title": "Hand made"}, folder_uid="mlmon")  # no mlmon tag
    srv.put_dashboard({"uid": "m-x", "title": "Elsewhere", "tags": ["mlmon"]}, folder_uid="team")
    gen = write(tmp_path / "gen", dash("m-a", "Model A"), dash("m-x", "Model X"))
    t = target(srv, tmp_path)
    plan = t.plan(gen)
    by = {c.name: c for c in plan}
    assert "hand-made" not in by
    assert by["m-x"].detail.startswith("conflict") and "team" in by["m-x"].detail
    before = srv.snapshot()
    with pytest.raises(Refused, match="conflict"):
        apply(t, gen, plan, force=True)
    assert srv.snapshot() == before


def test_removed_dashboard_is_deleted_only_when_owned(srv, tmp_path):
    gen = write(tmp_path / "gen", dash("m-a", "Model A"), dash("m-b", "Model B"))
    t = target(srv, tmp_path)
    apply(t, gen)
    srv.put_dashboard({"uid": "hand-made", "title": "Hand made"}, folder_uid="mlmon")
    write(gen, dash("m-a", "Model A"))
    plan = t.plan(gen)
    assert [(c.name, c.action) for c in plan] == [("m-b", "remove")]
    apply(t, gen, plan)
    assert srv.live("m-b") is None and srv.live("hand-made") is not None and srv.live("m-a") is not None


def test_missing_generated_dir_is_an_error_not_a_delete_everything(srv, tmp_path):
    with pytest.raises(RemoteError, match="mlmon generate"):
        target(srv, tmp_path).plan(tmp_path / "nowhere")


def test_plan_made_stale_by_a_later_edit_is_refused(srv, tmp_path):
    gen = write(tmp_path / "gen", dash("m-a", "Model A"))
    t = target(srv, tmp_path)
    apply(t, gen)
    write(gen, dash("m-a", "Model A", panels=(("New", "n"),)))
    plan = t.plan(gen)
    user_edit(srv, "m-a", lambda d: d.update(title="Renamed"))
    with pytest.raises(Refused, match="changed since the plan"):
        apply(t, gen, plan, force=True)


def test_rollback_after_mid_apply_500(srv, tmp_path):
    gen = write(tmp_path / "gen", dash("m-a", "Model A"), dash("m-c", "Model C"))
    t = target(srv, tmp_path)
    apply(t, gen)
    write(gen, dash("m-a", "Model A", panels=(("A2", "a"),)), dash("m-b", "Model B"), dash("m-d", "Model D"))
    plan = t.plan(gen)
    assert sorted((c.name, c.action) for c in plan) == [("m-a", "change"), ("m-b", "add"), ("m-c", "remove"), ("m-d", "add")]
    before = srv.snapshot()
    srv.add_fault("status", method="POST", path="/api/dashboards/db", nth=3, status=500)  # m-d (after m-a, m-b)
    with pytest.raises(ApplyError) as err:
        apply(t, gen, plan)
    assert err.value.rolled_back is True and "500" in str(err.value)
    assert srv.snapshot() == before
    # state still matches the server: the next apply needs no --force
    srv.faults.clear()
    apply(t, gen)
    assert t.plan(gen) == []


def test_rollback_on_first_apply_removes_the_folder_it_created(srv, tmp_path):
    gen = write(tmp_path / "gen", dash("m-a", "Model A"), dash("m-b", "Model B"))
    srv.add_fault("status", method="POST", path="/api/dashboards/db", nth=2, status=500)
    with pytest.raises(ApplyError) as err:
        apply(target(srv, tmp_path), gen)
    assert err.value.rolled_back is True
    assert srv.snapshot() == {"folders": [], "dashboards": {}}


def test_slow_reads_are_retried(srv, tmp_path):
    gen = write(tmp_path / "gen", dash("m-a", "Model A"))
    srv.add_fault("delay", method="GET", path="/api/health", seconds=DELAY)
    srv.add_fault("drop", method="GET", path="/api/folders/")
    assert [c.action for c in target(srv, tmp_path, settings=SHORT).plan(gen)] == ["add", "add"]
    assert len([r for r in srv.requests if r.path == "/api/health"]) == 2


def test_reads_that_keep_failing_are_a_remote_error(srv, tmp_path):
    gen = write(tmp_path / "gen", dash("m-a", "Model A"))
    srv.add_fault("status", method="GET", path="/api/health", status=503, times=10)
    with pytest.raises(RemoteError) as err:
        target(srv, tmp_path).plan(gen)
    assert "grafana at" in str(err.value) and "health" in str(err.value)


@pytest.mark.parametrize(
    "fault,expected",
    [
        (dict(action="delay", phase="after", seconds=DELAY), "new"),  # saved, answer too late: read back, verified
        (dict(action="delay", phase="before", seconds=DELAY), "old"),  # lands after mlmon gave up: fenced, 412
        (dict(action="drop", phase="after"), "new"),  # saved, connection dropped
        (dict(action="drop", phase="before"), "old"),  # never saved
        (dict(action="status", phase="after", status=500), "new"),  # saved, then an error answer
        (dict(action="status", phase="before", status=502), "old"),
    ],
    ids=["late-answer", "slow-save", "drop-after-save", "drop-before-save", "500-after-save", "502"],
)
@pytest.mark.parametrize("nth", [1, 2])
def test_lost_or_failed_save_ends_in_old_or_new_state(srv, tmp_path, fault, expected, nth):
    gen = write(tmp_path / "gen", dash("m-a", "Model A"), dash("m-b", "Model B"))
    t = target(srv, tmp_path, settings=SHORT if fault["action"] == "delay" else FAST)
    apply(t, gen)
    old = srv.snapshot()
    write(gen, dash("m-a", "Model A", panels=(("A2", "a"),)), dash("m-b", "Model B", panels=(("B2", "b"),)), dash("m-c", "C"))
    plan = t.plan(gen)
    srv.add_fault(method="POST", path="/api/dashboards/db", nth=nth, **fault)
    if expected == "new":
        apply(t, gen, plan)
    else:
        with pytest.raises(ApplyError) as err:
            apply(t, gen, plan)
        assert err.value.rolled_back is True
    if fault.get("phase") == "before" and fault["action"] == "delay":
        while any(f.fired and not f.done for f in srv.faults):  # wait for the late save to be answered
            threading.Event().wait(0.05)
    snap = srv.snapshot()
    if expected == "old":
        assert snap == old
        assert t.plan(gen) != []
    else:
        assert t.plan(gen) == []
    # either way the state file agrees with the server: the next apply needs no --force
    apply(t, gen)
    assert t.plan(gen) == []


def test_from_config(srv, tmp_path, monkeypatch):
    monkeypatch.setenv("MLMON_GRAFANA_TOKEN", TOKEN)
    cfg = TargetConfig(name="grafana", url=srv.url, state_dir=tmp_path / ".mlmon", settings={"folder_uid": "ml", "folder_title": "ML models"})
    t = GrafanaTarget.from_config(cfg)
    gen = write(tmp_path / "gen", dash("m-a", "Model A"))
    apply(t, gen)
    assert srv.snapshot()["folders"] == [("ml", "ML models")]


def test_rendered_dashboard_round_trips_and_nested_row_panels_diff(srv, tmp_path):
    """A dashboard from mlmon's own renderer (collapsed row with nested panels) survives the API."""
    from mlmon.artifacts import Panel, Row, Target
    from mlmon.render.grafana import model_dashboard

    def rendered(cost_title):
        return model_dashboard(
            uid="mlmon-fraud-detector",
            title="fraud-detector",
            description="Model fraud-detector",
            tags=("mlmon", "team:risk"),
            rows=(
                Row("Service", (Panel("Request rate", "timeseries", (Target("sum(rate(x[5m]))"),)),)),
                Row("Cost", (Panel(cost_title, "timeseries", (Target("y"),)),), collapsed=True),
            ),
        )

    gen = write(tmp_path / "gen", rendered("Hourly cost"))
    t = target(srv, tmp_path)
    apply(t, gen)
    assert t.plan(gen) == []
    write(gen, rendered("Hourly cost (USD)"))
    plan = t.plan(gen)
    assert [c.action for c in plan] == ["change"]
    assert [(c.action, c.name.split(": ", 1)[1]) for c in plan[0].children] == [("change", "Hourly cost (USD)")]


@pytest.mark.parametrize("phase", ["before", "after"])
def test_server_killed_mid_apply_reports_incomplete_rollback_then_converges(srv, tmp_path, phase):
    gen = write(tmp_path / "gen", dash("m-a", "Model A"), dash("m-b", "Model B"))
    t = target(srv, tmp_path)
    apply(t, gen)
    write(gen, dash("m-a", "Model A", panels=(("A2", "a"),)), dash("m-b", "Model B", panels=(("B2", "b"),)))
    plan = t.plan(gen)
    srv.add_fault("partition", method="POST", path="/api/dashboards/db", nth=2, phase=phase)
    with pytest.raises(ApplyError) as err:
        apply(t, gen, plan)
    assert err.value.rolled_back is False and "ROLLBACK INCOMPLETE" in str(err.value)
    srv.partitioned = False  # the server is back, with m-a new (and m-b new when the save landed)
    plan = t.plan(gen)
    assert all("edited" not in c.detail for c in plan)  # mlmon's own verified writes are recorded
    apply(t, gen, plan)
    assert t.plan(gen) == []


def test_the_server_is_named_once_in_a_failure(srv, tmp_path):
    gen = write(tmp_path / "gen", dash("m-a", "Model A"))
    t = target(srv, tmp_path)
    apply(t, gen)
    write(gen, dash("m-a", "Model A v2"))
    srv.add_fault("partition", method="POST", path="/api/dashboards/db", phase="before")
    with pytest.raises(ApplyError) as err:
        apply(t, gen)
    assert str(err.value).count(f"grafana at {srv.url}") == 1, str(err.value)


def test_another_url_and_another_runner_see_the_same_record(srv, tmp_path):
    """The ownership record is on the dashboards: applied through one URL from one machine, a
    second URL of the same Grafana with an empty state dir (another CI runner) sees no edits."""
    gen = write(tmp_path / "gen", dash("m-a", "Model A"), dash("m-b", "Model B"))
    apply(target(srv, tmp_path / "runner-1"), gen)
    other = GrafanaTarget(srv.url.replace("127.0.0.1", "localhost"), state_dir=tmp_path / "runner-2", settings=FAST, env={"MLMON_GRAFANA_TOKEN": TOKEN})
    assert other.plan(gen) == []
    write(gen, dash("m-a", "Model A", panels=(("A2", "a"),)), dash("m-b", "Model B"))
    plan = other.plan(gen)
    assert [(c.name, c.action) for c in plan] == [("m-a", "change")] and "edited" not in plan[0].detail
    apply(other, gen, plan)  # no --force
    assert target(srv, tmp_path / "runner-1").plan(gen) == []


def test_too_old_grafana_is_refused_before_any_write(spec, tmp_path):
    with GrafanaTestServer(spec, tokens={TOKEN: "Admin"}, version="8.5.27") as old:
        gen = write(tmp_path / "gen", dash("m-a", "Model A"))
        with pytest.raises(Refused, match=r"Grafana 8\.5\.27 is too old: mlmon needs Grafana 9\.0 or newer"):
            apply(target(old, tmp_path), gen)
        assert old.snapshot() == {"folders": [], "dashboards": {}}
