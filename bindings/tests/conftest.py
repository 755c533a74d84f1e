"""Shared fixtures of the imsim Python tests (run by ctest as `python.bindings`).

The built package comes from PYTHONPATH (build/bindings); the CLI to compare with from
IMSIM_CLI (default: build/apps/imsim). A missing dependency is an import error, never a skip."""
import json
import os
import pathlib
import subprocess

import pytest

import imsim

ROOT = pathlib.Path(__file__).resolve().parents[2]
MUTANTS_EXPLORE = ROOT / "scenarios" / "library" / "mutants" / "explore"


def cli_path():
    path = os.environ.get("IMSIM_CLI", str(ROOT / "build" / "apps" / "imsim"))
    assert os.access(path, os.X_OK), f"the imsim CLI is not at {path} (set IMSIM_CLI)"
    return path


def cli(*args):
    """Runs the imsim CLI; returns (exit code, stdout, stderr)."""
    proc = subprocess.run([cli_path(), *map(str, args)], capture_output=True, text=True)
    return proc.returncode, proc.stdout, proc.stderr


def cli_json(*args):
    code, out, err = cli(*args, "--json")
    assert code in (0, 1), err
    return json.loads(out)


@pytest.fixture(scope="session")
def default_result():
    return imsim.run("default")


@pytest.fixture
def small():
    """The default scenario, a fresh copy per test."""
    return imsim.Scenario.load("default")
