"""Every ``>>>`` example in the package's docstrings runs and prints what it says."""

import doctest
import importlib
import pkgutil
from pathlib import Path

import numpy as np
import pytest

import cnn_lessons

PACKAGE = Path(cnn_lessons.__file__).parent


def _modules_with_examples() -> list[str]:
    names = []
    for module in pkgutil.walk_packages([str(PACKAGE)], prefix="cnn_lessons."):
        path = PACKAGE.joinpath(*module.name.split(".")[1:])
        source = path / "__init__.py" if module.ispkg else path.with_suffix(".py")
        if ">>>" in source.read_text():
            names.append(module.name)
    return names


MODULES = _modules_with_examples()


def test_the_examples_are_found():
    assert {"cnn_lessons.conv.sizes", "cnn_lessons.models", "cnn_lessons._validate"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, globs={"np": np, **vars(module)}):
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.attempted > 0, f"{name} has no example that runs"
    assert results.failed == 0, f"{results.failed} of {results.attempted} examples failed"
