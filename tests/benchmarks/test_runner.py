"""The benchmark runner: every module imports, options reach the benchmarks."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import benchmarks
from benchmarks import __main__ as runner

NAMES = sorted(
    m.name
    for m in pkgutil.iter_modules([str(Path(benchmarks.__file__).parent)])
    if m.name.startswith("bench_")
)


@pytest.mark.parametrize("name", NAMES)
def test_every_benchmark_imports_and_has_a_main(name: str) -> None:
    module = importlib.import_module(f"benchmarks.{name}")
    assert callable(module.main)


def test_options_are_passed_on_and_names_select(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    module = importlib.import_module("benchmarks.bench_cycle")
    monkeypatch.setattr(module, "main", lambda argv: seen.append(argv) or 0)
    assert runner.main(["cycle", "--quick", "--no-dlrn"]) == 0
    assert seen == [["--quick", "--no-dlrn"]]
    assert runner.main(["cycle", "--scale", "1"]) == 0  # an option's value stays with it
    assert seen[-1] == ["--scale", "1"]
    assert runner.main(["nosuch"]) == 2
