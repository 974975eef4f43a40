"""Interrupts during a set of writes: the old files or the new ones, never a mix, never a temporary file.

A child process writes a set of files through :func:`commute.output.write_set_atomic` (the path
snapshot sets take), or a batch of maps through :func:`commute.results.map_files.write_isochrone_set`
(the path ``commute isochrones`` with several origins takes), and is sent SIGINT, SIGTERM or
SIGKILL at a random moment. SIGINT and
SIGTERM leave no temporary file; after SIGKILL (which nothing can catch) the temporary files
are hidden and the next write to the folder removes them (:func:`commute.output.sweep_stale`),
or, when the kill came between the renames of a committed set, finishes the renames.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from commute.output import sweep_stale, write_set_atomic

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import signal, sys, time
from pathlib import Path
from commute.cli import Terminated, _on_sigterm
from commute.output import write_set_atomic
signal.signal(signal.SIGTERM, _on_sigterm)
out = Path(sys.argv[1])
def slow(text):
    def w(p):
        p.write_text(text[: len(text) // 2], encoding="utf-8")
        time.sleep(0.04)
        p.write_text(text, encoding="utf-8")
    return w
print("ready", flush=True)
try:
    write_set_atomic({out / f"f{i}.csv": slow(f"new {i}\\n" * 1000) for i in range(6)})
except (KeyboardInterrupt, Terminated):
    sys.exit(130)
"""


