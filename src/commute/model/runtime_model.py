"""Rail run times from distance and speed, calibrated on a real timetable.

The model for a train running non-stop between two stops ``km`` apart on a line whose
top operating speed is ``V`` (capped by the train class) is::

    minutes = a * (60 * km / V) + b

``60 * km / V`` is the time at top speed all the way; ``a >= 1`` stretches it for curves,
speed restrictions and pathing, and ``b`` is the time lost accelerating and braking at the
two stops. ``a`` and ``b`` are fitted per train class by least squares on every
consecutive-stop segment of a real timetable, and the fit's error is published.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from commute.errors import DataNotFoundError, InvalidOptionError, Problems

#: Top speed of each train class, km/h (G: high-speed EMU at line speed; D: 250 km/h EMU;
#: C: intercity EMU; K/T/Z: conventional locomotive-hauled).
DEFAULT_CLASS_CAPS: dict[str, float] = {"G": 350.0, "D": 250.0, "C": 250.0, "K": 120.0}


@dataclass(frozen=True)
class ClassFit:
    """Fitted coefficients for one train class."""

    a: float
    b: float
    speed_cap_kmh: float
    dwell_min: float


@dataclass(frozen=True)
class RunTimeModel:
    """A calibrated run-time model: ``minutes = a * 60 * km / min(V, cap) + b`` per class."""

    classes: Mapping[str, ClassFit]
    fitted_on: str = ""
    aliases: Mapping[str, str] = field(default_factory=lambda: {"C": "D", "K": "D", "T": "D", "Z": "D"})

    def fit_for(self, train_class: str) -> ClassFit:
        """The coefficients used for a train class (aliases fall back to a fitted class)."""
        c = str(train_class).upper()
        if c in self.classes:
            return self.classes[c]
        if c in self.aliases and self.aliases[c] in self.classes:
            return self.classes[self.aliases[c]]
        raise InvalidOptionError(
            f"train class {train_class!r} has no run-time coefficients; use one of "
            f"{', '.join(sorted(set(self.classes) | set(self.aliases)))}."
        )

    def minutes(self, km: float, speed_kmh: float, train_class: str = "G") -> float:
        """Modelled minutes between two consecutive stops.

        Parameters
        ----------
        km
            Line distance between the stops.
        speed_kmh
            The line's top operating speed (design speed where no lower limit applies).
        train_class
            ``G``, ``D``, ``C`` or a class aliased to one of them.

        Examples
        --------
        >>> m = RunTimeModel({"G": ClassFit(1.1, 4.0, 350, 2.0)})
        >>> round(m.minutes(175, 350), 1)
        37.0
        """
        if km <= 0 or speed_kmh <= 0:
            raise InvalidOptionError(f"run time needs positive km and speed, got {km} km at {speed_kmh} km/h.")
        fit = self.fit_for(train_class)
        cap = DEFAULT_CLASS_CAPS.get(str(train_class).upper(), fit.speed_cap_kmh)
        v = min(float(speed_kmh), cap)
        return fit.a * 60.0 * km / v + fit.b

    def dwell(self, train_class: str = "G") -> float:
        """Median dwell at an intermediate stop for the class, minutes."""
        return self.fit_for(train_class).dwell_min

    def to_dict(self) -> dict[str, Any]:
        """A plain dict for YAML."""
        return {
            "fitted_on": self.fitted_on,
            "formula": "minutes = a * 60 * km / min(V, speed_cap_kmh) + b",
            "classes": {
                k: {
                    "a": round(v.a, 6),
                    "b": round(v.b, 6),
                    "speed_cap_kmh": v.speed_cap_kmh,
                    "dwell_min": round(v.dwell_min, 3),
                }
                for k, v in sorted(self.classes.items())
            },
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RunTimeModel:
        """Inverse of :meth:`to_dict`."""
        classes = {
            k: ClassFit(float(v["a"]), float(v["b"]), float(v["speed_cap_kmh"]), float(v["dwell_min"]))
            for k, v in d["classes"].items()
        }
        return cls(classes, str(d.get("fitted_on", "")))

    @classmethod
    def load(cls, path: str | Path) -> RunTimeModel:
        """Read a model written by :func:`write`."""
        path = Path(path)
        if not path.exists():
            raise DataNotFoundError(f"run-time calibration {path} does not exist; rebuild the network.")
        from commute.io.yamlio import plain, read_yaml

        probs = Problems(f"run-time calibration {path.name}")
        d = read_yaml(path, probs, what="run-time calibration")
        probs.raise_if_any()
        try:
            return cls.from_dict(plain(d))
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            probs.add(
                str(path),
                0,
                f"not a run-time calibration ({type(e).__name__}: {e})",
                "restore it from git or rebuild the network with tools/build_wuhan_circle.py",
            )
            probs.raise_if_any()
            raise  # pragma: no cover

    def write(self, path: str | Path, report: pd.DataFrame | None = None) -> None:
        """Write the coefficients (and the error report, if given) as YAML."""
        d = self.to_dict()
        if report is not None:
            d["error"] = {
                str(r["train_class"]): {
                    k: (round(float(v), 3) + 0.0 if isinstance(v, float) else int(v))
                    for k, v in r.items()
                    if k != "train_class"
                }
                for _, r in report.iterrows()
            }
        Path(path).write_text(yaml.safe_dump(d, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    design = np.column_stack([x, np.ones_like(x)])
    (a, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(a), float(b)


def calibrate(
    segs: pd.DataFrame,
    line_speed: Callable[[float, float], float],
    *,
    classes: tuple[str, ...] = ("G", "D"),
    caps: Mapping[str, float] | None = None,
    folds: int = 5,
    fitted_on: str = "",
    min_dwells: int = 30,
) -> tuple[RunTimeModel, pd.DataFrame]:
    """Fit the run-time model on timetable segments and measure its error.

    Parameters
    ----------
    segs
        Output of :func:`commute.io.timetable.segments`.
    line_speed
        ``line_speed(from_km, to_km)``: the line's top operating speed on that stretch,
        or NaN to leave the segment out.
    classes
        Train classes to fit; others are ignored.
    caps
        Top speed per class (defaults to :data:`DEFAULT_CLASS_CAPS`).
    folds
        Cross-validation folds, split by trip so a train is never in both halves.
    min_dwells
        A class with fewer observed intermediate stops takes the median dwell over all classes.

    Returns
    -------
    (RunTimeModel, pandas.DataFrame)
        The model and one error row per class: ``n`` segments, ``trips``, ``mae_min``,
        ``rmse_min``, ``bias_min`` (model minus timetable), ``mape_pct``, ``cv_mae_min``.
    """
    caps = dict(DEFAULT_CLASS_CAPS if caps is None else caps)
    fits: dict[str, ClassFit] = {}
    report = []
    for cls in classes:
        s = segs[segs["train_class"] == cls].copy()
        v = np.array([line_speed(a, b) for a, b in zip(s["from_km"], s["to_km"], strict=True)], dtype=float)
        s["v"] = np.minimum(v, caps.get(cls, np.inf))
        s = s[np.isfinite(s["v"]) & (s["km"] > 0) & (s["run_min"] > 0)]
        if len(s) < 10:
            raise InvalidOptionError(f"class {cls} has only {len(s)} usable segments; cannot calibrate.")
        x = (60.0 * s["km"] / s["v"]).to_numpy()
        y = s["run_min"].to_numpy()
        a, b = _fit(x, y)
        pred = a * x + b
        err = pred - y
        # cross-validation by trip
        trips = np.array(sorted(s["trip_id"].unique()))
        rng = np.random.default_rng(20210120)
        rng.shuffle(trips)
        fold_of = {t: i % folds for i, t in enumerate(trips)}
        f = s["trip_id"].map(fold_of).to_numpy()
        cv_err = np.empty_like(y)
        for k in range(folds):
            tr, te = f != k, f == k
            ak, bk = _fit(x[tr], y[tr])
            cv_err[te] = ak * x[te] + bk - y[te]
        dw = segs.loc[segs["train_class"] == cls, "dwell_min"].dropna()
        if len(dw) < min_dwells:  # too few stops of this class: the median over every class is better
            dw = segs["dwell_min"].dropna()
        fits[cls] = ClassFit(a, b, float(caps.get(cls, 350.0)), float(np.median(dw)) if len(dw) else 2.0)
        report.append(
            {
                "train_class": cls,
                "n": len(s),
                "trips": len(trips),
                "a": a,
                "b": b,
                "mae_min": float(np.mean(np.abs(err))),
                "rmse_min": float(np.sqrt(np.mean(err**2))),
                "bias_min": float(np.mean(err)),
                "mape_pct": float(100 * np.mean(np.abs(err) / y)),
                "cv_mae_min": float(np.mean(np.abs(cv_err))),
            }
        )
    return RunTimeModel(fits, fitted_on), pd.DataFrame(report)
