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
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a)))
