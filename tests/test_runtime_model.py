from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from commute.errors import InvalidOptionError
from commute.io import timetable as tt
from commute.model.runtime_model import ClassFit, RunTimeModel, calibrate

from .conftest import shared_file


def test_calibration_recovers_known_coefficients():
    rng = np.random.default_rng(1)
    rows = []
    for i in range(200):
        km = rng.uniform(20, 300)
        rows.append((f"T{i % 40}", "G", 0.0, km, km, 1.08 * 60 * km / 300 + 5.0, np.nan))
    segs = pd.DataFrame(rows, columns=["trip_id", "train_class", "from_km", "to_km", "km", "run_min", "dwell_min"])
    model, report = calibrate(segs, lambda a, b: 300.0, classes=("G",))
    fit = model.classes["G"]
    assert fit.a == pytest.approx(1.08, abs=1e-9)
    assert fit.b == pytest.approx(5.0, abs=1e-9)
    assert report["mae_min"].iloc[0] == pytest.approx(0.0, abs=1e-9)


def test_minutes_and_caps():
    m = RunTimeModel({"G": ClassFit(1.0, 5.0, 350, 2.0), "D": ClassFit(1.0, 5.0, 250, 3.0)})
    assert m.minutes(350, 350, "G") == pytest.approx(65.0)
    assert m.minutes(250, 350, "D") == pytest.approx(65.0)  # D is capped at 250 km/h
    assert m.minutes(100, 200, "C") == m.minutes(100, 200, "D")  # C aliases D
    assert m.dwell("D") == 3.0
    with pytest.raises(InvalidOptionError):
        m.minutes(-1, 300)
    with pytest.raises(InvalidOptionError, match="no run-time coefficients"):
        m.fit_for("X")


def test_round_trip_yaml(tmp_path):
    m = RunTimeModel({"G": ClassFit(0.98, 6.4, 350, 2.0)}, "test")
    m.write(tmp_path / "c.yaml")
    assert RunTimeModel.load(tmp_path / "c.yaml").classes["G"] == m.classes["G"]


def _bg_speed(a, b):
    """Top operating speed of the Beijing-Guangzhou line on 2021-01-20 (as the build script uses)."""
    lo, hi = min(a, b), max(a, b)
    return 310.0 if hi <= 1229 else (305.0 if lo >= 1229 and hi <= 2298 else float("nan"))


@pytest.fixture(scope="module")
def real_calibration():
    path = shared_file("rail/timetable_beijing_guangzhou_hsr_2021-01-20.csv")
    trips = tt.read_stop_times_csv(path, day=dt.date(2021, 1, 20))
    return calibrate(tt.segments(trips), _bg_speed)


def test_calibration_on_real_timetable_is_accurate(real_calibration):
    _model, report = real_calibration
    g = report.set_index("train_class").loc["G"]
    assert g["n"] > 1000
    assert g["mae_min"] < 4.0
    assert g["cv_mae_min"] < 4.0
    assert abs(g["bias_min"]) < 1e-6


def test_shipped_calibration_matches_real_timetable(net, real_calibration):
    """The committed coefficients are the ones the real timetable gives."""
    model, _ = real_calibration
    for c in ("G", "D"):
        assert net.model.classes[c].a == pytest.approx(model.classes[c].a, abs=1e-5)
        assert net.model.classes[c].b == pytest.approx(model.classes[c].b, abs=1e-5)