def _state(d: Path) -> tuple[set[str], list[str]]:
    kinds = {p.read_text(encoding="utf-8").split(" ")[0] for p in d.glob("f*.csv")}
    temps = sorted(p.name for p in d.iterdir() if p.name.startswith("."))
    return kinds, temps


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
@pytest.mark.parametrize("delay", [0.02, 0.1, 0.2, 0.3])
def test_a_set_is_old_or_new_after_a_signal(tmp_path, sig, delay):
    for i in range(6):
        (tmp_path / f"f{i}.csv").write_text(f"old {i}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)], stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
    time.sleep(delay)
    proc.send_signal(sig)
    proc.wait(timeout=20)
    proc.stdout.close()
    kinds, temps = _state(tmp_path)
    assert kinds in ({"old"}, {"new"}), kinds  # never a mix
    if sig != signal.SIGKILL:
        assert temps == [], temps
        assert proc.returncode in (0, 130, -sig)  # -sig: the signal came after the set was written
    sweep_stale(tmp_path)  # what the next write does first
    assert _state(tmp_path) == (kinds, [])


KILLED_IN_RENAMES = """
import os, signal, sys
from pathlib import Path
import commute.output as out
real, n = os.replace, [0]
def replace(a, b):
    real(a, b)
    if Path(b).suffix == ".csv":
        n[0] += 1
        if n[0] == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)
out.os.replace = replace
d = Path(sys.argv[1])
def writer(i):
    return lambda p: p.write_text(f"new {i}\\n", encoding="utf-8")
out.write_set_atomic({d / f"f{i}.csv": writer(i) for i in range(4)})
"""


@pytest.mark.parametrize("after", [1, 3])
def test_sigkill_between_the_renames_is_finished_by_the_next_sweep(tmp_path, after):
    """Killed after ``after`` of 4 renames: a mix on disk until the journal is replayed, then the new set."""
    for i in range(4):
        (tmp_path / f"f{i}.csv").write_text(f"old {i}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    r = subprocess.run([sys.executable, "-c", KILLED_IN_RENAMES, str(tmp_path), str(after)], env=env, timeout=60)
    assert r.returncode == -signal.SIGKILL
    kinds, temps = _state(tmp_path)
    assert kinds == {"old", "new"} and temps  # killed half-way through the renames
    sweep_stale(tmp_path)
    assert _state(tmp_path) == ({"new"}, [])


def test_a_failing_writer_changes_nothing(tmp_path):
    for i in range(3):
        (tmp_path / f"f{i}.csv").write_text(f"old {i}\n", encoding="utf-8")

    def boom(p):
        p.write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device")

    writers = {tmp_path / "f0.csv": lambda p: p.write_text("new 0\n"), tmp_path / "f1.csv": boom}
    with pytest.raises(Exception, match="No space left"):
        write_set_atomic(writers)
    assert _state(tmp_path) == ({"old"}, [])


def test_keyboard_interrupt_in_a_writer_leaves_no_temporary_file(tmp_path):
    (tmp_path / "f0.csv").write_text("old 0\n", encoding="utf-8")

    def interrupted(p):
        p.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_set_atomic({tmp_path / "f0.csv": interrupted})
    assert _state(tmp_path) == ({"old"}, [])


def test_sigint_exits_130_with_one_line(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    code = (
        "import os, signal, sys\n"
        "from commute.cli import main\n"
        "import commute.cli.scenario as s\n"
        "def run(args):\n"
        "    import os, signal\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    return 0\n"
        "s.run_validate.__code__ = run.__code__\n"
        "sys.exit(main(['scenario', 'validate', 'x.yaml']))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 130, r.stderr
    assert r.stderr.strip().splitlines() == ["commute: interrupted; nothing half-written was left."]


# ------------------------------------------------------------------------------------------------
# A batch of maps (``commute isochrones --origin A --origin B ...``)
MAP_NAMES = ("a.geojson", "b.gpkg", "c.geojson", "d.gpkg", "e.html")
CHILD_MAPS = """
import dataclasses, pickle, signal, sys, time
from pathlib import Path
from commute.cli import Terminated, _on_sigterm
import commute.results.map_files as mf
signal.signal(signal.SIGTERM, _on_sigterm)
out = Path(sys.argv[2])
files = [dataclasses.replace(m, path=out / m.path.name) for m in pickle.loads(Path(sys.argv[1]).read_bytes())]
real = mf.isochrone_writer
def slow(m):
    write = real(m)
    def w(p):
        write(p)
        time.sleep(0.05)
    return w
mf.isochrone_writer = slow
print("ready", flush=True)
try:
    mf.write_isochrone_set(files)
except (KeyboardInterrupt, Terminated):
    sys.exit(130)
"""


@pytest.fixture(scope="module")
def map_batch(tmp_path_factory):
    """A pickled batch of small maps (GeoJSON, GeoPackage, HTML) and the bytes each file must have."""
    import pickle

    from commute.model.scenario import graph_for
    from commute.results.isochrones import isochrones
    from commute.results.map_files import MapFile, write_isochrone_set

    G = graph_for()
    iso = isochrones(G, "鄂州", "60")
    d = tmp_path_factory.mktemp("maps")
    files = [MapFile(iso, G, d / name) for name in MAP_NAMES]
    write_isochrone_set(files)
    new = {name: (d / name).read_bytes() for name in MAP_NAMES}
    batch = d / "batch.pickle"
    batch.write_bytes(pickle.dumps(files))
    return batch, new


def _map_state(d: Path, new: dict[str, bytes]) -> tuple[set[str], list[str]]:
    kinds = {"new" if (d / n).read_bytes() == new[n] else (d / n).read_text(encoding="utf-8") for n in MAP_NAMES}
    temps = sorted(p.name for p in d.iterdir() if p.name.startswith("."))
    return kinds, temps


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
@pytest.mark.parametrize("delay", [0.1, 2.5])  # while the maps are saved; after the set is in place
def test_a_map_batch_is_old_or_new_after_a_signal(tmp_path, map_batch, sig, delay):
    batch, new = map_batch
    for name in MAP_NAMES:
        (tmp_path / name).write_text("old", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD_MAPS, str(batch), str(tmp_path)], stdout=subprocess.PIPE, env=env
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
    time.sleep(delay)
    proc.send_signal(sig)
    proc.wait(timeout=30)
    proc.stdout.close()
    kinds, temps = _map_state(tmp_path, new)
    assert kinds in ({"old"}, {"new"}), kinds  # never a mix
    if sig != signal.SIGKILL:
        assert temps == [], temps
        assert proc.returncode in (0, 130, -sig)
    sweep_stale(tmp_path)
    assert _map_state(tmp_path, new) == (kinds, [])


def _batch_argv(out: Path) -> list[str]:
    return ["isochrones", "--origin", "鄂州", "--origin", "黄石", "--origin", "孝感", "--minutes", "60",
            "-o", str(out / "{origin}.geojson")]  # fmt: skip


def test_a_map_batch_from_the_cli_is_one_set(tmp_path, monkeypatch, capsys):
    """A failure or Ctrl-C while the third map is saved leaves the first two maps old too."""
    import commute.results.map_files as mf
    from commute.cli import main

    names = ("鄂州.geojson", "黄石.geojson", "孝感.geojson")
    for n in names:
        (tmp_path / n).write_text("old", encoding="utf-8")
    real = mf.isochrone_writer
    for failure in (OSError(28, "No space left on device"), KeyboardInterrupt()):

        def failing(m, failure=failure):
            write = real(m)

            def w(tmp):
                write(tmp)
                if m.path.name == names[2]:
                    raise failure

            return w

        monkeypatch.setattr(mf, "isochrone_writer", failing)
        rc = main(_batch_argv(tmp_path))
        err = capsys.readouterr().err
        assert rc == (2 if isinstance(failure, OSError) else 130), err
        assert "Traceback" not in err
        assert {(tmp_path / n).read_text(encoding="utf-8") for n in names} == {"old"}
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)  # no temporary file
    monkeypatch.setattr(mf, "isochrone_writer", real)
    assert main(_batch_argv(tmp_path)) == 0
    assert all((tmp_path / n).read_text(encoding="utf-8").startswith("{") for n in names)
