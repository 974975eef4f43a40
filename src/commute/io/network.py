"""Network tables: find, read and validate a network folder.

A network is a folder of CSV tables plus ``network.yaml`` (see ``networks/README.md``). This
module reads them into a :class:`Network` (immutable: a bundle of DataFrames) and checks them,
collecting every problem with its file and line before raising.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from commute.errors import DataNotFoundError, Problems
from commute.io import validation_stamp
from commute.io.inputs import read_text
from commute.io.network_checks import validate_network
from commute.io.network_schema import _STR_COLS, OPTIONAL_TABLES, SERVICE_TIME_COLUMNS, STATUSES, TABLES
from commute.io.network_values import check_meta
from commute.io.yamlio import read_yaml
from commute.model.params import Parameters
from commute.model.runtime_model import RunTimeModel

DEFAULT_NETWORK = "wuhan_circle"

__all__ = [
    "DEFAULT_NETWORK",
    "OPTIONAL_TABLES",
    "STATUSES",
    "TABLES",
    "Network",
    "ReadOnlyTables",
    "load_network",
    "networks_root",
    "resolve_network_path",
    "shipped_folder",
    "validate_network",
]


class ReadOnlyTables(Mapping[str, pd.DataFrame]):
    """The tables of a network, read-only: each look-up gives a new view of the stored frame.

    Under pandas copy-on-write a view shares the stored data until it is written to, so
    editing what a look-up returns never changes the network.
    """

    def __init__(self, tables: Mapping[str, pd.DataFrame]) -> None:
        self._tables = dict(tables)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self._tables[name].copy(deep=False)

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)


@dataclass(frozen=True, eq=False)
class Network:
    """The tables of one network, as read from its folder; read-only (tables are :class:`ReadOnlyTables`)."""

    name: str
    folder: Path
    meta: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(repr=False)
    model: RunTimeModel = field(repr=False)
    version: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.tables, ReadOnlyTables):
            object.__setattr__(self, "tables", ReadOnlyTables(self.tables))

    def __getattr__(self, item: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if item in tables:
            return tables[item]
        raise AttributeError(item)

    @property
    def base_year(self) -> int:
        """The first year the network describes."""
        return int(self.meta.get("base_year", 2021))

    @property
    def last_year(self) -> int:
        """The last year a query may ask for."""
        return int(self.meta.get("last_year", 2050))

    @property
    def parameters(self) -> dict[str, Any]:
        """Modelling parameters from ``network.yaml`` as written (see :attr:`params` for the typed set)."""
        return dict(self.meta.get("parameters", {}))

    @cached_property
    def params(self) -> Parameters:
        """The typed, frozen parameter set, read once from ``network.yaml`` (defaults filled in)."""
        return Parameters.from_mapping(self.meta.get("parameters"), self.meta.get("derived"))


def shipped_folder(name: str) -> Path:
    """A folder shipped with commute: ``_<name>`` in the installed package, or ``<name>/`` in the repository."""
    package = Path(__file__).resolve().parents[1]
    for cand in (package / f"_{name}", package.parents[1] / name):
        if cand.is_dir():
            return cand
    raise DataNotFoundError(f"cannot find the shipped {name} folder; reinstall commute.")


def networks_root() -> Path:
    """The folder holding the shipped networks."""
    return shipped_folder("networks")


def resolve_network_path(name_or_path: str | Path | None) -> Path:
    """A network folder from a shipped name (``wuhan_circle``) or a path."""
    if name_or_path is None:
        name_or_path = DEFAULT_NETWORK
    p = Path(name_or_path)
    if p.is_dir():
        return p
    shipped = networks_root() / str(name_or_path)
    if shipped.is_dir():
        return shipped
    names = sorted(d.name for d in networks_root().iterdir() if (d / "network.yaml").exists())
    raise DataNotFoundError(
        f"network {str(name_or_path)!r} is neither a folder nor a shipped network; use a path or one of: "
        f"{', '.join(names)}."
    )


#: Tables a transit-only network (``kind: gtfs`` in network.yaml) may leave out: read as empty.
TRANSIT_ONLY_OPTIONAL = ("places", "cities", "road_nodes", "road_links", "upgrades", "projects")


def read_meta(folder: Path) -> dict[str, Any]:
    """``folder/network.yaml`` as plain data, read safely and checked (a problem raises with its line).

    Raises
    ------
    ValidationError
        If it is not valid YAML, not a mapping, or a year or name has the wrong type.
    """
    path = folder / "network.yaml"
    probs = Problems(f"network {folder.name}")
    meta = check_meta(read_yaml(path, probs, what="network.yaml"), path, probs)
    probs.raise_if_any()
    return meta


#: "Expected 10 fields in line 5, saw 11" and similar: the line pandas names in a CSV error.
_CSV_LINE = re.compile(r"(?:line|row) (\d+)")


def _check_widths(text: str, path: Path, probs: Problems) -> None:
    """A problem for each row with more or fewer fields than the header (pandas would shift or pad it)."""
    rows = csv.reader(io.StringIO(text))
    width = len(next(rows, []))
    try:
        for row in rows:
            if row and len(row) != width:
                probs.add(
                    str(path),
                    rows.line_num,
                    f"row has {len(row)} field{'s' if len(row) != 1 else ''}, the header has {width}",
                    "check the commas and quotes; quote a value that contains a comma",
                )
    except csv.Error as e:
        probs.add(str(path), rows.line_num, f"not a valid CSV table: {e}", "check the commas and quotes")


def _read_table(folder: Path, name: str, meta: Mapping[str, Any]) -> pd.DataFrame:
    path = folder / f"{name}.csv"
    if not path.exists():
        if name in TRANSIT_ONLY_OPTIONAL and meta.get("kind") == "gtfs":
            return pd.DataFrame({c: pd.Series(dtype=object if c in _STR_COLS else float) for c in TABLES[name]})
        raise DataNotFoundError(f"network table {path} is missing; every network needs {name}.csv.")
    cols = TABLES.get(name) or OPTIONAL_TABLES[name]
    if name == "services":
        cols = (*cols, *SERVICE_TIME_COLUMNS)
    dtypes = {c: str for c in cols if c in _STR_COLS}
    text = read_text(path, what="network table").text
    probs = Problems(f"network {folder.name}")
    _check_widths(text, path, probs)
    probs.raise_if_any()
    try:
        return pd.read_csv(
            io.StringIO(text),
            dtype=dtypes,
            index_col=False,
            keep_default_na=False,
            na_values={c: [""] for c in cols if c not in _STR_COLS},
        )
    except pd.errors.EmptyDataError:
        probs.add(str(path), 0, "the table is empty", f"write at least the header line of {name}.csv")
    except (pd.errors.ParserError, ValueError) as e:
        m = _CSV_LINE.search(str(e))
        msg = str(e).split(". ", 1)[-1].strip().rstrip(".") if "C error" in str(e) else str(e).splitlines()[0]
        line = int(m.group(1)) if m else 0
        probs.add(str(path), line, f"not a valid CSV table: {msg}", "check the commas and quotes")
    probs.raise_if_any()
    raise AssertionError("unreachable")  # pragma: no cover


#: Networks kept in memory (each cache below): the last few folder contents read.
NETWORK_CACHE_SIZE = 4


def content_version(folder: Path) -> str:
    """The network's version: a hash of its tables, ``network.yaml`` and ``calibration.yaml``."""
    h = hashlib.sha256()
    calibration = folder / "calibration.yaml"
    for f in [*sorted(folder.glob("*.csv")), folder / "network.yaml", *([calibration] if calibration.exists() else [])]:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


