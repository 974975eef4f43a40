"""Shipped scenarios by name, from anywhere (the repository's ``scenarios/`` or the installed package).

Examples
--------
>>> resolve_scenario("today_2026").name
'today_2026.yaml'
>>> resolve_scenario("my_own.yaml")  # not shipped: left as given, the loader says it is missing
PosixPath('my_own.yaml')
"""

from __future__ import annotations

from pathlib import Path


def shipped_scenarios() -> list[str]:
    """Names of the shipped scenario files (without ``.yaml``)."""
    from commute.io.network import shipped_folder

    return sorted(p.stem for p in shipped_folder("scenarios").glob("*.yaml"))


def resolve_scenario(path: str | Path) -> Path:
    """``path`` if it is a file; else the shipped scenario of that name (``today_2026`` or ``today_2026.yaml``).

    A name that is neither comes back unchanged, so the caller's error names what was given.
    """
    p = Path(path)
    if p.is_file() or len(p.parts) != 1:
        return p
    from commute.errors import DataNotFoundError
    from commute.io.network import shipped_folder

    try:
        folder = shipped_folder("scenarios")
    except DataNotFoundError:
        return p
    for cand in (folder / p.name, folder / f"{p.name}.yaml"):
        if cand.is_file():
            return cand
    return p
