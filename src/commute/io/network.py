"""Network tables: find, read and validate a network folder.

A network is a folder of CSV tables plus ``network.yaml`` (see ``networks/README.md``). This
module reads them into a :class:`Network` (immutable: a bundle of DataFrames) and checks them,
collecting every problem with its file and line before raising.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from commute.errors import DataNotFoundError, Problems
from commute.io.network_trips import validate_trip_tables
from commute.model.geo import haversine_km
from commute.model.params import Parameters
from commute.model.runtime_model import RunTimeModel

DEFAULT_NETWORK = "wuhan_circle"
STATUSES = ("open", "construction", "planned", "uncertain")

#: Required columns of each table.
TABLES: dict[str, tuple[str, ...]] = {
    "places": ("place_id", "name_zh", "kind", "code", "city_id", "pop_2020", "lon", "lat", "area_km2", "source"),
    "cities": ("city_id", "name_zh", "code", "province", "pop_2020", "centre_place", "groups", "source"),
    "stations": (
        "station_id",
        "name_zh",
        "mode",
        "city_id",
        "place_id",
        "lon",
        "lat",
        "status",
        "opened",
        "project",
        "source",
    ),
    "services": (
        "service_id",
        "name_zh",
        "mode",
        "train_class",
        "speed_kmh",
        "trains_per_day",
        "headway_min",
        "bidirectional",
        "status",
        "opened",
        "project",
        "source",
    ),
    "service_stops": ("service_id", "seq", "station_id", "km", "speed_kmh", "run_min", "dwell_min", "line", "line_km"),
    "road_nodes": ("node_id", "name_zh", "place_id", "lon", "lat", "source"),
    "road_links": (
        "link_id",
        "from_node",
        "to_node",
        "name_zh",
        "road_class",
        "length_km",
        "lanes",
        "speed_kmh",
        "status",
        "opened",
        "project",
        "source",
    ),
    "upgrades": (
        "project",
        "kind",
        "target",
        "lanes",
        "speed_kmh",
        "line",
        "from_km",
        "to_km",
        "old_speed_kmh",
        "status",
        "opened",
        "source",
    ),
    "projects": (
        "project_id",
        "name_zh",
        "mode",
        "kind",
        "status",
        "opened_date",
        "year",
        "year_source",
        "elements",
        "note",
        "source",
    ),
}
#: Optional tables (absent: no real timetable / no explicit transfers) and their columns.
OPTIONAL_TABLES: dict[str, tuple[str, ...]] = {
    "trips": ("trip_id", "service_id", "train_no", "train_class", "mode", "source"),
    "trip_stops": ("trip_id", "seq", "station_id", "arrival_min", "departure_min", "pickup", "dropoff"),
    "transfers": ("from_station", "to_station", "min_transfer_min", "source"),
}
#: Optional columns of ``services.csv`` (issue 13): departure hours and the timetable flag.
SERVICE_TIME_COLUMNS = ("first_dep_min", "last_dep_min", "timetable")
_STR_COLS = {
    "trip_id",
    "train_no",
    "from_station",
    "to_station",
    "timetable",
    "place_id",
    "code",
    "city_id",
    "centre_place",
    "groups",
    "station_id",
    "service_id",
    "project",
    "node_id",
    "from_node",
    "to_node",
    "link_id",
    "target",
    "line",
    "project_id",
    "elements",
    "note",
    "name_zh",
    "source",
    "kind",
    "mode",
    "train_class",
    "status",
    "road_class",
    "province",
    "opened_date",
    "year_source",
}


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


def _transit_only(folder: Path) -> bool:
    """Whether ``folder/network.yaml`` declares a transit-only network (``kind: gtfs``)."""
    meta = yaml.safe_load((folder / "network.yaml").read_text(encoding="utf-8")) or {}
    return meta.get("kind") == "gtfs"


def _read_table(folder: Path, name: str) -> pd.DataFrame:
    path = folder / f"{name}.csv"
    if not path.exists():
        if name in TRANSIT_ONLY_OPTIONAL and _transit_only(folder):
            return pd.DataFrame({c: pd.Series(dtype=object if c in _STR_COLS else float) for c in TABLES[name]})
        raise DataNotFoundError(f"network table {path} is missing; every network needs {name}.csv.")
    cols = TABLES.get(name) or OPTIONAL_TABLES[name]
    if name == "services":
        cols = (*cols, *SERVICE_TIME_COLUMNS)
    dtypes = {c: str for c in cols if c in _STR_COLS}
    df = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values={c: [""] for c in cols if c not in _STR_COLS})
    return df


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
    """The network in ``folder`` with content ``version`` (the key: an edited file is a new entry)."""
    del version  # part of the cache key only
    return _load(Path(folder))


@lru_cache(maxsize=NETWORK_CACHE_SIZE)
def _load_validated(folder: str, version: str) -> Network:
    """:func:`_load_cached`, validated once per content (a failed validation is not cached)."""
    net = _load_cached(folder, version)
    validate_network(net)
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
    meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
    tables = {name: _read_table(folder, name) for name in TABLES}
    for name in OPTIONAL_TABLES:
        if (folder / f"{name}.csv").exists():
            tables[name] = _read_table(folder, name)
    calibration = folder / "calibration.yaml"
    # a transit-only network has its trips' own times: no run-time model (an empty one)
    model = (
        RunTimeModel({}) if not calibration.exists() and meta.get("kind") == "gtfs" else RunTimeModel.load(calibration)
    )
    return Network(str(meta.get("name", folder.name)), folder, meta, tables, model, content_version(folder))


def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip())


def validate_network(net: Network) -> None:
    """Check a network's tables; raise one error listing every problem with file and line.

    Raises
    ------
    ValidationError
        With every unknown reference, duplicate id, missing source, non-positive length or
        speed, bad status or year, service with fewer than two stops, and unconnected place.
    """
    probs = Problems(f"network {net.name}")
    t = net.tables

    def file(name: str) -> str:
        return str(net.folder / f"{name}.csv")

    for name, cols in TABLES.items():
        missing = [c for c in cols if c not in t[name].columns]
        if missing:
            probs.add(file(name), 1, f"missing column(s) {', '.join(missing)}", "add the column to the header")
    probs.raise_if_any()

    def each(name: str):  # yields (line, row)
        for i, row in enumerate(t[name].to_dict("records")):
            yield i + 2, row

    ids = {
        "places": "place_id",
        "cities": "city_id",
        "stations": "station_id",
        "services": "service_id",
        "road_nodes": "node_id",
        "road_links": "link_id",
        "projects": "project_id",
    }
    known: dict[str, set[str]] = {}
    for name, col in ids.items():
        seen: dict[str, int] = {}
        for line, row in each(name):
            v = row[col]
            if _is_blank(v):
                probs.add(file(name), line, f"empty {col}", f"give every row a {col}")
            elif v in seen:
                probs.add(file(name), line, f"duplicate {col} {v!r} (first on line {seen[v]})", "make ids unique")
            else:
                seen[v] = line
        known[name] = set(seen)

    for name in ("places", "cities", "stations", "services", "road_nodes", "road_links", "upgrades", "projects"):
        for line, row in each(name):
            if _is_blank(row.get("source")):
                probs.add(
                    file(name), line, "row has no source", "name a shared/data file, a report, or 'estimate: how'"
                )

    def ref(name: str, col: str, target: str, *, blank_ok: bool = False) -> None:
        for line, row in each(name):
            v = row[col]
            if _is_blank(v):
                if not blank_ok:
                    probs.add(file(name), line, f"empty {col}", f"give a {target[:-1]} id")
            elif v not in known[target]:
                probs.add(file(name), line, f"unknown {col} {v!r}", f"use an id from {target}.csv")

    ref("places", "city_id", "cities")
    ref("cities", "centre_place", "places")
    ref("stations", "city_id", "cities", blank_ok=True)
    ref("stations", "place_id", "places", blank_ok=True)
    ref("service_stops", "service_id", "services")
    ref("service_stops", "station_id", "stations")
    ref("road_nodes", "place_id", "places", blank_ok=True)
    ref("road_links", "from_node", "road_nodes")
    ref("road_links", "to_node", "road_nodes")

    def positive(name: str, col: str, *, blank_ok: bool = False, skip=None) -> None:
        for line, row in each(name):
            if skip is not None and skip(row):
                continue
            v = row[col]
            if _is_blank(v):
                if not blank_ok:
                    probs.add(file(name), line, f"empty {col}", f"give a positive {col}")
                continue
            try:
                f = float(v)
            except (TypeError, ValueError):
                probs.add(file(name), line, f"{col} {v!r} is not a number", f"give a positive {col}")
                continue
            if not f > 0:
                probs.add(file(name), line, f"{col} is {v}, not positive", f"give a positive {col}")

    positive("road_links", "length_km")
    positive("road_links", "speed_kmh")
    positive("road_links", "lanes")
    positive("services", "headway_min")
    positive("places", "pop_2020")
    positive("service_stops", "km", blank_ok=True)
    # a timetable service's run_min is the median of its trips, for information: 0 is possible
    # (a bus feed's stops a minute apart); its trips are checked in validate_trip_tables
    svc = t["services"]
    timetabled = (
        set(svc.loc[svc["timetable"].astype(str).str.strip().str.lower() == "true", "service_id"])
        if "timetable" in svc.columns
        else set()
    )
    positive("service_stops", "run_min", blank_ok=True, skip=lambda row: row["service_id"] in timetabled)
    positive("service_stops", "speed_kmh", blank_ok=True)

    for name in ("stations", "services", "road_links", "upgrades"):
        for line, row in each(name):
            if row["status"] not in STATUSES:
                probs.add(
                    file(name), line, f"status {row['status']!r} is not one of {', '.join(STATUSES)}", "fix the status"
                )
            y = row["opened"]
            if not _is_blank(y):
                try:
                    yi = float(y)
                    if yi != int(yi) or not 1800 <= yi <= 2100:
                        raise ValueError
                except (TypeError, ValueError):
                    probs.add(
                        file(name), line, f"opened {y!r} is not a year", "give a year such as 2021 or leave empty"
                    )
            elif row["status"] == "open":
                probs.add(file(name), line, "open row without an opening year", "give the year it opened")
            for p in str(row.get("project", "") or "").split(";"):
                if p and p not in known["projects"]:
                    probs.add(file(name), line, f"unknown project {p!r}", "use an id from projects.csv")

    # stops: each service has >= 2 stops with km and (run or speed) after the first
    stops = t["service_stops"]
    counts = stops.groupby("service_id").size()
    for line, row in each("services"):
        n = int(counts.get(row["service_id"], 0))
        if n < 2:
            probs.add(
                file("services"), line, f"service {row['service_id']!r} has {n} stop(s)", "give at least two stops"
            )
    for line, row in each("service_stops"):
        if int(row["seq"]) > 1 and _is_blank(row["run_min"]):
            if _is_blank(row["km"]) or (
                _is_blank(row["speed_kmh"])
                and row["service_id"] in known["services"]
                and _is_blank(_speed_of(t["services"], row["service_id"]))
            ):
                probs.add(
                    file("service_stops"),
                    line,
                    "stop has neither run_min nor km and speed",
                    "give run_min, or km with a speed",
                )

    for line, row in each("upgrades"):
        if row["kind"] == "road_widen":
            for lid in str(row["target"]).split(";"):
                if lid not in known["road_links"]:
                    probs.add(file("upgrades"), line, f"unknown road link {lid!r}", "use a link_id from road_links.csv")
        elif row["kind"] != "rail_speed":
            probs.add(file("upgrades"), line, f"kind {row['kind']!r} is not road_widen or rail_speed", "fix the kind")

    validate_trip_tables(net, probs, known)

    # every place reaches some mode: a junction with a link, or a station within access reach
    linked = set(t["road_links"]["from_node"]) | set(t["road_links"]["to_node"])
    junction_of = {r["place_id"]: r["node_id"] for _, r in each("road_nodes") if not _is_blank(r["place_id"])}
    st = t["stations"]
    acc = net.params.access
    for line, row in each("places"):
        p = row["place_id"]
        if junction_of.get(p) in linked:
            continue
        d = haversine_km(row["lon"], row["lat"], st["lon"].to_numpy(float), st["lat"].to_numpy(float))
        reach = np.array(
            [
                acc.mode(m).same_city_km if c == row["city_id"] else acc.mode(m).other_city_km
                for m, c in zip(st["mode"], st["city_id"], strict=True)
            ]
        )
        if not (d <= reach).any() and p not in set(st["place_id"]):
            probs.add(
                file("places"),
                line,
                f"place {p!r} is not connected to any mode",
                "add a road link to its junction or a station in it",
            )
    probs.raise_if_any()


def _speed_of(services: pd.DataFrame, sid: str) -> Any:
    row = services.loc[services["service_id"] == sid, "speed_kmh"]
    return row.iloc[0] if len(row) else None
