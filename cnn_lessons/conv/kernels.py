"""Classic image-processing kernels, named and explained."""

from __future__ import annotations

import numpy as np


def _read_only(rows: list[list[float]], scale: float = 1.0) -> np.ndarray:
    """A read-only float64 3x3 kernel."""
    kernel = np.array(rows, dtype=np.float64) * scale
    kernel.setflags(write=False)
    return kernel


KERNELS: dict[str, np.ndarray] = {
    "identity": _read_only([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    "box_blur": _read_only([[1, 1, 1], [1, 1, 1], [1, 1, 1]], 1 / 9),
    "gaussian": _read_only([[1, 2, 1], [2, 4, 2], [1, 2, 1]], 1 / 16),
    "sharpen": _read_only([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    "outline": _read_only([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
    "emboss": _read_only([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
    "sobel_x": _read_only([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "sobel_y": _read_only([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "prewitt_x": _read_only([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]),
    "prewitt_y": _read_only([[-1, -1, -1], [0, 0, 0], [1, 1, 1]]),
    "top_sobel": _read_only([[1, 2, 1], [0, 0, 0], [-1, -2, -1]]),
    "bottom_sobel": _read_only([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "left_sobel": _read_only([[1, 0, -1], [2, 0, -2], [1, 0, -1]]),
    "right_sobel": _read_only([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "laplacian": _read_only([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
}
"""Named 3x3 float64 kernels (read-only arrays), meant for :func:`conv2d` (no flipping).

Directions assume cross-correlation, as in CNNs: ``sobel_x`` is positive where the image gets
brighter from left to right.  ``KERNEL_DESCRIPTIONS`` explains each one.
"""

KERNEL_DESCRIPTIONS: dict[str, str] = {
    "identity": "A single 1 in the centre copies each pixel unchanged.",
    "box_blur": "Replaces each pixel by the plain average of its 3x3 neighbourhood (weights 1/9).",
    "gaussian": "A weighted average that trusts near pixels more (1-2-1 weights over 16): it "
    "blurs more smoothly than the box blur and never inverts fine stripes (a box blur turns "
    "1-pixel stripes into fainter stripes of the opposite phase); at 3x3 it blurs slightly less "
    "than the box blur.",
    "sharpen": "Adds the difference between a pixel and its four neighbours back to the pixel, "
    "exaggerating edges while keeping flat areas unchanged (weights sum to 1).",
    "outline": "Compares each pixel with all eight neighbours: flat areas give 0, edges and "
    "texture light up (weights sum to 0).",
    "emboss": "Subtracts the top-left neighbours from the bottom-right ones, so diagonal edges "
    "look raised or sunken like a relief.",
    "sobel_x": "Right column minus left column, centre row counted twice: responds to vertical "
    "edges, positive where brightness increases to the right.",
    "sobel_y": "Bottom row minus top row, centre column counted twice: responds to horizontal "
    "edges, positive where brightness increases downwards.",
    "prewitt_x": "Like sobel_x but with equal row weights: a plain difference of the right and "
    "left columns.",
    "prewitt_y": "Like sobel_y but with equal column weights: a plain difference of the bottom "
    "and top rows.",
    "top_sobel": "Sobel for edges that are brighter above than below (top row minus bottom row).",
    "bottom_sobel": "Sobel for edges that are brighter below than above (same as sobel_y).",
    "left_sobel": "Sobel for edges that are brighter on the left (left column minus right).",
    "right_sobel": "Sobel for edges that are brighter on the right (same as sobel_x).",
    "laplacian": "Four neighbours minus four times the centre: a second derivative that is 0 on "
    "flat areas and on steady ramps, and large at fine detail and edges.",
}
"""One sentence per entry of :data:`KERNELS` saying why the kernel does what it does."""
