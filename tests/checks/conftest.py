"""Every test starts with no hint step shown."""

import pytest

from cnn_lessons import checks


@pytest.fixture(autouse=True)
def _fresh_hints():
    checks.reset_hints()
    yield
    checks.reset_hints()
