#!/usr/bin/python3
"""The CI gate's coverage table: for each gate scenario (its explore.json), the engine coverage
points its seeds reached; then the points no scenario reached. Each of those must be listed, with
its reason, under "Points the gate does not reach" in docs/explore.md; a point reached that is
still listed there is stale. Exit 1 on either, so an unexplained gap in the worlds fails CI.

usage: explore_coverage.py <gate out dir> <docs/explore.md> <engine/coverage.hpp>
"""
import json
import pathlib
import re
import sys


def main() -> int:
    gate, doc, header = (pathlib.Path(a) for a in sys.argv[1:4])
    points = re.findall(r'^\s*X\(\w+, "([\w.]+)"\)', header.read_text(), re.M)
    summaries = sorted(gate.glob("*/explore.json"))
    if not summaries:
        print(f"no explore.json under {gate}: did the gate run?")
        return 1
    reached_by_any = set()
    print(f"{'scenario':36} {'seeds':>6} {'points':>7}")
    for path in summaries:
        s = json.loads(path.read_text())
        runs = s["coverage"]["runs_reaching"]
        reached = {name for name, n in runs.items() if n > 0}
        reached_by_any |= reached
        print(f"{s['scenario']:36} {s['seeds_run']:>6} {len(reached):>3}/{len(points)}")
    section = doc.read_text().split("### Points the gate does not reach", 1)
    if len(section) != 2:
        print(f'{doc}: no section "### Points the gate does not reach"')
        return 1
    body = section[1].split("\n#", 1)[0]
    explained = set(re.findall(r"^- `([\w.]+)`", body, re.M))
    never = [p for p in points if p not in reached_by_any]
    print(f"reached by some scenario: {len(points) - len(never)}/{len(points)}")
    print("never reached: " + (" ".join(never) if never else "none"))
    ok = True
    for p in never:
        if p not in explained:
            print(f"FINDING: {p} is reached by no gate scenario and not explained in {doc}")
            ok = False
    for p in sorted(explained - set(never)):
        if p in points:
            print(f"STALE: {p} is reached now; remove it from {doc}")
        else:
            print(f"STALE: {p} is not a coverage point (engine/coverage.hpp)")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
