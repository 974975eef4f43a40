"""The results of a sweep: a Parquet dataset (a folder of part files), keyed by scenario hash.

Layout of ``results.parquet/``:

- ``_sweep.json``: what the sweep is (its digest, items, grid, costs, the sampled orders);
- ``part-<id>.parquet``: the rows of one finished batch, one row per scenario and metric
  (columns :data:`commute.sweep.evaluate.ROW_COLUMNS`).

A part is written to a hidden temporary file and renamed into place, so a part either holds
a whole batch or does not exist; readers (pandas, pyarrow, Dask, DuckDB) skip files that
start with ``_`` or ``.``. Resuming reads the scenario hashes already present.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from commute.errors import CommuteError, DataNotFoundError
from commute.sweep.evaluate import ROW_COLUMNS

META = "_sweep.json"


class SweepMismatchError(CommuteError, ValueError):
    """The results folder holds the results of a different sweep."""


def open_store(path: str | Path, meta: dict[str, Any]) -> Path:
    """Create the dataset folder (or check that it holds this same sweep) and return it.

    Raises
    ------
    SweepMismatchError
        If the folder holds results of a sweep with another digest.
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise SweepMismatchError(f"{p} is a file, not a results folder; give another -o path or remove it.")
    p.mkdir(parents=True, exist_ok=True)
    m = p / META
    if m.exists():
        old = json.loads(m.read_text(encoding="utf-8"))
        if old.get("digest") != meta["digest"]:
            raise SweepMismatchError(
                f"{p} holds results of another sweep ({old.get('name')!r}, digest {old.get('digest')}); "
                "give a new -o path or delete the folder."
            )
    else:
        tmp = p / f".{META}.tmp"
        tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, m)
    return p


def read_meta(path: str | Path) -> dict[str, Any]:
    """The ``_sweep.json`` of a results folder.

    Raises
    ------
    DataNotFoundError
        If the folder is not a sweep's results.
    """
    m = Path(path) / META
    if not m.is_file():
        raise DataNotFoundError(f"{path} is not the results of a sweep (no {META}); give the -o folder of a sweep run.")
    meta: dict[str, Any] = json.loads(m.read_text(encoding="utf-8"))
    return meta


def parts(path: str | Path) -> list[Path]:
    """The finished part files, in name order."""
    return sorted(Path(path).glob("part-*.parquet"))


def done(path: str | Path) -> set[str]:
    """Scenario hashes with results in the folder."""
    out: set[str] = set()
    for f in parts(path):
        out.update(pd.read_parquet(f, columns=["scenario"])["scenario"].unique())
    return out


def write_part(path: str | Path, rows: pd.DataFrame) -> Path:
    """Write one batch's rows as a part, atomically; its name is a hash of its scenarios."""
    hashes = sorted(rows["scenario"].unique())
    name = hashlib.sha256(",".join(hashes).encode()).hexdigest()[:16]
    f = Path(path) / f"part-{name}.parquet"
    tmp = Path(path) / f".part-{name}.parquet.tmp"
    rows[ROW_COLUMNS].to_parquet(tmp, index=False)
    os.replace(tmp, f)
    return f


def read_results(path: str | Path) -> pd.DataFrame:
    """Every row of a results folder (columns :data:`ROW_COLUMNS`)."""
    fs = parts(path)
    if not fs:
        read_meta(path)
        return pd.DataFrame(columns=ROW_COLUMNS)
    return pd.concat([pd.read_parquet(f) for f in fs], ignore_index=True)
