"""`mlmon preview` refuses bad usage with exit code 2 and a message, before doing any work."""

import pytest

from tests.conftest import REPO

TREE = REPO / "tests" / "golden" / "minimal" / "expected"


@pytest.mark.parametrize(
    "args,message",
    [
        (["/nonexistent", "--from-tests"], "is not a folder"),
        ([TREE], "exactly one of --prometheus URL and --from-tests"),
        ([TREE, "--from-tests", "--prometheus", "http://127.0.0.1:9"], "exactly one of"),
        ([TREE, "--from-tests", "--dashboard", "nope"], "no dashboard nope"),
        ([TREE, "--prometheus", "http://127.0.0.1:9", "--from", "yesterday"], "is not a time"),
        ([TREE, "--prometheus", "http://127.0.0.1:9", "--from", "now", "--to", "now-1h"], "must be before"),
        ([TREE, "--prometheus", "ftp://x"], "URL must start with http"),
    ],
)
def test_usage_errors(args, message, run_mlmon, tmp_path):
    r = run_mlmon("preview", *args, "-o", tmp_path / "out")
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
