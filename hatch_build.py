"""Wheel build hook: ship the default network's validation stamp, graph and engine, built ahead of time.

A fresh installation would otherwise validate the default network, build its graph and compile
its departure-time engine on the first command (about 2.5 s). The hook runs the first command
once at build time, ``commute matrix --origins 武汉 --destinations 黄石``, with the cache folder
pointed at a temporary folder, and puts what it left there (the ``validated/`` stamp and the
``objects/`` pickles) into the wheel as ``commute/_prebuilt/``. At run time commute reads them
where its own cache has nothing (:mod:`commute.io.validation_stamp`,
:mod:`commute.io.object_cache`), under the same keys: the network's content, commute's source
and the versions of Python and the libraries. So an object built from other code or other
library versions is never read; it only goes unused. If the build cannot run it (a missing
library, say), the wheel is built without them and commute builds them on first use instead.
Editable installs skip it (their source changes under them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

FIRST_COMMAND = ["matrix", "--origins", "武汉", "--destinations", "黄石"]


class CustomBuildHook(BuildHookInterface):  # type: ignore[misc]
    """Prebuild the default network's objects into ``commute/_prebuilt``."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Run the first command into a temporary cache and include what it wrote."""
        if self.target_name != "wheel" or version == "editable" or os.environ.get("COMMUTE_PREBUILD") == "off":
            return
        root = Path(self.root)
        self._tmp = tempfile.mkdtemp(prefix="commute-prebuild-")
        cache = Path(self._tmp) / "cache"
        env = {
            **os.environ,
            # pip's isolated build environment reaches its packages through PYTHONPATH: keep it
            "PYTHONPATH": os.pathsep.join(p for p in (str(root / "src"), os.environ.get("PYTHONPATH")) if p),
            "COMMUTE_CACHE_DIR": str(cache),
            "COMMUTE_JIT": "never",
            "PYTHONIOENCODING": "utf-8",
        }
        try:
            subprocess.run(
                [sys.executable, "-m", "commute", *FIRST_COMMAND],
                env=env, cwd=self._tmp, check=True, capture_output=True, timeout=600,
            )  # fmt: skip
        except (OSError, subprocess.SubprocessError) as e:
            err = getattr(e, "stderr", b"") or b""
            self.app.display_warning(f"commute: objects not prebuilt ({e}; {err.decode(errors='replace')[-300:]})")
            return
        for part in ("validated", "objects"):
            if (cache / part).is_dir():
                build_data["force_include"][str(cache / part)] = f"commute/_prebuilt/{part}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the temporary cache."""
        tmp = getattr(self, "_tmp", None)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
