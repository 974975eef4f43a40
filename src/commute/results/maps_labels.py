"""Map labels that never collide: a greedy placement over candidate positions.

Labels are placed in priority order (the origin first, then the larger cities). Each tries
eight positions around its point (right, above-right, left, ...), measured in display
coordinates with the figure's renderer; the first position whose box overlaps no label already
placed, no marker of another labelled point, no blocked area (the legend, the north arrow, the
scale bar) and stays inside the axes is kept. A label with no free position is left out, except
``required`` ones (the origin), which take their best position. So no two drawn labels overlap
(tested on the drawn figure), and the origin is always named.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Offsets (points) of a label's anchor from its point, in the order they are tried.
CANDIDATES: tuple[tuple[float, float, str, str], ...] = (
    (5, 3, "left", "bottom"),
    (5, -3, "left", "top"),
    (-5, 3, "right", "bottom"),
    (-5, -3, "right", "top"),
    (0, 6, "center", "bottom"),
    (0, -6, "center", "top"),
    (8, 0, "left", "center"),
    (-8, 0, "right", "center"),
)


@dataclass(frozen=True)
class Label:
    """A label to place: data coordinates, text, and whether it must be drawn."""

    x: float
    y: float
    text: str
    required: bool = False
    bold: bool = False
    size: float = 8.0
    marker_pt: float = 3.0  # half-size (points) of the point's marker, kept free of other labels


def _overlaps(a: Any, b: Any, pad: float = 1.0) -> bool:
    return not (a.x1 + pad <= b.x0 or b.x1 + pad <= a.x0 or a.y1 + pad <= b.y0 or b.y1 + pad <= a.y0)


def place_labels(ax: Any, labels: list[Label], *, font: Any = None, blocked: list[Any] | None = None) -> list[Any]:
    """Draw ``labels`` on ``ax`` where they collide with nothing; return the Text artists drawn.

    Call it after the axes' limits and the figure's layout are final (the boxes are measured
    in display coordinates). ``blocked`` are display-space boxes (``Bbox``) to keep free.
    """
    from matplotlib.transforms import Bbox

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    dpi_scale = fig.dpi / 72.0
    axes_box = ax.get_window_extent(renderer)
    taken: list[Any] = list(blocked or [])
    points = []
    for lab in labels:
        px, py = ax.transData.transform((lab.x, lab.y))
        r = lab.marker_pt * dpi_scale
        points.append(Bbox([[px - r, py - r], [px + r, py + r]]))
    drawn = []
    for k, lab in enumerate(labels):
        others = [b for j, b in enumerate(points) if j != k]
        best: tuple[int, Any] | None = None
        for dx, dy, ha, va in CANDIDATES:
            t = ax.annotate(
                lab.text,
                (lab.x, lab.y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontproperties=font,
                fontsize=lab.size,
                fontweight="bold" if lab.bold else "normal",
                color="#1a1a1a",
                zorder=9 if lab.required else 6,
            )
            if font is not None:
                t.set_fontsize(lab.size)
            box = t.get_window_extent(renderer)
            inside = axes_box.x0 <= box.x0 and box.x1 <= axes_box.x1 and axes_box.y0 <= box.y0 and box.y1 <= axes_box.y1
            clashes = sum(_overlaps(box, b) for b in taken) + sum(_overlaps(box, b, 0.0) for b in others)
            if inside and clashes == 0:
                best = (0, t)
                break
            score = clashes + (0 if inside else 100)
            if lab.required and (best is None or score < best[0]):
                if best is not None:
                    best[1].remove()
                best = (score, t)
            else:
                t.remove()
        if best is None:
            continue
        t = best[1]
        import matplotlib.patheffects as pe

        t.set_path_effects([pe.withStroke(linewidth=2.5, foreground="white", alpha=0.85)])
        taken.append(t.get_window_extent(renderer))
        drawn.append(t)
    return drawn


def label_boxes_overlap(texts: list[Any]) -> list[tuple[str, str]]:
    """Pairs of drawn labels whose boxes overlap (for tests; empty when the placement held)."""
    if not texts:
        return []
    renderer = texts[0].figure.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    return [(a, b) for i, (a, ba) in enumerate(boxes) for (b, bb) in boxes[i + 1 :] if _overlaps(ba, bb, 0.0)]
