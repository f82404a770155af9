"""What a newcomer relies on to install and reuse the course.

One distribution name that is ours, one repository URL used everywhere, a
set-up cell that installs the package only where it is missing (Colab), the
notebooks' data shipped inside the package, and a Binder configuration.
`make test-wheel` proves the same end to end on a built wheel.
"""
import importlib.util
import os
import re
import subprocess
import sys
import types
from fnmatch import fnmatch
from pathlib import Path

import pytest
from tool_loader import load_tool

try:
    import tomllib
except ImportError:          # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
REPOSITORY = PROJECT["urls"]["Repository"]
#: every direct requirement `make lab` and `make test` install (not the
#: extras' reference to the course's own extra)
DIRECT = [r for r in PROJECT["dependencies"] + [req for extra in ("course", "notebooks", "test")
                                                for req in PROJECT["optional-dependencies"][extra]]
          if not r.startswith("regkit-course")]
SOURCES = sorted((ROOT / "notebooks" / "src").glob("*.py"))


def test_the_distribution_name_is_not_the_public_regkit():
    # "regkit" on PyPI is an unrelated Windows-registry library; the import
    # name and the command stay regkit
    assert PROJECT["name"] == "regkit-course"
    assert PROJECT["scripts"] == {"regkit": "regkit.__main__:main"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert not re.search(r"pip install (-U )?regkit\b(?!-course)", readme)


def _repository_links(text):
    # github.com/OWNER/NAME, colab .../github/OWNER/NAME, mybinder .../gh/OWNER/NAME
    pattern = r"(?:github\.com|/github|/gh)/([\w.-]+)/([\w-]+)"
    return {f"https://github.com/{o}/{n}" for o, n in re.findall(pattern, text)}


@pytest.mark.parametrize("path", ["README.md", "CITATION.cff", "CONTRIBUTING.md",
                                  "pyproject.toml", *[f"notebooks/src/{p.name}" for p in SOURCES]])
def test_every_link_to_the_repository_is_the_one_in_pyproject(path):
    links = _repository_links((ROOT / path).read_text(encoding="utf-8"))
    assert links <= {REPOSITORY}, f"{path} links {links - {REPOSITORY}}, pyproject says {REPOSITORY}"


def test_readme_badges_and_colab_links_open_notebooks_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "colab-badge.svg" in readme and "mybinder.org/badge_logo.svg" in readme
    linked = re.findall(r"/blob/main/(notebooks/[\w.]+\.ipynb)", readme)
    linked += re.findall(r"urlpath=lab/tree/(notebooks/[\w.]+\.ipynb)", readme)
    assert len(linked) >= 1 + len(SOURCES)
    for path in linked:
        assert (ROOT / path).is_file(), path
    assert {Path(p).stem for p in linked} >= {p.stem for p in SOURCES}


def _first_code_cell(source):
    # read the way the notebook is built (jupytext), not with a parser of our own
    cells = load_tool("nbsource").build(source).cells
    return next(c.source for c in cells if c.cell_type == "code")


SETUP = _first_code_cell(SOURCES[0])


def test_every_notebook_starts_with_the_same_setup_cell():
    for source in SOURCES:
        assert _first_code_cell(source) == SETUP, f"{source.name}: first code cell differs"
    assert f'"regkit-course[course] @ git+{REPOSITORY}"' in SETUP
    assert "course" in PROJECT["optional-dependencies"]


def test_the_setup_cell_does_nothing_where_regkit_is_installed(monkeypatch, capsys):
    def no_pip(*args, **kwargs):
        raise AssertionError(f"the set-up cell ran {args}")
    monkeypatch.setattr(subprocess, "run", no_pip)
    exec(SETUP, {})
    assert capsys.readouterr().out == ""


def test_the_setup_cell_installs_and_says_so_where_regkit_is_missing(monkeypatch, capsys):
    calls = []
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "regkit" else real_find_spec(name, *a))
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append((cmd, kw)))
    monkeypatch.setattr(importlib, "import_module",
                        lambda name: types.SimpleNamespace(__version__="9.9.9"))
    exec(SETUP, {})
    [(cmd, kwargs)] = calls
    assert cmd[:4] == [sys.executable, "-m", "pip", "install"]
    assert cmd[-1] == f"regkit-course[course] @ git+{REPOSITORY}" and kwargs["check"] is True
    out = capsys.readouterr().out
    assert "installing regkit-course" in out and "installed regkit 9.9.9" in out


