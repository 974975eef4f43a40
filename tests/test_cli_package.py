"""The CLI's shape: verbs registered once, shared options, examples in --help, no heavy import."""

from __future__ import annotations

import argparse
import subprocess
import sys
import textwrap

import pytest

import commute
from commute import cli
from commute.cli import options

HEAVY = ("numpy", "pandas", "networkx", "numba", "scipy")


def _subparsers(p: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(subs[0].choices) if subs else {}


def _leaf_parsers() -> dict[str, argparse.ArgumentParser]:
    out = {}
    for name, p in _subparsers(cli.build_parser()).items():
        actions = _subparsers(p)
        out.update({f"{name} {a}": q for a, q in actions.items()} if actions else {name: p})
    return out


def _run(code: str) -> str:
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True)
    return r.stdout.strip()


@pytest.mark.parametrize("stmt", ["import commute.cli; commute.cli.build_parser()", "import commute"])
def test_parsing_imports_nothing_heavy(stmt):
    loaded = _run(f"""
        import sys
        {stmt}
        print(",".join(m for m in {HEAVY!r} if m in sys.modules))
    """)
    assert loaded == ""


def test_help_exits_before_any_heavy_import():
    loaded = _run(f"""
        import contextlib, io, sys
        from commute.cli import main
        helps = io.StringIO()
        for argv in (["--help"], ["matrix", "--help"], ["snapshot", "check", "--help"]):
            with contextlib.redirect_stdout(helps), contextlib.suppress(SystemExit):
                main(argv)
        assert helps.getvalue().count("usage: commute") == 3
        print(",".join(m for m in {HEAVY!r} if m in sys.modules))
    """)
    assert loaded == ""


def test_every_verb_has_an_example_that_parses():
    leaves = _leaf_parsers()
    assert {"matrix", "info", "check", "compare", "critical", "attribute", "reach", "isochrones"} <= set(leaves)
    assert {"osm import", "gtfs import", "snapshot write", "snapshot check", "scenario validate"} <= set(leaves)
    parser = cli.build_parser()
    for name, p in leaves.items():
        assert p.epilog and p.epilog.startswith("example:\n"), name
        for line in p.epilog.splitlines()[1:]:
            argv = line.split()
            assert argv[0] == "commute" and " ".join(argv[1:]).startswith(name), line
            args = parser.parse_args(argv[1:])  # argparse exits (a test failure) on a wrong example
            assert callable(args.handler)


def test_shared_options_have_one_definition():
    leaves = _leaf_parsers()
    seen: dict[str, set[str]] = {}
    for p in leaves.values():
        for a in p._actions:
            if a.option_strings and a.dest in options.SHARED and a.dest != "output":
                seen.setdefault(a.dest, set()).add(str(a.default))
    # every verb with --network/--year/--targets uses the shared flag and the same default
    for dest in ("network", "year", "targets", "measure"):
        assert seen[dest] == {str(options.SHARED[dest][1]["default"])}, dest
    assert seen["modes"] == {"road,rail", "road,rail,air"}  # matrix defaults to every mode


def test_help_parts_reads_a_docstring():
    doc = """Close a road.

    Every pair whose path used it is recomputed.

    Examples
    --------
    commute demo --year 2021
    """
    assert options.help_parts(doc) == (
        "close a road",
        "Every pair whose path used it is recomputed.",
        "commute demo --year 2021",
    )
    assert options.help_parts("GTFS feeds.") == ("GTFS feeds", "GTFS feeds.", "")


def test_a_new_verb_is_one_module_and_one_line(monkeypatch, tmp_path, capsys):
    (tmp_path / "commute_hello.py").write_text(
        textwrap.dedent('''
        from commute.cli import options

        def run(args):
            """Say hello to a place.

            Examples
            --------
            commute hello --origins 武汉
            """
            print("hello", args.origins)
            return 0

        def register(sub):
            options.add(options.verb(sub, "hello", run), "origins")
        ''')
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cli, "VERBS", (*cli.VERBS, "hello"))
    monkeypatch.setitem(sys.modules, "commute.cli.hello", __import__("commute_hello"))
    assert cli.main(["hello", "--origins", "武汉"]) == 0
    assert capsys.readouterr().out == "hello 武汉\n"


def test_public_names_are_lazy_and_complete():
    for name in commute.__all__:
        assert getattr(commute, name) is not None
    from commute.model.scenario import graph_for
    from commute.results.targets import check, summarise

    assert (commute.graph_for, commute.check, commute.summarise) == (graph_for, check, summarise)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        commute.nope  # noqa: B018
    assert {"travel_times", "graph_for"} <= set(dir(commute))


def test_the_program_ends_as_python_would_without_its_teardown(tmp_path):
    """finish(): threads waited for, atexit handlers run, output flushed, the exit code kept."""
    script = textwrap.dedent(
        f"""
        import atexit, sys, threading, time
        from pathlib import Path
        from commute.cli import finish
        atexit.register(lambda: Path({str(tmp_path / "atexit")!r}).write_text("ran"))
        late = lambda: (time.sleep(0.3), Path({str(tmp_path / "thread")!r}).write_text("done"))
        threading.Thread(target=late).start()
        sys.stdout.write("answer without a newline")
        sys.stderr.write("a note")
        finish(3)
        print("never")
        """
    )
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert r.returncode == 3, r.stderr
    assert r.stdout == "answer without a newline" and r.stderr == "a note"
    assert (tmp_path / "atexit").read_text() == "ran" and (tmp_path / "thread").read_text() == "done"


def test_python_m_commute_and_the_script_exit_with_mains_code():
    bad = subprocess.run([sys.executable, "-m", "commute", "matrix", "--origins", "火星"], capture_output=True,
                         text=True, timeout=300)  # fmt: skip
    assert bad.returncode == 2 and "火星" in bad.stderr and "Traceback" not in bad.stderr
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "commute"]
    assert script.value == "commute.cli:entry"
