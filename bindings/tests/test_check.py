"""imsim.check on a file and on a DataFrame: the same report as `imsim check`."""
import pytest

import imsim
from conftest import cli_json


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    return imsim.run("default", out=out), out / "history.jsonl"


def test_check_a_path_matches_the_cli(written):
    result, path = written
    report = imsim.check(path)
    expected = cli_json("check", path)
    assert report.ok and report.exit_code == 0 and report.verdict == "VALID"
    assert report.metrics == expected["metrics"]
    assert report.checkers == expected["checkers"]
    assert report.metrics == result.metrics
    assert "<table>" in report._repr_html_()


def test_check_a_dataframe_matches_the_file(written):
    result, path = written
    from_frame = imsim.check(result.history)
    assert from_frame.to_dict() == imsim.check(path).to_dict()
    assert imsim.check(result.history, checkers=["lost"]).checkers == ["lost"]


def test_a_changed_dataframe_shows_the_anomaly(written):
    result, _ = written
    h = result.history
    display = h[h.type == "display"].index[0]
    report = imsim.check(h.drop(index=display))
    assert not report.ok and report.exit_code == 1
    assert "lost" in [a["name"] for a in report.anomalies]
    assert report.anomalies[0]["witnesses"]


def test_malformed_histories_raise(tmp_path, written):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type":"header","format":"imsim-history","version":1,"devices":{},'
                   '"conversations":{}}\n{"t":-1,"type":"end","quiesced":true}\n')
    with pytest.raises(imsim.HistoryError, match="line 2"):
        imsim.check(bad)
    with pytest.raises(imsim.HistoryError, match="line 0"):
        imsim.check(tmp_path / "missing.jsonl")
    h = written[0].history.copy()
    h.attrs = {}
    with pytest.raises(ValueError, match="no history header"):
        imsim.check(h)
    with pytest.raises(ValueError, match='unknown checker "bogus"'):
        imsim.check(written[1], checkers=["bogus"])
