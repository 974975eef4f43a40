"""Summaries of checked targets, comparison of two checks, and the numbers attribution splits."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _short(v: float) -> str:
    return f"{v:.2f}" if v < 0.1 else f"{v:.1f}" if v < 1 else f"{v:.0f}"


def _minutes(v: float, short_by: float) -> str:
    """Minutes of a failing pair, with as many decimals as it takes to show it is over its limit.

    Examples
    --------
    >>> _minutes(361.4, 181.4), _minutes(180.2, 0.2), _minutes(180.04, 0.04)
    ('361', '180.2', '180.04')
    """
    return f"{v:.2f}" if short_by < 0.1 else f"{v:.1f}" if short_by < 1 else f"{v:.0f}"


def summarise(detail: pd.DataFrame, *, worst: int = 3) -> pd.DataFrame:
    """Per rule: pairs, pairs passing, population share passing, and the worst pairs.

    Examples
    --------
    >>> from commute.model.scenario import graph_for
    >>> from commute.results.targets import check
    >>> detail = check(graph_for(year=2021), "123", legs=False)
    >>> s = summarise(detail)
    >>> s["rule"].tolist()[:2]
    ['circle_1h', 'circle_places_1h']
    >>> bool((s["passing"] == detail.groupby("rule", sort=False)["passed"].sum().values).all())
    True
    """
    rows = []
    for (ts, rule), df in detail.groupby(["targets", "rule"], sort=False):
        pop = df["pop"].astype(float)
        passing = df["passed"].astype(bool)
        bad = df[~passing].sort_values("short_by_min", ascending=False, na_position="first").head(worst)
        worst_txt = "; ".join(
            f"{r.destination if r.origin == r.destination else r.origin + '→' + r.destination} "
            + (
                "unreachable"
                if pd.isna(r.minutes) and r.measure not in ("station_coverage",)
                else (
                    f"{_minutes(r.minutes, r.short_by_min)} min (+{_short(r.short_by_min)})"
                    if not pd.isna(r.minutes)
                    else "no station"
                )
            )
            for r in bad.itertuples()
        )
        rows.append(
            {
                "targets": ts,
                "rule": rule,
                "rule_name": df["rule_name"].iloc[0],
                "pairs": len(df),
                "passing": int(passing.sum()),
                "all_pass": bool(passing.all()),
                "pop_share_passing": float(pop[passing].sum() / pop.sum()) if pop.sum() else np.nan,
                "limit_min": df["limit_min"].iloc[0],
                "worst": worst_txt,
            }
        )
    return pd.DataFrame(rows)


def compare(base: pd.DataFrame, other: pd.DataFrame, *, label: str = "other") -> pd.DataFrame:
    """Pair by pair: minutes before and after, gain, and whether the pair flips."""
    keys = ["targets", "rule", "origin_id", "destination_id"]
    a = base[[*keys, "rule_name", "origin", "destination", "minutes", "passed", "limit_min", "pop"]]
    b = other[[*keys, "minutes", "passed"]].rename(columns={"minutes": "minutes_after", "passed": "passed_after"})
    m = a.rename(columns={"minutes": "minutes_before", "passed": "passed_before"}).merge(b, on=keys, how="outer")
    m["gain_min"] = m["minutes_before"] - m["minutes_after"]
    m["flip"] = np.select(
        [
            (~m["passed_before"].astype(bool)) & m["passed_after"].astype(bool),
            m["passed_before"].astype(bool) & (~m["passed_after"].astype(bool)),
        ],
        ["now passes", "now fails"],
        default="",
    )
    m.insert(0, "scenario", label)
    return m


def compare_summary(cmp: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and rule: pairs flipped each way, mean gain, population newly within the limit."""
    rows = []
    for (label, ts, rule), df in cmp.groupby(["scenario", "targets", "rule"], sort=False):
        newly = df[df["flip"] == "now passes"]
        lost = df[df["flip"] == "now fails"]
        rows.append(
            {
                "scenario": label,
                "targets": ts,
                "rule": rule,
                "rule_name": df["rule_name"].iloc[0],
                "now_pass": len(newly),
                "now_fail": len(lost),
                "mean_gain_min": float(df["gain_min"].mean()) if df["gain_min"].notna().any() else np.nan,
                "pop_newly_within": int(newly["pop"].sum()) - int(lost["pop"].sum()),
                "pairs_now_passing": ", ".join(f"{r.origin}→{r.destination}" for r in newly.itertuples()),
            }
        )
    return pd.DataFrame(rows)


def score(detail: pd.DataFrame) -> dict[str, float]:
    """Numbers to attribute: pairs passing, population passing and minutes short, in total."""
    return {
        "pairs_passing": float(detail["passed"].sum()),
        "pop_passing": float(detail.loc[detail["passed"].astype(bool), "pop"].sum()),
        "minutes_short": float(detail["short_by_min"].fillna(0).sum()),
    }
