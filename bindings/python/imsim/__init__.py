"""imsim from Python: run, explore, sweep, check, shrink and replay the deterministic IM sync
simulator (the same functions as the `imsim` CLI; docs/python.md).

    import imsim
    result = imsim.run("default")              # a library scenario, a file, or a Scenario
    result.verdict, result.metrics, result.history   # history: a pandas DataFrame
    imsim.explore("swarm-smoke", seeds=range(1, 51), jobs=2)   # DataFrame, one row per seed
"""
import json
import os

import pandas as pd

from . import _imsim
from ._explore import explore, sweep
from ._history import to_jsonl as history_to_jsonl
from ._imsim import HistoryError, NonDeterminismError, ScenarioError
from ._result import Report, Result, Shrunk
from ._scenario import Scenario

__all__ = ["Scenario", "ScenarioError", "HistoryError", "NonDeterminismError", "Result",
           "Report", "Shrunk", "run", "check", "explore", "sweep", "shrink", "replay",
           "list_scenarios", "mutations", "history_to_jsonl", "code_version"]

__version__ = _imsim.code_version()


def code_version():
    """This build's version, as recorded in failure files: "<version>+<git describe>"."""
    return _imsim.code_version()


def run(scenario, seed=None, swarm=False, mutations=(), out=None, *, no_mutations=False,
        checkers=(), trace=True):
    """Runs a scenario (a Scenario, a dict, a library name or a file) like `imsim run`.

    seed: overrides the scenario's; swarm: draw extra faults from the seed; mutations: engine
    mutations to switch on (the run is then judged as a valid one, so anomalies fail it);
    out: a directory for the CLI's output files (history.jsonl, results.json, trace.json,
    lamport.svg, replay.json, run.log); trace: keep the trace log for lamport_svg().
    The simulation runs with the GIL released. Returns a Result."""
    scenario = Scenario._coerce(scenario)
    return Result(_imsim.run(scenario.to_json(), seed, swarm, list(mutations), no_mutations,
                             list(checkers), None if out is None else os.fspath(out), trace))


def check(history, checkers=()):
    """Runs the checkers over a history: a HISTORY.md file path, or a history DataFrame (as
    Result.history, with df.attrs["header"]). Returns a Report; a malformed history raises
    HistoryError naming the line."""
    if isinstance(history, pd.DataFrame):
        text = history_to_jsonl(history)
        return Report(json.loads(_imsim.check(text, False, list(checkers))))
    return Report(json.loads(_imsim.check(os.fspath(history), True, list(checkers))))


def _failure_text(failure):
    """A failure file's JSON text, from a path, a dict, a Result or a Shrunk."""
    if isinstance(failure, (Result, Shrunk)):
        failure = failure.failure
    if isinstance(failure, dict):
        return _imsim.load_failure(json.dumps(failure), False)
    return _imsim.load_failure(os.fspath(failure), True)


def replay(failure, out=None, *, trace=True):
    """Re-runs a failure file (path, dict, Result or Shrunk) like `imsim replay`; raises
    NonDeterminismError if the trace hash differs from the recorded one. Returns a Result."""
    return Result(_imsim.replay(_failure_text(failure), None if out is None else os.fspath(out),
                                trace))


def shrink(failure, runs_max=None, time_max_s=None, *, trace=True):
    """Minimises a failing run (failure file path, dict, Result or Shrunk) like `imsim shrink`:
    same seed, fewer faults, devices and messages, still failing the same way. Raises
    ValueError if the run does not fail. Returns a Shrunk (.result, .stats, .failure)."""
    run_handle, stats = _imsim.shrink(_failure_text(failure), runs_max, time_max_s, trace)
    return Shrunk(run_handle, stats)


def list_scenarios():
    """The library scenarios (IMSIM_SCENARIO_PATH, then scenarios/library): name, description,
    path, error (None if it loads)."""
    return pd.DataFrame(json.loads(_imsim.list_library()),
                        columns=["name", "description", "path", "error"])


def mutations():
    """The engine's mutation catalog (docs/mutations.md): name, description."""
    return pd.DataFrame(_imsim.mutation_catalog(), columns=["name", "description"])
