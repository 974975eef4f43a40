"""What a sweep's results say: smallest passing subsets, the cost Pareto front, contributions.

Every function takes the rows of a results folder (:func:`commute.sweep.store.read_results`)
and its ``_sweep.json`` record, and works grid point by grid point.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from commute.sweep import shapley
from commute.sweep.evaluate import ALL

KEYS = ["targets", "rule", "metric"]


def _members(mask: int, items: list[str]) -> str:
    return " + ".join(n for i, n in enumerate(items) if mask >> i & 1) or "(none)"


def smallest_passing(rows: pd.DataFrame, meta: dict[str, Any], *, show: int = 3) -> pd.DataFrame:
    """Per grid point and rule: the fewest items with which every pair passes, and such subsets.

    The ``*`` rule means every rule of every target set at once. ``exact`` says whether every
    subset was run (else the smallest among the sampled ones).
    """
    items = meta["items"]
    full = meta.get("sample") is None
    ok = rows[(rows["metric"] == "all_pass") | ((rows["rule"] == ALL) & (rows["metric"] == "rules_met"))].copy()
    n_rules = rows[rows["metric"] == "all_pass"].groupby("grid")["rule"].nunique()
    ok["passes"] = np.where(
        ok["metric"] == "all_pass", ok["value"] == 1, ok["value"] == ok["grid"].map(n_rules).fillna(-1)
    )
    out = []
    for (grid, ts, rule), df in ok.groupby(["grid", "targets", "rule"], sort=False):
        p = df[df["passes"]]
        if p.empty:
            out.append(_sp_row(grid, ts, rule, None, 0, "", full))
            continue
        n = int(p["n_members"].min())
        best = sorted(p.loc[p["n_members"] == n, "mask"].astype(int).unique())
        text = "; ".join(_members(m, items) for m in best[:show]) + (
            f"; ... ({len(best)} in all)" if len(best) > show else ""
        )
        out.append(_sp_row(grid, ts, rule, n, len(best), text, full))
    df = pd.DataFrame(out, columns=["grid", "targets", "rule", "fewest_items", "subsets", "examples", "exact"])
    return df.astype({"fewest_items": "Int64"})


def _sp_row(grid: str, ts: str, rule: str, n: int | None, count: int, text: str, full: bool) -> dict[str, Any]:
    return {
        "grid": grid,
        "targets": ts,
        "rule": rule,
        "fewest_items": n,
        "subsets": count,
        "examples": text if n is not None else "no subset passes",
        "exact": full,
    }


def pareto(rows: pd.DataFrame, meta: dict[str, Any]) -> tuple[pd.DataFrame, str]:
    """The subsets no other beats on both rules met (more) and cost (less), per grid point.

    Cost is the sum of the items' costs (billion yuan) when the sweep gives a sourced cost for
    every item; otherwise it is the number of items, and the note says so.

    Returns
    -------
    tuple
        The front (``grid, cost, rules_met, subsets, members``) and a note on what cost means.
    """
    items = meta["items"]
    costs = meta.get("costs") or {}
    have_cost = bool(items) and all(i in costs for i in items)
    if have_cost:
        unit = np.array([float(costs[i]["cny_bn"]) for i in items])
        note = "cost: billion yuan, the sum of the items' costs given in the sweep file (each with its source)"
    else:
        unit = np.ones(len(items))
        lacking = [i for i in items if i not in costs]
        note = (
            "cost: number of items; projects.csv has no cost column and the sweep file gives no sourced cost for "
            + ", ".join(lacking[:5])
            + (" ..." if len(lacking) > 5 else "")
        )
    met = rows[(rows["rule"] == ALL) & (rows["metric"] == "rules_met")].drop_duplicates("scenario")
    out = []
    for grid, df in met.groupby("grid", sort=False):
        masks = df["mask"].astype(int).to_numpy()
        cost = np.array([unit[[i for i in range(len(items)) if m >> i & 1]].sum() for m in masks])
        val = df["value"].to_numpy()
        best = -np.inf
        for c in sorted(set(cost.round(9))):
            at = np.isclose(cost, c)
            v = val[at].max()
            if v > best:
                best = v
                win = sorted(masks[at & (val == v)])
                out.append(
                    {
                        "grid": grid,
                        "cost": float(c),
                        "rules_met": float(v),
                        "subsets": len(win),
                        "members": "; ".join(_members(m, items) for m in win[:3]) + (" ..." if len(win) > 3 else ""),
                    }
                )
    return pd.DataFrame(out, columns=["grid", "cost", "rules_met", "subsets", "members"]), note


def contributions(rows: pd.DataFrame, meta: dict[str, Any]) -> pd.DataFrame:
    """Shapley value of every item for every metric, per grid point.

    Exact where all ``2**k`` subsets were run (standard error 0); otherwise sampled from the
    random orders recorded in ``_sweep.json`` (every prefix of them was run), with the standard
    error of the mean. ``total`` is the full set's value minus the empty set's; exact values
    add up to it exactly, and so do sampled ones (each order's contributions telescope).
    """
    items = meta["items"]
    k = len(items)
    out = []
    if not k:
        return pd.DataFrame(columns=["grid", *KEYS, "item", "shapley", "se", "method", "total"])
    for grid, df in rows.groupby("grid", sort=False):
        wide = df.drop_duplicates(["scenario", *KEYS]).pivot_table(
            index="mask", columns=KEYS, values="value", aggfunc="first"
        )
        table = {int(m): wide.loc[m].to_numpy(dtype=float) for m in wide.index}
        full_mask = (1 << k) - 1
        if all(m in table for m in range(1 << k)):
            phi, se, method = shapley.exact(table, k), None, "exact"
        else:
            orders = [o for o in meta.get("orders") or [] if all(m in table for m in shapley.prefix_masks(o))]
            if len(orders) < 2:
                continue
            phi, se = shapley.sampled(table, orders, k)
            method = f"sampled ({len(orders)} orders)"
        total = table[full_mask] - table[0] if full_mask in table and 0 in table else np.full(phi.shape[1], np.nan)
        for j, col in enumerate(wide.columns):
            for i, name in enumerate(items):
                out.append(
                    {
                        "grid": grid,
                        "targets": col[0],
                        "rule": col[1],
                        "metric": col[2],
                        "item": name,
                        "shapley": float(phi[i, j]),
                        "se": 0.0 if se is None else float(se[i, j]),
                        "method": method,
                        "total": float(total[j]),
                    }
                )
    return pd.DataFrame(out, columns=["grid", *KEYS, "item", "shapley", "se", "method", "total"])
