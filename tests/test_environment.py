"""cnn_lessons.environment: a quiet TensorFlow import and the environment report."""

import os
import subprocess
import sys

from cnn_lessons import environment


def test_quiet_tensorflow_keeps_stderr_free_of_start_up_chatter():
    code = "from cnn_lessons import environment; environment.quiet_tensorflow(); print('ok')"
    env = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "ok"
    assert "oneDNN" not in done.stderr and "cuda" not in done.stderr.lower()


def test_quiet_tensorflow_respects_a_chosen_log_level(monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "1")
    environment.quiet_tensorflow()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "1"


def test_report_names_the_versions_and_the_hardware():
    report = environment.report()
    assert set(report) == {"Python", "TensorFlow", "Keras", "Accelerator", "CPU cores"}
    assert report["Python"] == ".".join(map(str, sys.version_info[:3]))
    assert report["CPU cores"] == str(os.cpu_count())
