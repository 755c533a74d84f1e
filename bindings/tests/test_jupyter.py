"""The README's Jupyter commands: the notebook server starts on notebooks/ with the built
module on PYTHONPATH, and offers Debian's python3 kernel; the committed notebooks carry no
outputs (ctest executes them into the build directory)."""
import json
import os
import socket
import subprocess
import time
import urllib.request

from conftest import ROOT

NOTEBOOKS = ["quickstart", "fanout_tradeoffs", "faults_and_mutants", "distributed_sweep"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url, deadline_s=30):
    end = time.monotonic() + deadline_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return json.load(response)
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.2)


def test_the_notebook_server_starts_with_debians_python_kernel(tmp_path):
    port = free_port()
    args = ["/usr/bin/jupyter-notebook", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            "--NotebookApp.token=imsim-test", str(ROOT / "notebooks")]
    if os.geteuid() == 0:
        args.insert(2, "--allow-root")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path))
    server = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}/api"
        specs = get_json(f"{base}/kernelspecs?token=imsim-test")
        assert specs["kernelspecs"]["python3"]["spec"]["argv"][0] == "/usr/bin/python3"
        contents = get_json(f"{base}/contents?token=imsim-test")
        assert {f"{n}.ipynb" for n in NOTEBOOKS} <= {c["name"] for c in contents["content"]}
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_committed_notebooks_have_no_outputs():
    for name in NOTEBOOKS:
        nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, name
