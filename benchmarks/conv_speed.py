"""Time cnn_lessons.conv.conv2d (NumPy) against tf.nn.conv2d and write conv_speed.md.

    python benchmarks/conv_speed.py

Three float32 cases with "same" padding, as a lesson would use them: a 256x256 photo with 16
random 3x3 filters, a 28x28 digit with 32 3x3 filters and a 64x64x16 feature map with 32 5x5
filters. tf.nn.conv2d runs eagerly on the CPU. Each function gets a warm-up call; the fast
functions are then timed alternately (so a busy moment on a shared machine hits both) and the
median of the repeats is reported. conv2d_naive, which loops in Python, is timed fewer times.
The goal is conv2d within 3x of tf.nn.conv2d on every case.

NumPy's matrix product uses every core through OpenBLAS. When other processes are busy, its
threads wait for each other and conv2d can become several times slower; the report says when
the machine was busy. ``OPENBLAS_NUM_THREADS=1 python benchmarks/conv_speed.py`` measures
single-threaded BLAS, which degrades much less on a loaded machine.
"""

from __future__ import annotations

import os
import statistics
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import skimage.data  # noqa: E402
import skimage.transform  # noqa: E402
import tensorflow as tf  # noqa: E402
from machine import describe_machine  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from cnn_lessons.conv import conv2d, conv2d_naive  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "conv_speed.md"
SEED = 0
REPEATS = 15  # timing rounds for conv2d and tf.nn.conv2d
NAIVE_REPEATS = 3
TARGET_RATIO = 3.0


def make_cases(rng: np.random.Generator) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, image (H, W, C_in), kernel (kh, kw, C_in, C_out)), all float32."""
    photo = skimage.transform.resize(skimage.data.astronaut(), (256, 256), anti_aliasing=True)
    digit = skimage.transform.resize(load_digits().images[0] / 16.0, (28, 28))[:, :, np.newaxis]
    feature_map = rng.standard_normal((64, 64, 16))
    cases = [
        ("photo, 16 3x3 filters", photo, rng.standard_normal((3, 3, 3, 16))),
        ("digit, 32 3x3 filters", digit, rng.standard_normal((3, 3, 1, 32))),
        ("feature map, 32 5x5 filters", feature_map, rng.standard_normal((5, 5, 16, 32))),
    ]
    return [
        (name, image.astype(np.float32), (kernel / np.sqrt(kernel[..., 0].size)).astype(np.float32))
        for name, image, kernel in cases
    ]


def calls_per_timing(function: Callable[[], object], minimum_seconds: float = 0.05) -> int:
    """How many calls make one timing of at least ``minimum_seconds``."""
    start = timeit.default_timer()
    function()
    once = max(timeit.default_timer() - start, 1e-6)
    return max(1, int(minimum_seconds / once))


def time_case(image: np.ndarray, kernel: np.ndarray) -> dict[str, float]:
    """Median milliseconds per call for tf.nn.conv2d, conv2d and conv2d_naive."""
    batch = tf.constant(image[np.newaxis])
    tf_kernel = tf.constant(kernel)

    def run_tf() -> object:
        return tf.nn.conv2d(batch, tf_kernel, strides=1, padding="SAME").numpy()

    def run_numpy() -> object:
        return conv2d(image, kernel, padding="same")

    def run_naive() -> object:
        return conv2d_naive(image, kernel, padding="same")

    expected = run_tf()[0]  # warm-up calls double as a correctness check
    np.testing.assert_allclose(run_numpy(), expected, rtol=1e-5, atol=1e-5)
    numbers = {"tf": calls_per_timing(run_tf), "numpy": calls_per_timing(run_numpy)}
    samples: dict[str, list[float]] = {"tf": [], "numpy": []}
    for _ in range(REPEATS):
        for key, function in (("tf", run_tf), ("numpy", run_numpy)):
            seconds = timeit.timeit(function, number=numbers[key])
            samples[key].append(seconds / numbers[key])
    naive = timeit.repeat(run_naive, number=1, repeat=NAIVE_REPEATS)
    return {
        "tf": 1e3 * statistics.median(samples["tf"]),
        "numpy": 1e3 * statistics.median(samples["numpy"]),
        "naive": 1e3 * statistics.median(naive),
        "tf_best": 1e3 * min(samples["tf"]),
        "numpy_best": 1e3 * min(samples["numpy"]),
    }


def describe_blas() -> str:
    """NumPy's BLAS library and its thread count (set OPENBLAS_NUM_THREADS to change it)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "NumPy BLAS: unknown (threadpoolctl not installed)"
    pools = [pool for pool in threadpool_info() if pool.get("user_api") == "blas"]
    # SciPy may load a second BLAS; keep NumPy's own when it can be told apart.
    pools = [pool for pool in pools if "numpy" in pool.get("filepath", "")] or pools
    if not pools:
        return "NumPy BLAS: none found"
    return "NumPy BLAS: " + ", ".join(
        f"{pool['internal_api']} {pool.get('version')} ({pool.get('architecture')}), "
        f"{pool['num_threads']} threads"
        for pool in pools
    )


