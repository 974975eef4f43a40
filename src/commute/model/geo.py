"""Small geometry helpers: great-circle distance and the project's metric CRS."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0088
#: Store coordinates in WGS84; do metric geometry in UTM zone 50N, which covers the region.
STORAGE_CRS = "EPSG:4326"
METRIC_CRS = "EPSG:32650"


def haversine_km(lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike) -> np.ndarray:
    """Great-circle distance in km between points given in degrees.

    Examples
    --------
    >>> round(float(haversine_km(114.0, 30.0, 115.0, 30.0)), 1)
    96.3
    """
    x1, y1, x2, y2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    h = np.sin((y2 - y1) / 2) ** 2 + np.cos(y1) * np.cos(y2) * np.sin((x2 - x1) / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h)))
