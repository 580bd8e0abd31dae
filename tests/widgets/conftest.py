"""Helpers shared by the app tests: count redraws, read the figure, check an explanation."""

import pytest


@pytest.fixture
def redraws():
    """``redraws(app)`` returns a list that grows by one each time ``app`` draws a figure."""

    def count(app):
        drawn = []
        original = app._render

        def render(result):
            png = original(result)
            drawn.append(png)
            return png

        app._render = render
        return drawn

    return count


def assert_explains(app, *words):
    """The app shows an explanation (with ``words``) instead of a figure, never a traceback."""
    assert set(app.result) == {"error"}, app.result
    for word in words:
        assert word in app.result["error"]
    assert "Not possible" in app.message.value and "Traceback" not in app.message.value
    assert app.png is None and app.summary.value == ""
