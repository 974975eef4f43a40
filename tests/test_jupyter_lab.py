"""`jupyter lab` (the notebooks extra) serves the shipped notebooks and starts a kernel: headless, local."""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("jupyterlab") is None, reason='jupyterlab is not installed (pip install ".[notebooks]")'
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(url: str, token: str, method: str = "GET") -> object:
    req = urllib.request.Request(url, method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
    return json.loads(body) if body else None


def test_jupyter_lab_lists_the_notebooks_and_starts_a_kernel(tmp_path):
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={ROOT}",
        "--ServerApp.port_retries=0",
        "--LabApp.extension_manager=readonly",
    ]  # fmt: skip  (readonly: the extension manager never asks PyPI)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")  # containers and CI run as root
    log = tmp_path / "jupyter.log"
    with log.open("w") as f:
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=f)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _call(f"{base}/api/status", token)
                break
            except (urllib.error.URLError, ConnectionError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not start: {log.read_text()[-2000:]}")
                time.sleep(0.2)
        listing = _call(f"{base}/api/contents/notebooks", token)
        assert isinstance(listing, dict)
        served = sorted(c["name"] for c in listing["content"] if c["type"] == "notebook")
        assert served == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")) and served
        kernel = _call(f"{base}/api/kernels", token, "POST")
        assert isinstance(kernel, dict) and kernel["name"] == "python3"
        assert any(k["id"] == kernel["id"] for k in _call(f"{base}/api/kernels", token))  # type: ignore[union-attr]
        _call(f"{base}/api/kernels/{kernel['id']}", token, "DELETE")
        _call(f"{base}/api/shutdown", token, "POST")
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
