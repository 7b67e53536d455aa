"""The Grafana contract test server itself: it must enforce the upstream OpenAPI contract (requests
and its own responses) and Grafana's save semantics, or the target tests prove nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ (for helpers.*)

from helpers.grafana_server import GrafanaTestServer, load_spec_or_skip  # noqa: E402

TOKEN = "server-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def spec():
    return load_spec_or_skip()


@pytest.fixture
def srv(spec):
    with GrafanaTestServer(spec, tokens={TOKEN: "Admin", "viewer": "Viewer"}) as server:
        yield server


def post_dash(srv, dashboard, **kw):
    body = {"dashboard": dashboard, "folderUid": kw.pop("folderUid", ""), "overwrite": kw.pop("overwrite", False), **kw}
    return requests.post(srv.url + "/api/dashboards/db", json=body, headers=AUTH, timeout=5)


def test_health_is_public_and_on_contract(srv):
    r = requests.get(srv.url + "/api/health", timeout=5)
    assert r.status_code == 200 and r.json()["database"] == "ok"
    assert srv.violations == []


def test_auth_401_and_viewer_403(srv):
    assert requests.get(srv.url + "/api/folders", timeout=5).status_code == 401
    assert requests.get(srv.url + "/api/folders", headers={"Authorization": "Bearer nope"}, timeout=5).status_code == 401
    r = requests.post(srv.url + "/api/folders", json={"uid": "x", "title": "x"}, headers={"Authorization": "Bearer viewer"}, timeout=5)
    assert r.status_code == 403
    assert srv.violations == []


def test_unknown_path_404_and_wrong_method_405(srv):
    assert requests.get(srv.url + "/api/nothing-here", headers=AUTH, timeout=5).status_code == 404
    assert requests.put(srv.url + "/api/dashboards/db", json={}, headers=AUTH, timeout=5).status_code == 405


def test_versions_increment_and_stale_version_is_412(srv):
    r1 = post_dash(srv, {"uid": "d1", "title": "One"})
    assert r1.status_code == 200 and r1.json()["version"] == 1
    r2 = post_dash(srv, {"uid": "d1", "title": "One", "version": 1})
    assert r2.json()["version"] == 2
    stale = post_dash(srv, {"uid": "d1", "title": "One b", "version": 1})
    assert stale.status_code == 412 and stale.json()["status"] == "version-mismatch"
    forced = post_dash(srv, {"uid": "d1", "title": "One c", "version": 1}, overwrite=True)
    assert forced.status_code == 200 and forced.json()["version"] == 3
    got = requests.get(srv.url + "/api/dashboards/uid/d1", headers=AUTH, timeout=5).json()
    assert got["meta"]["version"] == 3 and got["dashboard"]["title"] == "One c"
    assert srv.violations == []


def test_missing_folder_is_404_and_same_title_is_name_exists(srv):
    r = post_dash(srv, {"uid": "d1", "title": "One"}, folderUid="no-such-folder")
    assert r.status_code == 404
    srv.add_folder("f", "F")
    assert post_dash(srv, {"uid": "a", "title": "Same"}, folderUid="f").status_code == 200
    clash = post_dash(srv, {"uid": "b", "title": "Same"}, folderUid="f")
    assert clash.status_code == 412 and clash.json()["status"] == "name-exists"
    assert srv.violations == []


def test_off_contract_request_body_is_rejected_and_recorded(srv):
    r = requests.post(srv.url + "/api/dashboards/db", json={"dashboard": {"uid": "x", "title": "X"}, "folderUid": 7}, headers=AUTH, timeout=5)
    assert r.status_code == 400
    assert any("folderUid" in v for v in srv.violations)
    srv.violations.clear()
    r = requests.post(srv.url + "/api/dashboards/db", json={"dashboard": {"uid": "x", "title": "X"}, "folderUID": "f"}, headers=AUTH, timeout=5)
    assert r.status_code == 400 and any("folderUID" in v for v in srv.violations)
    srv.violations.clear()
    r = requests.post(srv.url + "/api/dashboards/db", data="{}", headers={**AUTH, "Content-Type": "text/plain"}, timeout=5)
    assert r.status_code == 400 and any("Content-Type" in v for v in srv.violations)


def test_off_contract_query_is_rejected_and_recorded(srv):
    r = requests.get(srv.url + "/api/search", params={"type": "dashboard"}, headers=AUTH, timeout=5)
    assert r.status_code == 400 and any("type" in v for v in srv.violations)
    srv.violations.clear()
    r = requests.get(srv.url + "/api/search", params={"folderUid": "x"}, headers=AUTH, timeout=5)
    assert r.status_code == 400 and any("folderUid" in v for v in srv.violations)


def test_server_checks_its_own_responses(srv, monkeypatch):
    """A fake that answers off-contract must be caught: drop a required field from the save answer."""
    original = srv._save

    def broken(body):
        status, out = original(body)
        out.pop("title", None)
        return status, out

    monkeypatch.setattr(srv, "_save", broken)
    post_dash(srv, {"uid": "d1", "title": "One"})
    assert any("off-contract response" in v and "title" in v for v in srv.violations)


def test_search_filters_by_folder_and_tag(srv):
    srv.add_folder("f", "F")
    post_dash(srv, {"uid": "a", "title": "A", "tags": ["mlmon"]}, folderUid="f")
    post_dash(srv, {"uid": "b", "title": "B"}, folderUid="f")
    post_dash(srv, {"uid": "c", "title": "C", "tags": ["mlmon"]})
    r = requests.get(srv.url + "/api/search", params={"type": "dash-db", "folderUIDs": "f", "tag": "mlmon"}, headers=AUTH, timeout=5)
    assert [h["uid"] for h in r.json()] == ["a"]
    assert srv.violations == []


def test_fault_injection_status_and_drop(srv):
    srv.add_fault("status", method="GET", path="/api/folders$", nth=2, status=500)
    assert requests.get(srv.url + "/api/folders", headers=AUTH, timeout=5).status_code == 200
    assert requests.get(srv.url + "/api/folders", headers=AUTH, timeout=5).status_code == 500
    assert requests.get(srv.url + "/api/folders", headers=AUTH, timeout=5).status_code == 200
    srv.add_fault("drop", method="GET", path="/api/folders$")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(srv.url + "/api/folders", headers=AUTH, timeout=5)