def format_table(rows: list[tuple[str, tuple, tuple, dict[str, float]]]) -> str:
    lines = [
        "| case | input shape | kernel shape | tf.nn.conv2d ms | conv2d ms | ratio "
        "(conv2d / tf) | conv2d_naive ms | ratio (naive / tf) |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, image_shape, kernel_shape, times in rows:
        lines.append(
            f"| {name} | {image_shape} | {kernel_shape} | {times['tf']:.3f} | "
            f"{times['numpy']:.3f} | {times['numpy'] / times['tf']:.2f} | "
            f"{times['naive']:.1f} | {times['naive'] / times['tf']:.0f} |"
        )
    return "\n".join(lines)


def format_best_table(rows: list[tuple[str, tuple, tuple, dict[str, float]]]) -> str:
    """Fastest timing of each function: a lower bound, less sensitive to other processes."""
    lines = [
        "| case | tf.nn.conv2d best ms | conv2d best ms | ratio (conv2d / tf) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, _, _, times in rows:
        lines.append(
            f"| {name} | {times['tf_best']:.3f} | {times['numpy_best']:.3f} | "
            f"{times['numpy_best'] / times['tf_best']:.2f} |"
        )
    return "\n".join(lines)


def main() -> int:
    rng = np.random.default_rng(SEED)
    load_before = os.getloadavg()[0]
    rows = []
    for name, image, kernel in make_cases(rng):
        print(f"timing {name} ...", flush=True)
        rows.append((name, image.shape, kernel.shape, time_case(image, kernel)))
    table = format_table(rows)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    slow = [name for name, _, _, times in rows if times["numpy"] / times["tf"] > TARGET_RATIO]
    verdict = (
        f"conv2d is within {TARGET_RATIO:.0f}x of tf.nn.conv2d on every case."
        if not slow
        else f"conv2d is more than {TARGET_RATIO:.0f}x slower than tf.nn.conv2d on: "
        + "; ".join(slow)
        + "."
    )
    cores = os.cpu_count() or 1
    # The load before starting counts other processes only (the benchmark itself adds ~1-2).
    if load_before >= max(1.0, cores / 2):
        busy_note = (
            f"Warning: the machine was busy before the benchmark started (1-minute load "
            f"average {load_before:.1f} on {cores} cores), so other processes competed for the "
            "CPU; multi-threaded code, NumPy's BLAS especially, suffers most. Rerun on an idle "
            "machine for representative numbers."
        )
    else:
        busy_note = f"1-minute load average before the benchmark: {load_before:.1f}."
    report = "\n\n".join(
        [
            "# conv2d speed: NumPy reference against tf.nn.conv2d",
            describe_machine(),
            f"Load average when finished (1, 5, 15 min): {load}. float32, padding 'same', "
            f"eager tf.nn.conv2d on the CPU; median of {REPEATS} alternating timings "
            f"({NAIVE_REPEATS} single calls for conv2d_naive). {describe_blas()}. Written by "
            "`python benchmarks/conv_speed.py`.",
            table,
            verdict,
            busy_note,
            f"Fastest of the {REPEATS} timings (a lower bound, less sensitive to other load):",
            format_best_table(rows),
        ]
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report + "\n")
    print(table)
    print(verdict)
    print(busy_note)
    print(format_best_table(rows))
    print(f"wrote {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
