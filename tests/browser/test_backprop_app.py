"""Open the "How a CNN learns" lesson in JupyterLab and move its gradient app with the keyboard."""

from __future__ import annotations

import pytest
from test_lessons_in_jupyterlab import app_with_control, open_and_run, press_on_slider

pytestmark = pytest.mark.browser


def test_lesson_04_gradient_flow_app_follows_the_row_slider(page, lab):
    open_and_run(page, lab, "04_how_cnns_learn.ipynb")
    app = app_with_control(page, "kernel_size")
    slider, summary_before = press_on_slider(page, app, "row", "ArrowLeft")
    summary_after = app.locator(".cnn-summary").inner_text()
    assert summary_after != summary_before
    assert "output 13 x 13, pixel" in summary_after
    assert f"pixel ({slider.locator('.widget-readout').inner_text().strip()}," in summary_after
