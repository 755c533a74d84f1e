"""imsim.explore (many seeds of one scenario) and imsim.sweep (a grid of scenario fields x
seeds, on local processes or a Dask cluster), each returning a DataFrame with a row per run."""
import concurrent.futures
import itertools
import multiprocessing
import os

import pandas as pd

from . import _imsim
from ._scenario import Scenario

# A sweep or exploration of at least this many runs shows a progress bar by default.
PROGRESS_RUNS_MIN = 32


def run_row(scenario_json, seed, swarm, mutations, no_mutations, checkers):
    """One seed, judged: the verdict row (the unit of work sent to processes or Dask workers)."""
    return _imsim.run_seed(scenario_json, seed, swarm, list(mutations), no_mutations,
                           list(checkers))


def _verdict(row, expect_valid):
    if row["error"]:
        return "ERROR"
    if row["as_expected"]:
        return "VALID" if expect_valid else "AS EXPECTED"
    return "ANOMALIES FOUND" if expect_valid else "NOT AS EXPECTED"


def _flatten(row, expect_valid):
    """A verdict row as table columns: seed, verdict, anomalies, trace_hash, metrics..."""
    out = {"seed": row["seed"], "verdict": _verdict(row, expect_valid),
           "ok": bool(row["as_expected"] and not row["error"]),
           "anomalies": ",".join(row["anomalies"]), "trace_hash": row["trace_hash"],
           "error": row["detail"]}
    for name in _imsim.SEED_METRIC_NAMES:
        out[name] = row["metrics"].get(name, float("nan"))
    return out


def _expect_valid(scenario, mutations, no_mutations):
    # A mutant run is judged as a plain run (as the CLI's --mutation / --no-mutations).
    return bool(mutations) or no_mutations or scenario["checks"]["expect"] == "valid"


def _progress(total, show, desc):
    if show is None:
        show = total >= PROGRESS_RUNS_MIN
    if not show:
        return None
    from tqdm import tqdm
    return tqdm(total=total, desc=desc, unit="run")


def _seed_range(seeds):
    if isinstance(seeds, int):
        return range(1, seeds + 1)
    return seeds


def explore(scenario, seeds=range(1, 101), swarm=True, jobs=None, mutations=(),
            no_mutations=False, checkers=(), stop_at_first_failure=False, progress=None):
    """Runs `scenario` over `seeds` (a range, a list, or N for 1..N) in `jobs` worker processes
    (default: every core), as `imsim explore` does. Every seed runs unless
    `stop_at_first_failure` (the CLI's behaviour, for a range of seeds only): then the seeds
    above the smallest failing one are not run, so its row is the last.

    Returns a DataFrame, one row per seed in seed order: seed, verdict, ok, anomalies (comma-
    separated names), trace_hash, error, and the key metrics (sent, stable_latency_p50_ms,
    stable_latency_p99_ms, safety_failed_rate, network_frames_per_message,
    store_reads_per_message, store_writes_per_message)."""
    scenario = Scenario._coerce(scenario)
    seeds = _seed_range(seeds)
    jobs = jobs or os.cpu_count() or 1
    expect_valid = _expect_valid(scenario, mutations, no_mutations)
    if isinstance(seeds, range) and seeds.step == 1 and len(seeds) > 0:
        bar = _progress(len(seeds), progress, f"explore {scenario.name}")
        last = [0]

        def on_progress(done, total, failures):
            bar.update(done - last[0])
            bar.set_postfix(failures=failures, refresh=False)
            last[0] = done

        try:
            rows = _imsim.explore(scenario.to_json(), seeds.start, len(seeds), swarm,
                                  min(jobs, len(seeds)), list(mutations), no_mutations,
                                  list(checkers), stop_at_first_failure,
                                  on_progress if bar else None)
        finally:
            if bar:
                bar.close()
        failed = [r["seed"] for r in rows if r["error"] or not r["as_expected"]]
        if stop_at_first_failure and failed:
            # Seeds above it that a worker happened to finish are dropped: the table is the
            # same for any `jobs`.
            rows = [r for r in rows if r["seed"] <= min(failed)]
    else:
        if stop_at_first_failure:
            raise ValueError("stop_at_first_failure needs seeds as a range with step 1")
        tasks = [(scenario.to_json(), int(s), swarm, tuple(mutations), no_mutations,
                  tuple(checkers)) for s in seeds]
        rows = _run_local(tasks, jobs, progress, f"explore {scenario.name}")
    return pd.DataFrame([_flatten(r, expect_valid) for r in rows],
                        columns=_columns()).reset_index(drop=True)


def _columns(extra=()):
    return list(extra) + ["seed", "verdict", "ok", "anomalies", "trace_hash", "error",
                          *_imsim.SEED_METRIC_NAMES]


def _gather(done, count, progress, desc):
    """Collects (task index, future) pairs as they complete; results in task order."""
    results = [None] * count
    bar = _progress(count, progress, desc)
    try:
        for i, future in done:
            results[i] = future.result()
            if bar:
                bar.update(1)
    finally:
        if bar:
            bar.close()
    return results


def _run_local(tasks, jobs, progress, desc):
    """Runs every task (run_row's arguments) in worker processes; results in task order."""
    # fork: children start at once with the module loaded (Linux); each run is independent.
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, min(jobs, len(tasks))),
                                                mp_context=context) as pool:
        futures = {pool.submit(run_row, *task): i for i, task in enumerate(tasks)}
        done = ((futures[f], f) for f in concurrent.futures.as_completed(futures))
        return _gather(done, len(tasks), progress, desc)


def _run_dask(tasks, client, progress, desc):
    """Submits every task to a dask.distributed Client; results in task order."""
    from distributed import as_completed
    futures = [client.submit(run_row, *task, pure=False) for task in tasks]
    index = {f.key: i for i, f in enumerate(futures)}
    done = ((index[f.key], f) for f in as_completed(futures))
    return _gather(done, len(tasks), progress, desc)


def sweep(base, grid, seeds=range(1, 4), client=None, swarm=False, jobs=None, mutations=(),
          no_mutations=False, checkers=(), progress=None):
    """Every combination of `grid` ({dotted scenario path: [values]}, e.g.
    {"network.mobile.loss_p": [0, 0.1], "engine.retry_budget": [2, 6]}) x `seeds`.

    Runs locally in `jobs` processes (default: every core), or, given a dask.distributed
    `client`, on that cluster. Every combination is validated before anything runs
    (ScenarioError names the path). Returns a DataFrame with one column per grid path, then
    explore's columns, one row per run, in grid order then seed order."""
    base = Scenario._coerce(base)
    seeds = list(_seed_range(seeds))
    paths = list(grid)
    combos = list(itertools.product(*(list(grid[p]) for p in paths)))
    tasks, keys = [], []
    for combo in combos:
        scenario = base.replace(dict(zip(paths, combo)))
        text = scenario.to_json()
        for seed in seeds:
            tasks.append((text, int(seed), swarm, tuple(mutations), no_mutations, tuple(checkers)))
            keys.append(combo)
    desc = f"sweep {base.name}"
    if client is None:
        rows = _run_local(tasks, jobs or os.cpu_count() or 1, progress, desc)
    else:
        rows = _run_dask(tasks, client, progress, desc)
    expect_valid = _expect_valid(base, mutations, no_mutations)
    records = []
    for combo, row in zip(keys, rows):
        record = dict(zip(paths, combo))
        record.update(_flatten(row, expect_valid))
        records.append(record)
    return pd.DataFrame(records, columns=_columns(paths))
