#!/usr/bin/python3
"""Checks the pictures imsim writes (docs/cli.md, "Output files"): each SVG parses as XML and
holds what the run says it should.

  check_plots.py run <out dir> [--anomaly NAME]  latency.svg, rates.svg, lamport.svg of a run
  check_plots.py explore <out dir>                explore.svg of an `imsim explore --out`

Counts are cross-checked against the other outputs: fault bands against the faults of
replay.json (the run's explicit schedule, minus heal / restart / online, which end windows) and
results.json's fault_windows; latency points against the stable-latency samples of the report;
explore points against explore.json. Exits 1 with a message on the first mismatch."""
import json
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
UNDO_KINDS = {"heal", "restart", "online"}
POINTS_MAX = 2000  # kPlotPointsMax


def fail(message):
    print(f"check_plots: {message}")
    sys.exit(1)


def expect(condition, message):
    if not condition:
        fail(message)


def parse(path):
    try:
        return ET.parse(path).getroot()  # raises on malformed XML
    except (ET.ParseError, OSError) as e:
        fail(f"{path}: {e}")


def all_text(root):
    return " ".join(t.text or "" for t in root.iter(NS + "text"))


def series(root):
    return {g.get("data-name"): int(g.get("data-points"))
            for g in root.iter(NS + "g") if g.get("class") == "series"}


def panels(root):
    return [g for g in root.findall(NS + "g") if g.get("class") == "panel"]


def bands(panel):
    return [r.get("data-kind") for r in panel.iter(NS + "rect") if r.get("class") == "band"]


def check_time_panels(path, root, windows):
    kinds = sorted(w["kind"] for w in windows)
    for panel in panels(root):
        if "simulated time (s)" not in all_text(panel):
            continue
        expect(sorted(bands(panel)) == kinds,
               f"{path}: fault bands {sorted(bands(panel))}, expected {kinds}")
        legend = all_text(panel)
        for kind in set(kinds):
            expect(f"{kind} ({kinds.count(kind)})" in legend,
                   f"{path}: no legend entry for {kind}")


def check_run(out, anomaly):
    results = json.load(open(f"{out}/results.json"))
    replay = json.load(open(f"{out}/replay.json"))
    windows = results["fault_windows"]
    faults = [f for f in replay["scenario"]["faults"] if f["kind"] not in UNDO_KINDS]
    expect(len(windows) == len(faults),
           f"results.json has {len(windows)} fault windows, replay.json {len(faults)} faults")
    expect(len(faults) > 0, "the run has no fault: pick a scenario with faults")
    for name in ("latency.svg", "rates.svg", "lamport.svg"):
        expect(name in results["files"], f"{name} missing from results.json files")
    title = f"{results['scenario']}, seed {results['seed']}"

    latency = parse(f"{out}/latency.svg")
    expect(title in all_text(latency), f"latency.svg: title does not name {title}")
    expect(len(panels(latency)) == 2, "latency.svg: expected 2 panels (CDF, by send time)")
    samples = results["checks"]["report"]["metrics"]["stable_latency_ns"]["samples"]
    s = series(latency)
    expect(s.get("stable latency") == min(samples, POINTS_MAX),
           f"latency.svg: CDF has {s.get('stable latency')} points, {samples} samples")
    expect(s.get("message (by send time)") == min(samples, POINTS_MAX),
           f"latency.svg: {s.get('message (by send time)')} messages drawn, {samples} samples")
    for unit in ("stable latency (ms)", "simulated time (s)"):
        expect(unit in all_text(latency), f"latency.svg: no axis label {unit}")
    check_time_panels("latency.svg", latency, windows)

    rates = parse(f"{out}/rates.svg")
    expect(title in all_text(rates), f"rates.svg: title does not name {title}")
    s = series(rates)
    for name in ("sends", "acks", "displays (deliveries)", "frames sent"):
        expect(s.get(name, 0) > 1, f"rates.svg: series {name} missing or empty: {s}")
    expect(len(set(s.values())) == 1, f"rates.svg: series of unequal bins: {s}")
    expect(f"{results['messages']['sent']} sends" in all_text(rates), "rates.svg: send count")
    check_time_panels("rates.svg", rates, windows)

    lamport = parse(f"{out}/lamport.svg")
    text = all_text(lamport)
    for label in ("display^ m:", "echo m:", "top c:"):
        expect(label in text, f"lamport.svg: legend does not explain {label}")
    highlighted = [e for e in lamport.iter() if " hl" in (e.get("class") or "")]
    if anomaly:
        expect(f"anomaly {anomaly}:" in text, f"lamport.svg: no legend entry for {anomaly}")
        expect(any(e.tag == NS + "line" and e.get("class") == "lane hl" for e in highlighted),
               "lamport.svg: no highlighted lane")
        expect(any(e.get("class") == "frame hl" for e in highlighted),
               "lamport.svg: no highlighted frame")
    else:
        expect(not highlighted, "lamport.svg: highlight in a run without anomaly")


def check_explore(out):
    summary = json.load(open(f"{out}/explore.json"))
    root = parse(f"{out}/explore.svg")
    expect(f"explore: {summary['scenario']}" in all_text(root), "explore.svg: title")
    s = series(root)
    seeds = sum(n for name, n in s.items() if name.split(" (")[0] in ("as expected", "failed", "error"))
    expect(seeds == min(summary["seeds_run"], POINTS_MAX),
           f"explore.svg: {seeds} seeds drawn, {summary['seeds_run']} run: {s}")
    failed = [n for name, n in s.items() if name.startswith("failed")]
    expect(failed == [summary["failures"]], f"explore.svg: failed {failed}, {summary['failures']}")
    expect(s.get("seeds/s", 0) >= 1, f"explore.svg: no seeds/s curve: {s}")
    for unit in ("wall time (s)", "seeds per second", "p99 stable latency (ms)"):
        expect(unit in all_text(root), f"explore.svg: no axis label {unit}")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "run":
        anomaly = sys.argv[4] if len(sys.argv) == 5 and sys.argv[3] == "--anomaly" else None
        check_run(sys.argv[2], anomaly)
    elif len(sys.argv) == 3 and sys.argv[1] == "explore":
        check_explore(sys.argv[2])
    else:
        fail(__doc__)
    print(f"check_plots: {sys.argv[1]} {sys.argv[2]}: ok")
