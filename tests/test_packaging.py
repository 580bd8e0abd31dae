"""The packaging files agree with each other (pyproject.toml, environment.yml, the lock, CI)."""

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, from PyPI (a test dependency there)
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def test_environment_yml_names_the_same_packages_as_pyproject():
    project = _pyproject()
    expected = {
        _name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]
    }
    text = (REPO / "environment.yml").read_text()
    pip_section = text.split("- pip:", 1)[1]
    listed = {
        _name(line.strip()[2:])
        for line in pip_section.splitlines()
        if line.strip().startswith("- ") and not line.strip().startswith("- -e")
    }
    assert listed == expected


def test_lock_pins_every_dependency_exactly():
    project = _pyproject()
    wanted = project["dependencies"] + sum(project["optional-dependencies"].values(), [])
    pins = {}
    for line in (REPO / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, version = line.split("==", 1)
            pins[_name(name)] = version.strip()
    missing = {_name(r) for r in wanted} - set(pins)
    assert not missing, f"requirements.lock lacks {sorted(missing)}: run `make lock`"
    assert pins["tensorflow"].startswith("2.21.")
    assert not any(
        line.startswith(("--index-url", "--extra-index-url", "--find-links"))
        for line in (REPO / "requirements.lock").read_text().splitlines()
    )


def test_ci_runs_the_readme_test_command():
    assert "make test" in (REPO / ".ci" / "run").read_text()
    readme = (REPO / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme


def test_the_wheel_takes_every_subpackage():
    # `packages = ["cnn_lessons"]` once left cnn_lessons.widgets, .explain, ... out of the wheel;
    # the editable install hid it. Every folder with an __init__.py must be found.
    from setuptools import find_packages

    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = set(find_packages(str(REPO), **setuptools["packages"]["find"]))
    wanted = {
        ".".join(path.parent.relative_to(REPO).parts)
        for path in (REPO / "cnn_lessons").rglob("__init__.py")
    }
    assert len(wanted) > 1 and wanted <= found, f"left out of the wheel: {sorted(wanted - found)}"