def test_the_sample_logs_ship_as_package_data():
    from regkit.course.data import SAMPLE_LOGS, sample_log
    globs = PYPROJECT["tool"]["setuptools"]["package-data"]["regkit"]
    package = ROOT / "regkit"
    for name in SAMPLE_LOGS:
        path = sample_log(name)
        assert path.parent == package / "course" / "data"
        # a TensorBoard log is a folder: every event file in it must ship
        files = [path] if path.is_file() else [f for f in path.rglob("*") if f.is_file()]
        assert files, name
        for file in files:
            rel = file.relative_to(package).as_posix()
            assert any(fnmatch(rel, g) for g in globs), rel
    with pytest.raises(ValueError, match=r"name must be one of .*'metrics.csv'"):
        sample_log("metrics.csv")


def test_no_notebook_reads_files_relative_to_the_repository():
    for source in SOURCES:
        text = source.read_text(encoding="utf-8")
        assert not re.search(r"""["'](\.\./|data/|figures/)""", text), source.name


def test_binder_installs_the_course_after_copying_the_repository():
    binder = ROOT / ".binder"
    post_build = binder / "postBuild"
    assert os.access(post_build, os.X_OK)
    assert 'pip install --no-cache-dir -c constraints.txt ".[course]"' in post_build.read_text()
    runtime = (binder / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.\d+", runtime)
    # the pinned versions of constraints.txt were verified on this Python
    assert f'python_version == "{runtime[7:]}"' in (ROOT / "constraints.txt").read_text()
    # nothing in the pre-copy requirements file can name the package
    requirements = (binder / "requirements.txt").read_text().splitlines()
    assert all(not line.strip() or line.startswith("#") for line in requirements)


def test_jupyter_notebook_starts_after_make_labs_setup():
    # `jupyter notebook` (Notebook 7) is the command many courses teach: the
    # notebooks extra, which `make lab` installs, must bring it
    assert any(r.replace(" ", "").startswith("notebook>=7")
               for r in PROJECT["optional-dependencies"]["notebooks"])
    pytest.importorskip("notebook")
    shown = subprocess.run([sys.executable, "-m", "jupyter", "notebook", "--version"],
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0 and int(shown.stdout.strip().split(".")[0]) >= 7, shown


def test_environment_yml_lists_every_notebooks_dependency():
    # the conda route installs the same things as `make lab`, with the same floors
    env = (ROOT / "environment.yml").read_text(encoding="utf-8")
    for req in DIRECT:
        assert re.search(rf"^\s*- {re.escape(req)}\s*$", env, flags=re.M | re.I), req


def test_make_test_floors_pins_every_requirement_at_its_floor(tmp_path):
    tool = load_tool("test_floors")
    pins = tool.floors()
    assert len(pins) == len({re.split(r"[<>=]", r)[0].replace("_", "-").lower() for r in DIRECT})
    assert pins["scikit-learn"] == "1.6" and pins["numpy"] == PROJECT["dependencies"][0][7:]
    bad = tmp_path / "pyproject.toml"
    bad.write_text('[project]\ndependencies = ["numpy<3"]\n'
                   '[project.optional-dependencies]\ncourse = []\nnotebooks = []\ntest = []\n')
    with pytest.raises(SystemExit, match="'numpy<3' has no plain `>=` floor"):
        tool.floors(bad)
