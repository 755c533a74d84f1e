"""Result (one run), Report (imsim.check) and Shrunk (imsim.shrink): views of the JSON the CLI
writes (results.json, the checkers' report, failure files), with the history as a DataFrame and
the Lamport diagram inline in notebooks."""
import html
import json

import pandas as pd

from . import _history

# Witness lines shown per anomaly in the HTML summary (anomalies keeps them all).
_HTML_WITNESSES_MAX = 3


class Report:
    """The checkers' verdicts and metrics over one history (docs/checkers.md)."""

    def __init__(self, report):
        self._report = report

    @property
    def exit_code(self):
        """0 valid, 1 anomalies found (as `imsim check`)."""
        return self._report["exit_code"]

    @property
    def ok(self):
        return self.exit_code == 0

    @property
    def verdict(self):
        return "VALID" if self.ok else "ANOMALIES FOUND"

    @property
    def checkers(self):
        return list(self._report["checkers"])

    @property
    def anomalies(self):
        """[{name, description, count, witnesses: [dict]}] for every anomaly found."""
        return [a for a in self._report["anomalies"] if a["count"] > 0]

    @property
    def metrics(self):
        return self._report["metrics"]

    def to_dict(self):
        return json.loads(json.dumps(self._report))

    def __repr__(self):
        found = ", ".join(f"{a['name']} {a['count']}" for a in self.anomalies) or "none"
        return f"<imsim.Report {self.verdict}: anomalies {found}>"

    def _repr_html_(self):
        return _table([("verdict", f"{self.verdict} (exit {self.exit_code})")] +
                      _anomaly_rows(self.anomalies) + _metric_rows(self.metrics))


class Result:
    """One run of a scenario: verdict, anomalies, metrics, counters, history, diagrams.

    The same data as the run's results.json (`results`), plus the history as a DataFrame, the
    stable latency of every message, the Lamport diagram and the failure file to replay it.
    """

    def __init__(self, run):
        self._run = run
        self.results = json.loads(run.results_json())
        self._history = None

    # ---- summary ---------------------------------------------------------------------------
    @property
    def scenario(self):
        from ._scenario import Scenario
        return Scenario(json.loads(self._run.scenario_json()))

    @property
    def seed(self):
        return self.results["seed"]

    @property
    def verdict(self):
        """The CLI's verdict line: VALID, ANOMALIES FOUND, AS EXPECTED (...), ..., ERROR: ..."""
        return self._run.verdict()

    @property
    def exit_code(self):
        """0 as the scenario expects, 1 anomalies (or expected ones missing), 2 error."""
        return self._run.exit_code

    @property
    def ok(self):
        return self.exit_code == 0

    @property
    def trace_hash(self):
        """The run's identity: "0x" + 16 hex digits (the same seed gives the same hash)."""
        return self.results["trace_hash"]

    @property
    def messages(self):
        return self.results["messages"]

    @property
    def anomalies(self):
        """[{name, description, count, witnesses: [dict]}] for every anomaly found."""
        report = self.results["checks"]["report"]
        return [] if report is None else [a for a in report["anomalies"] if a["count"] > 0]

    @property
    def metrics(self):
        report = self.results["checks"]["report"]
        return {} if report is None else report["metrics"]

    @property
    def counters(self):
        """Engine, network and model counters by name (docs/engine.md)."""
        return self.results["counters"]

    @property
    def files(self):
        return list(self.results["files"])

    # ---- data ------------------------------------------------------------------------------
    @property
    def history(self):
        """The history (HISTORY.md) as a DataFrame, one row per event; built once."""
        if self._history is None:
            header = json.loads(self._run.history_header())
            self._history = _history.frame_from_columns(self._run.history_columns(), header)
        return self._history

    def latencies(self):
        """Stable latency (send to displayed on every required device) of each message, ms."""
        return pd.DataFrame(self._run.latencies())

    def lamport_svg(self, start_s=None):
        """The Lamport diagram (SVG text) from `start_s` (default: a little before the first
        fault), at most 300 records."""
        return self._run.lamport_svg(start_s)

    @property
    def failure(self):
        """The failure file of this run (replay.json) as a dict: imsim.replay / shrink take it."""
        return json.loads(self._run.failure_json())

    def save_failure(self, path):
        with open(path, "w") as f:
            json.dump(self.failure, f, indent=2)
            f.write("\n")
        return path

    # ---- display ---------------------------------------------------------------------------
    def __repr__(self):
        return (f"<imsim.Result {self.results['scenario']} seed {self.seed}: {self.verdict} "
                f"(trace hash {self.trace_hash})>")

    def summary_rows(self):
        r = self.results
        m = r["messages"]
        rows = [("scenario", r["scenario"]), ("seed", r["seed"]), ("trace hash", r["trace_hash"]),
                ("sim time", f"{r['sim_time_s']:.3f} s "
                             f"({'quiesced' if r['quiesced'] else 'did NOT quiesce'})"),
                ("wall time", f"{r['wall_time_s']:.3f} s ({r['events_executed']} events)"),
                ("messages", f"sent {m['sent']}, stored {m['stored']}, acked {m['acked']}, "
                             f"failed {m['failed']}, displays {m['displays']}"),
                ("verdict", f"{self.verdict} (exit {self.exit_code})")]
        return rows + _anomaly_rows(self.anomalies) + _metric_rows(self.metrics)

    def _repr_html_(self):
        out = _table(self.summary_rows())
        try:
            out += f"<div style='overflow:auto;max-height:600px'>{self.lamport_svg()}</div>"
        except RuntimeError:
            pass  # run with trace=False: no diagram
        return out


