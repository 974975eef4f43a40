"""Read networks in the TNTP format (Transportation Networks for Research).

After the ``<END OF METADATA>`` line, one link per line, tab separated:
``init_node term_node capacity length free_flow_time b power speed toll link_type ;``.
Nodes below ``<FIRST THRU NODE>`` are zone centroids that trips may start and end at but
not pass through; :func:`read_tntp` splits each into a leaving node (its id) and an arriving
node, so that any shortest-path tool honours the rule on the same plain graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from commute.errors import DataNotFoundError, InvalidOptionError


@dataclass(frozen=True)
class TntpNetwork:
    """A TNTP network as arrays (0-based node indices).

    ``src``, ``dst``, ``minutes``: the links (free-flow time). ``zones``: number of zones; the
    leaving node of zone ``z`` (1-based in the file) is ``z - 1``, its arriving node ``n_nodes + z - 1``
    when zones are split. ``x``, ``y``: coordinates of the original nodes (NaN if no node file).
    """

    n: int
    n_nodes: int
    zones: int
    src: np.ndarray
    dst: np.ndarray
    minutes: np.ndarray
    x: np.ndarray
    y: np.ndarray

    def origin_index(self, zone: np.ndarray) -> np.ndarray:
        """Search node of zones (1-based) as origins."""
        return np.asarray(zone) - 1

    def destination_index(self, zone: np.ndarray) -> np.ndarray:
        """Search node of zones (1-based) as destinations."""
        return np.asarray(zone) - 1 + (self.n_nodes if self.n > self.n_nodes else 0)


def _meta(text: str, key: str) -> int | None:
    m = re.search(rf"<{key}>\s*(\d+)", text)
    return int(m.group(1)) if m else None


def read_tntp(net_file: str | Path, node_file: str | Path | None = None, *, split_zones: bool = True) -> TntpNetwork:
    """Read a ``*_net.tntp`` (and optionally ``*_node.tntp``) file.

    Raises
    ------
    DataNotFoundError
        If a file is missing.
    InvalidOptionError
        If the file has no metadata end or no links.
    """
    p = Path(net_file)
    if not p.exists():
        raise DataNotFoundError(f"TNTP file {p} does not exist.")
    text = p.read_text(encoding="utf-8", errors="replace")
    head, sep, body = text.partition("<END OF METADATA>")
    if not sep:
        raise InvalidOptionError(f"{p} has no <END OF METADATA> line; is it a TNTP network file?")
    n_nodes = _meta(head, "NUMBER OF NODES")
    zones = _meta(head, "NUMBER OF ZONES") or 0
    first_thru = _meta(head, "FIRST THRU NODE") or 1
    rows = []
    for line in body.splitlines():
        s = line.strip()
        if not s or s.startswith("~"):
            continue
        parts = s.rstrip(";").split()
        rows.append((int(parts[0]), int(parts[1]), float(parts[4])))
    if not rows:
        raise InvalidOptionError(f"{p} has no links.")
    a = np.array(rows)
    src, dst, minutes = a[:, 0].astype(np.int64), a[:, 1].astype(np.int64), a[:, 2]
    n_nodes = n_nodes or int(max(src.max(), dst.max()))
    src0, dst0 = src - 1, dst - 1
    n = n_nodes
    if split_zones and first_thru > 1:
        # links into a centroid arrive at its arriving copy; nothing leaves an arriving copy
        is_zone_dst = dst < first_thru
        dst0 = np.where(is_zone_dst, n_nodes + dst - 1, dst0)
        n = n_nodes + zones
    x = np.full(n_nodes, np.nan)
    y = np.full(n_nodes, np.nan)
    if node_file is not None:
        nf = Path(node_file)
        if not nf.exists():
            raise DataNotFoundError(f"TNTP node file {nf} does not exist.")
        for line in nf.read_text(encoding="utf-8", errors="replace").splitlines()[1:]:
            parts = line.replace(";", " ").split()
            if len(parts) >= 3:
                i = int(parts[0]) - 1
                if 0 <= i < n_nodes:
                    x[i], y[i] = float(parts[1]), float(parts[2])
    return TntpNetwork(n, n_nodes, zones, src0, dst0, minutes, x, y)
