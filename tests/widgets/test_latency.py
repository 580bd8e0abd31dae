"""Every app redraws in reasonable time: one helper (App.median_update), one generous bound.

The goals (100 ms for the convolution apps) are measured on an idle machine by
``benchmarks/widget_latency.py``; this bound only catches a redraw that became pathologically
slow, and holds on a busy CI machine.
"""

import pytest

from cnn_lessons import widgets
from cnn_lessons.widgets._timing import latency_cases

BOUND_SECONDS = 2.0
CASES = latency_cases()


def test_every_app_has_a_latency_case():
    assert set(CASES) == set(widgets.APPS)


@pytest.mark.parametrize("name", sorted(CASES))
def test_one_update_is_quick(name):
    case = CASES[name]
    app = case.build()
    median = app.median_update(case.control, case.values, repeats=5)
    assert median < BOUND_SECONDS, f"{name}: median update {median * 1000:.0f} ms"
