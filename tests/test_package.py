"""`pip install` of the built wheel gives a working sendqa (issue 17 item 1): every import the code makes is declared
in pyproject.toml, so a fresh virtual environment with requirements.lock as constraints only (never as the list of
what to install) ingests the bundled corpus, answers from the statistics and passes `pip check`."""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = ("sendqa", "rag", "ingest", "ui", "evals")
# Imported only by optional parts: the local LLM backend and the test and browser tooling (extras llm and test).
OPTIONAL = {"llama_cpp", "playwright", "pytest"}
# Engines pandas loads by name, never imported by our code.
ENGINES = {"openpyxl", "odfpy"}


def _third_party_imports() -> set[str]:
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m not in PACKAGES}


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]
    return {_normal(d.split(";")[0].split("[")[0].split("=")[0].split(">")[0].split("<")[0].strip()) for d in names}


def _normal(name: str) -> str:
    return name.lower().replace("_", "-")


def test_every_import_the_code_makes_is_declared():
    distributions = metadata.packages_distributions()
    declared = _declared()
    missing = {}
    for module in sorted(_third_party_imports()):
        owners = {_normal(d) for d in distributions.get(module, [module])}
        if not owners & declared:
            missing[module] = sorted(owners)
    assert missing == {}, f"imported but not declared in pyproject.toml: {missing}"
    assert {_normal(e) for e in ENGINES} <= declared  # the statistics' .xlsx and .ods readers


@pytest.mark.skipif(os.environ.get("SENDQA_SKIP_PACKAGE_TEST") == "1", reason="SENDQA_SKIP_PACKAGE_TEST=1")
def test_the_built_wheel_installs_alone_and_works(tmp_path):
    wheels = tmp_path / "dist"
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    wheel = next(wheels.glob("sendqa-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    # --no-compile: byte-compiling torch and the rest is a third of the install, and a first import compiles what it uses
    pip = [str(python), "-m", "pip", "install", "-q", "--no-compile", "--disable-pip-version-check"]
    # torch first, as the Makefile installs it: the local CPU wheel (from PyPI it would pull GBs of CUDA)
    torch = [line for line in (ROOT / "requirements.lock").read_text().splitlines() if line.startswith("torch==")]
    subprocess.run(pip + (torch or ["torch==2.13.0"]), check=True, capture_output=True, timeout=1200)
    installed = subprocess.run(pip + [str(wheel), "-c", str(ROOT / "requirements.lock")], capture_output=True,
                               text=True, timeout=1800)
    assert installed.returncode == 0, installed.stderr[-3000:]
    check = subprocess.run([str(python), "-m", "pip", "check"], capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr

    shipped = venv / "share" / "sendqa" / "corpus"
    assert (shipped / "data" / "timeliness_20_week.csv").exists() and (shipped / "manifest.json").exists()
    env = dict(os.environ, SENDQA_HOME=str(tmp_path / "home"), HF_HUB_OFFLINE="1")
    sendqa = str(venv / "bin" / "sendqa")
    ingest = subprocess.run([sendqa, "ingest", str(ROOT / "corpus"), "-q"], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=900)
    assert ingest.returncode == 0, ingest.stderr[-2000:]
    asked = subprocess.run([sendqa, "ask", "how quickly does leeds issue ehc plans?", "--json"], capture_output=True,
                           text=True, env=env, cwd=tmp_path, timeout=900)
    assert asked.returncode == 0, asked.stderr[-2000:]
    answer = json.loads(asked.stdout)
    assert not answer["abstained"] and any(c["citation_type"] == "statistic" for c in answer["citations"])
    assert "%" in answer["answer"]  # the statistics loaded: a figure, not "the reports don't cover Leeds"