@lru_cache(maxsize=NETWORK_CACHE_SIZE)
def _load_cached(folder: str, version: str) -> Network:
    """The network in ``folder`` with content ``version`` (the key: an edited file is a new entry).

    Read from the on-disk object cache when this content was read before (a pickle loads in a
    few milliseconds, parsing the tables takes about 0.1 s), under the folder's name and the
    content version; the folder is the one asked for.
    """
    from commute.io import object_cache

    key = f"{Path(folder).name}|{version}"
    net = object_cache.load("network", key)
    if isinstance(net, Network) and net.version == version:
        return replace(net, folder=Path(folder))
    net = _load(Path(folder))
    object_cache.save("network", key, net)
    return net


@lru_cache(maxsize=NETWORK_CACHE_SIZE)
def _load_validated(folder: str, version: str) -> Network:
    """:func:`_load_cached`, validated once per content (a failed validation is not cached)."""
    net = _load_cached(folder, version)
    if not validation_stamp.is_stamped(version):
        validate_network(net)
        validation_stamp.stamp(version)
    return net


def load_network(name_or_path: str | Path | None = None, *, validate: bool = True) -> Network:
    """Read (and by default validate) a network folder.

    Parameters
    ----------
    name_or_path
        A shipped network name (default ``wuhan_circle``) or a folder path.
    validate
        Check the tables and raise :class:`~commute.errors.ValidationError` listing every problem.

    Returns
    -------
    Network

    Examples
    --------
    >>> net = load_network()
    >>> net.name, net.base_year
    ('wuhan_circle', 2021)
    """
    folder = resolve_network_path(name_or_path).resolve()
    if not (folder / "network.yaml").exists():
        raise DataNotFoundError(f"{folder} has no network.yaml; is it a network folder?")
    version = content_version(folder)
    return (_load_validated if validate else _load_cached)(str(folder), version)


def _load(folder: Path) -> Network:
    meta_path = folder / "network.yaml"
    if not meta_path.exists():
        raise DataNotFoundError(f"{folder} has no network.yaml; is it a network folder?")
    meta = read_meta(folder)
    tables = {name: _read_table(folder, name, meta) for name in TABLES}
    for name in OPTIONAL_TABLES:
        if (folder / f"{name}.csv").exists():
            tables[name] = _read_table(folder, name, meta)
    calibration = folder / "calibration.yaml"
    # a transit-only network has its trips' own times: no run-time model (an empty one)
    model = (
        RunTimeModel({}) if not calibration.exists() and meta.get("kind") == "gtfs" else RunTimeModel.load(calibration)
    )
    return Network(str(meta.get("name", folder.name)), folder, meta, tables, model, content_version(folder))
