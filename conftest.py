"""nbval settings for the lesson notebooks (kept here, outside lessons/, so the learner's file
browser shows only lessons).

TensorFlow writes native log lines to stderr when it is imported; nbconvert records them but
nbval's kernel does not see them, so stderr is never compared. Everything a test must check is
either in a cell tagged ``nbval-check-output`` (stdout / text results) or asserted in the cell.
"""


def pytest_collectstart(collector):
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)
