"""Default departure settings of a query, in one place (no imports: the command line reads them).

>>> DEFAULT_WINDOW, DEFAULT_STEP, TRIP_DEPART
((420.0, 540.0), 1.0, 480.0)
"""

from __future__ import annotations

#: Default window of a door-to-door query: the morning peak, 07:00 to 09:00 (minutes of the day).
DEFAULT_WINDOW = (420.0, 540.0)
#: Minutes between the departures a window scans.
DEFAULT_STEP = 1.0
#: Default departure of ``commute trip`` (one itinerary): 08:00.
TRIP_DEPART = 480.0


def clock(minute: float) -> str:
    """A minute of the day as ``HH:MM``.

    >>> clock(TRIP_DEPART), clock(DEFAULT_WINDOW[0])
    ('08:00', '07:00')
    """
    m = round(minute)
    return f"{m // 60:02d}:{m % 60:02d}"
