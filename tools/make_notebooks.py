"""Write the tutorial notebooks in notebooks/ (without outputs). Run from the project root."""

from __future__ import annotations

from pathlib import Path

import nbformat as nbf

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "notebooks"

SETUP = """import os
from pathlib import Path

# run from the notebooks folder or the project root
if Path.cwd().name == "notebooks":
    os.chdir("..")
import matplotlib
import pandas as pd

import commute.notebook as cn

pd.set_option("display.max_colwidth", 120)"""

NOTEBOOKS = {
    "01_targets_today.ipynb": [
        (
            "md",
            """# The "123" and Huangshi "1/3/4" targets on today's network

The Wuhan City Circle plans promise a "123" network: **1 hour** inside the circle, **2 hours** to
the cities of the Yangtze middle-reaches cluster and **3 hours** to the country's major cities.
Huangshi's own plan asks for **1, 3 and 4 hours**. This notebook checks today's network (2026)
against both and shows where it falls short.""",
        ),
        ("code", SETUP),
        (
            "code",
            """today = cn.load("scenarios/today_2026.yaml")
detail, summary = cn.check(today, "123,huangshi_134")
cn.styled(summary[["targets", "rule", "rule_name", "passing", "pairs", "pop_share_passing", "worst"]])""",
        ),
        (
            "md",
            """Each row is a rule. *passing/pairs* counts destinations reached within the limit; the
population share weights them by the 2020 census. The station-to-station rules read the plans'
timetable claims; the door-to-door rules count getting to and from the stations too, which is
why the finer "every county within an hour" reading is far from met.

How long does each circle city take from Wuhan by train today, and how do the best trips go?""",
        ),
        (
            "code",
            """circle = detail[(detail.targets == "123") & (detail.rule == "circle_1h")]
cn.styled(circle[["destination", "minutes", "limit_min", "passed", "short_by_min", "legs"]].sort_values("minutes"))""",
        ),
        (
            "md",
            """The map shows how far one gets from Wuhan's centre in 1, 2 and 3 hours door to door by road
and rail: the bands follow the high-speed lines and expressways, and rail leaves islands around
stations reached by train.""",
        ),
        ("code", """fig = cn.map(today, "武汉", "60,120,180")"""),
        ("code", """fig = cn.map(today, "黄石", "60,180,240")"""),
    ],
    "02_projects_compared.ipynb": [
        (
            "md",
            """# The plan's projects, one by one and together

Which project brings which city within the targets? Each project scenario adds one project to
the network it would join (the 2021 network for the lines opened since, today's for those still
to come). Then a scenario with several changes is split into the contribution of each change.""",
        ),
        ("code", SETUP),
        (
            "code",
            """base21 = cn.load("scenarios/base_2021.yaml")
projects = {
    "武宜高铁": cn.load("scenarios/project_hsr_wuhan_yichang.yaml"),
    "襄荆+荆荆": cn.load("scenarios/project_hsr_xiangyang_jingzhou.yaml"),
    "武阳高速": cn.load("scenarios/project_expressway_wuyang.yaml"),
    "G4 widening": cn.load("scenarios/project_widening_g4.yaml"),
    "all since 2021": cn.load("scenarios/today_2026.yaml"),
}
cmp = cn.compare(base21, projects, "123,huangshi_134")
cn.styled(cmp[cmp.now_pass + cmp.now_fail > 0][["scenario", "targets", "rule", "now_pass", "now_fail",
                                               "mean_gain_min", "pop_newly_within", "pairs_now_passing"]])""",
        ),
        (
            "md",
            """`now_pass` counts pairs that meet the target only with the project; `pop_newly_within` is the
census population those pairs bring within the limit. The 武宜 line is what brings 潜江 within an
hour of Wuhan; the Xiangyang–Jingzhou lines matter for Huangshi's 3-hour reach.

A scenario of several changes: how much does each one contribute? The order-independent average
(Shapley value) sums to the whole scenario's effect.""",
        ),
        (
            "code",
            """from commute.results.attribution import attribute
from commute.io.network import load_network
from commute.model.scenario import load_scenario
from commute.results.targets import load_targets, resolve_targets

sc = load_scenario("scenarios/package_broken_roads.yaml")
sets = [load_targets(p) for p in resolve_targets("123")]
contrib = attribute(load_network(), sc, sets)
contrib.pivot_table(index="what", columns="score", values="shapley").round(1)""",
        ),
        (
            "md",
            """Negative *minutes_short* means the change removes minutes from the targets' shortfall. Which
single closures would break a target that passes today?""",
        ),
        (
            "code",
            """from commute.results.attribution import critical_closures

today = cn.load("scenarios/today_2026.yaml")
critical = critical_closures(today, [load_targets(p) for p in resolve_targets("123")], kinds=("rail",))
critical.head(8)""",
        ),
    ],
    "03_isochrones_before_after.ipynb": [
        (
            "md",
            """# Isochrones before and after a project

How much land comes within 1, 2 and 3 hours of Wuhan with the Wuhan–Yichang high-speed line? The
first map is the 2021 network, the second the same network with the line; the third shows only
the area gained in each band.""",
        ),
        ("code", SETUP),
        (
            "code",
            """before = cn.load("scenarios/base_2021.yaml")
after = cn.load("scenarios/project_hsr_wuhan_yichang.yaml")
fig = cn.map(before, "武汉", "60,120,180")""",
        ),
        ("code", """fig = cn.map(after, "武汉", "60,120,180")"""),
        ("code", """fig = cn.map(after, "武汉", "60,120,180", base=before)"""),
        (
            "md",
            """The gained area follows the new line westwards to 天门, 潜江, 荆州 and 宜昌. The polygons
themselves (for QGIS) come from `commute.results.isochrones.isochrones` or `commute isochrones -o x.gpkg`.""",
        ),
        (
            "code",
            """from commute.results.isochrones import gained, isochrones

g = gained(isochrones(before, "武汉", "60,120,180"), isochrones(after, "武汉", "60,120,180"))
g[["minutes", "gained_km2"]].round(0)""",
        ),
    ],
    "04_build_your_own_scenario.ipynb": [
        (
            "md",
            """# Build your own scenario

A scenario is a small YAML file. This one opens a broken road between 云梦县 and 应城市 and adds
a 160 km/h suburban line 光谷–葛店南–花湖机场–黄石 every 15 minutes, on today's network. Validation
reports every mistake at once, with its line; then we check the targets and compare.""",
        ),
        ("code", SETUP),
        (
            "code",
            """text = '''
name: my test
extends: today_2026.yaml
changes:
  - add_road: {from: 云梦县, to: 应城市, class: highway, lanes: 4, speed_kmh: 80}
  - add_service:
      id: my_line
      name: 光谷–花湖机场–黄石 市域快线
      class: C
      speed_kmh: 160
      headway_min: 15
      new_stations:
        rs_my_guanggu: {name: 光谷(新), lon: 114.41, lat: 30.50, city: wuhan, place: hongshan}
        rs_my_huahu: {name: 花湖机场(新), lon: 115.03, lat: 30.34, city: ezhou, place: echeng}
      stations: [rs_my_guanggu, 葛店南, rs_my_huahu, 黄石]
'''
path = Path("scenarios/_notebook_example.yaml")
path.write_text(text, encoding="utf-8")""",
        ),
        ("md", """A typo is caught with its line and a hint before anything is applied:"""),
        (
            "code",
            """from commute.errors import ValidationError
from commute.io.network import load_network
from commute.model.scenario import describe, load_scenario, validate_file

bad = Path("scenarios/_notebook_bad.yaml")
bad.write_text(text.replace("speed_kmh: 160", "speed_kmh: 1600").replace("应城市", "应城县"), encoding="utf-8")
try:
    validate_file(bad)
except ValidationError as e:
    print(e.report())
finally:
    bad.unlink()""",
        ),
        (
            "code",
            """sc = load_scenario(path)
print("\\n".join(describe(sc, load_network())))
mine = cn.load(path)
today = cn.load("scenarios/today_2026.yaml")
cn.styled(cn.compare(today, {"my test": mine}, "123,huangshi_134,one_day"))""",
        ),
        (
            "md",
            """The new road is what 云梦县 feels first: today the modelled roads make it detour through 孝感 to
reach 应城, 23 km away. The map shows the area 云梦县 gains within 30, 60 and 90 minutes.""",
        ),
        (
            "code",
            """import commute

pd.concat([commute.travel_times(g, "云梦县", "应城市,天门,汉川市", modes="road").assign(scenario=name)
           for name, g in (("today", today), ("my test", mine))]).round(1)""",
        ),
        (
            "code",
            """fig = cn.map(mine, "云梦县", "30,60,90", base=today)
path.unlink()""",
        ),
    ],
    "05_monthly_pass.ipynb": [
        (
            "md",
            """# A monthly pass (月票制) on the Wuhan–Huangshi line and the 武黄 expressway

The circle's plan proposes monthly passes on the intercity railways and expressways (seed 000). Does
a pass make Huangshi–Wuhan a daily commute people can afford, and who gains? The fares, tolls and
running costs are estimates (README, "Cost model"); a pass spreads its price over 44 trips a month,
and the covered part of a journey costs `min(its fare, price / 44)`.""",
        ),
        ("code", SETUP),
        (
            "md",
            """Who gains from the shipped 300-yuan pass (`scenarios/pass_wuhan_huangshi.yaml`): the cheapest
journey by road and by rail from Huangshi and Ezhou to Wuhan, before and after.""",
        ),
        (
            "code",
            """from commute.model.scenario import graph_for
from commute.results.cost_compare import fare_compare
from commute.results.travel import endpoints, make_query

G = graph_for(year=2026)
with_pass = graph_for(scenario="scenarios/pass_wuhan_huangshi.yaml")
query = make_query("07:00-09:00", 1)
who = fare_compare(G, [("pass 300", with_pass)], endpoints(G, "黄石,鄂州"), endpoints(G, "武汉"),
                   modes="road,rail", query=query, cost="fare")
who[["origin", "destination", "mode", "fare_before", "fare_after", "minutes_before", "minutes_after",
     "origin_pop", "gains"]].round(2)""",
        ),
        (
            "md",
            """The population of the circle cities Huangshi reaches within 60 and 90 minutes for at most
20 yuan, against the pass price. The journeys do not depend on the price, so they are found once
and priced again for each pass.""",
        ),
        (
            "code",
            """from dataclasses import replace

from commute.model.cost import costs_of
from commute.model.cost_rules import Cover, Pass
from commute.model.modes import Measure, Mode
from commute.results.cost_journeys import candidates, cheapest_within, reprice

(huangshi,) = endpoints(G, "黄石")
circle = [c for c in endpoints(G, "circle") if c.key != huangshi.key]
journeys = {
    c.key: [j for m in (Mode.ROAD, Mode.RAIL) for j in candidates(G, huangshi, c, m, Measure.DOOR_TO_DOOR, query)]
    for c in circle
}
cover = Cover(classes=frozenset({"C", "D", "G"}), roads=frozenset({"G50 沪渝高速 (黄梅–武汉)"}),
              within=frozenset({"wuhan", "huangshi", "ezhou"}))
rows = []
for price in (None, 150, 300, 600, 900, 1200):
    costs = costs_of(G) if price is None else replace(costs_of(G), passes=(Pass("武黄月票", price, 44, cover),))
    priced = {c.key: reprice(G, journeys[c.key], costs) for c in circle}
    for limit in (60, 90):
        ok = [c for c in circle if (j := cheapest_within(priced[c.key], limit)) is not None and j.fare <= 20]
        rows.append(("no pass" if price is None else price, limit, sum(c.pop for c in ok) / 1e6))
curve = pd.DataFrame(rows, columns=["pass_price_cny", "within_min", "population_m"])
curve.pivot(index="pass_price_cny", columns="within_min", values="population_m").round(2)""",
        ),
        (
            "code",
            """priced_only = curve[curve["pass_price_cny"] != "no pass"]
ax = priced_only.pivot(index="pass_price_cny", columns="within_min", values="population_m").plot(marker="o")
ax.set_xlabel("monthly pass price (CNY, 44 trips)")
ax.set_ylabel("population within the limit for at most 20 CNY (million)")
ax.set_title("From Huangshi: circle population within 60 / 90 min and 20 yuan")""",
        ),
        (
            "md",
            """No journey from Huangshi reaches Wuhan within 60 minutes door to door today, so the pass
cannot move the 60-minute line: it needs a faster train or road first. Within 90 minutes the D train
from 黄石北 becomes affordable with a pass up to about 700 yuan (700 / 44 + two 2-yuan bus fares is
about 20 yuan); above that Wuhan drops out again.""",
        ),
    ],
    "06_sweep.ipynb": [
        (
            "md",
            """# Sweeping the 2035 plan's projects

Which projects of the 2035 plan matter for which target, and which few of them are enough? A
sweep evaluates every subset of a list of projects (here four of the plan's undated ones: 2^4 =
16 scenarios) on Dask, writes the results to a Parquet dataset keyed by each scenario's content
hash, and summarises them: the smallest subsets that pass each target, the Pareto front of
targets met against cost, and each project's Shapley value (its contribution averaged over every
order in which the projects could be built). The full ten-project sweep,
`scenarios/sweeps/plan_2035_projects.yaml` (1,024 scenarios), runs the same way from the command
line: `commute sweep run scenarios/sweeps/plan_2035_projects.yaml -o results.parquet`.""",
        ),
        ("code", SETUP),
        (
            "code",
            """import tempfile

from commute.sweep import analysis
from commute.sweep.expand import count
from commute.sweep.runner import run_sweep
from commute.sweep.spec import load_sweep
from commute.sweep.store import read_meta, read_results

work = Path(tempfile.mkdtemp())
(work / "four.yaml").write_text(
    f\"\"\"name: Four projects of the 2035 plan
base: {Path.cwd() / "scenarios" / "horizon_2035.yaml"}
subsets:
  projects: [fuyin_hsr_wuhan_huangshi, wuhan_ezhou_huangshi_suburban, fuyang_huanggang_hsr,
             wutian_expressway]
targets: [123, huangshi_134, coverage]
\"\"\",
    encoding="utf-8",
)
sweep = load_sweep(work / "four.yaml")
count(sweep)""",
        ),
        (
            "md",
            """`run_sweep` starts a `LocalCluster` of two worker processes (pass `scheduler="tcp://host:8786"`
to use an existing cluster instead). Each worker builds the plan's union graph once and patches its
compiled engine for each subset; rerunning the same call would find every scenario done.""",
        ),
        (
            "code",
            """stats = run_sweep(sweep, work / "results.parquet", workers=2)
rows, meta = read_results(work / "results.parquet"), read_meta(work / "results.parquet")
stats""",
        ),
        (
            "md",
            """One row per scenario and metric: the scenario's hash, the projects on, the target set and rule
(`*` for all of them), the metric and its value.""",
        ),
        ("code", """rows.head(8)"""),
        ("code", """cn.styled(analysis.smallest_passing(rows, meta).drop(columns=["grid"]))"""),
        (
            "code",
            """front, note = analysis.pareto(rows, meta)
print(note)
front.drop(columns=["grid"])""",
        ),
        (
            "md",
            """Each project's Shapley value for the totals over every rule: pairs passing (more is better)
and minutes short of the limits (less is better). The values add up to the whole plan's change
over the base.""",
        ),
        (
            "code",
            """import matplotlib.pyplot as plt

c = analysis.contributions(rows, meta)
tot = c[c.rule == "*"].pivot(index="item", columns="metric", values="shapley")
fig, axes = plt.subplots(1, 2, figsize=(11, 3.5), sharey=True)
for ax, metric in zip(axes, ["pairs_passing", "minutes_short"]):
    tot[metric].plot.barh(ax=ax, color="tab:blue" if metric == "pairs_passing" else "tab:orange")
    ax.set_title(metric.replace("_", " ") + " (Shapley value)")
    ax.axvline(0, color="black", lw=0.8)
fig.tight_layout()
tot.assign(plan_total=c[c.rule == "*"].groupby("metric")["total"].first().reindex(tot.columns).values[0])""",
        ),
        (
            "md",
            """`commute attribute` uses the same Shapley code. `plan_2035_full.yaml` has 11 changes, too many
for every subset at the command line, so its values are sampled from random build orders and come
with a standard error (shown as error bars). Here against road rules (every circle place within an
hour of Wuhan by road; every county within 30 minutes of an expressway) and high-speed rail coverage:
road rules patch one compiled engine per
subset, while rail rules, on the departure-time engine, build each scenario and take longer.""",
        ),
        (
            "code",
            """from commute.io.network import load_network
from commute.model.scenario import load_scenario
from commute.results.attribution import attribute
from commute.results.targets import load_targets, resolve_targets

full = load_scenario("scenarios/plan_2035_full.yaml")
rule = "{id: circle_road, kind: reach, from: 武汉, to: circle_places, within_min: 60, modes: [road]}"
(work / "road.yaml").write_text(chr(10).join(["name: road", "rules:", "  - " + rule, ""]), encoding="utf-8")
sets = [load_targets(work / "road.yaml"), *(load_targets(p) for p in resolve_targets("coverage"))]
att = attribute(load_network(), full, sets, samples=5, seed=1)
ms = att[att.score == "minutes_short"].set_index("what")
ax = ms["shapley"].plot.barh(xerr=ms["shapley_se"], figsize=(7, 4), color="tab:orange")
ax.set_title("road 1 h and coverage: minutes short, Shapley value per change (5 random orders, ± 1 s.e.)")
ax.axvline(0, color="black", lw=0.8)
att[att.score == "pairs_passing"][["what", "leave_one_out", "shapley", "shapley_se", "method", "total"]]""",
        ),
    ],
}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        nb = nbf.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src) for kind, src in cells]
        for i, c in enumerate(nb.cells):
            c["id"] = f"c{i:02d}"
        nbf.write(nb, OUT / name)
        print("wrote", OUT / name)


if __name__ == "__main__":
    main()