class Shrunk:
    """A shrunk failure: the smaller run (`result`), what shrinking removed (`stats`)."""

    def __init__(self, run, stats):
        self.result = Result(run)
        self.stats = stats

    @property
    def failure(self):
        return self.result.failure

    def save(self, path):
        return self.result.save_failure(path)

    def __repr__(self):
        s = self.stats
        return (f"<imsim.Shrunk faults {s['faults_before']} -> {s['faults_after']}, messages "
                f"{s['messages_before']} -> {s['messages_after']} ({s['runs']} runs): "
                f"{self.result.verdict}>")

    def _repr_html_(self):
        s = self.stats
        rows = [("shrunk", f"faults {s['faults_before']} &rarr; {s['faults_after']}, "
                           f"messages {s['messages_before']} &rarr; {s['messages_after']} "
                           f"({s['runs']} runs, {s['wall_time_s']:.1f} s)")]
        return _table(rows, escape=False) + self.result._repr_html_()


def _anomaly_rows(anomalies):
    rows = []
    for a in anomalies:
        lines = [w["summary"] for w in a["witnesses"][:_HTML_WITNESSES_MAX]]
        if a["count"] > len(lines):
            lines.append(f"... {a['count'] - len(lines)} more")
        rows.append((f"{a['name']} ({a['count']})", a["description"] + "\n" + "\n".join(lines)))
    return rows


def _metric_rows(metrics):
    rows = []
    latency = metrics.get("stable_latency_ns")
    if latency:
        rows.append(("stable latency",
                     "p50 {:.1f} ms, p99 {:.1f} ms, max {:.1f} ms ({} msgs)".format(
                         latency["p50"] / 1e6, latency["p99"] / 1e6, latency["p100"] / 1e6,
                         latency["samples"])))
    for name, value in metrics.get("engine_ratios", {}).items():
        rows.append((name.replace("_", " "), f"{value:.2f}"))
    return rows


def _table(rows, escape=True):
    cells = []
    for key, value in rows:
        text = html.escape(str(value)) if escape else str(value)
        text = text.replace("\n", "<br>")
        cells.append(f"<tr><th style='text-align:left'>{html.escape(str(key))}</th>"
                     f"<td style='text-align:left'>{text}</td></tr>")
    return "<table>" + "".join(cells) + "</table>"
