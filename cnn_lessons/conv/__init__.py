"""Reference NumPy maths for convolution and pooling, as Keras computes them.

Everything here is a pure function: NumPy arrays in, NumPy arrays (or plain numbers) out.
Nothing draws and nothing imports TensorFlow or Keras, so the lessons can compare these
functions with the real layers and learners can read exactly what a layer does.

Conventions
-----------
* Images are ``channels_last``: ``(height, width)`` or ``(height, width, channels)``.
* Kernels are laid out as Keras stores them: ``(kernel_height, kernel_width)``,
  ``(kernel_height, kernel_width, in_channels)`` or
  ``(kernel_height, kernel_width, in_channels, out_channels)``.
* "Convolution" in deep learning is really *cross-correlation*: the kernel is slid over the
  image without being flipped. :func:`conv2d` does exactly that; :func:`convolve2d` is the
  textbook convolution (kernel rotated by 180 degrees first).
* ``padding`` is ``"valid"`` (no padding), ``"same"`` (Keras/TensorFlow rule, the odd pixel
  of an uneven total goes after, i.e. bottom/right) or a non-negative int of zero pixels added
  on *each* side.
* ``stride`` and ``dilation`` are an int or a ``(rows, cols)`` pair.

Keras refuses ``strides > 1`` together with ``dilation_rate > 1`` (on any axis).  The functions
here accept the combination, because the maths is well defined: each output pixel reads every
``dilation``-th input pixel, and the windows start every ``stride`` pixels.  ``tf.nn.conv2d``
on the CPU computes the same numbers.
"""

# The modules, by job: ``sizes`` (output sizes, padding, receptive fields), ``convolution``
# (conv2d and friends), ``pooling`` and ``kernels``. Everything is re-exported here, so lessons
# write ``conv.conv2d(...)``.

from cnn_lessons.conv._checks import _conv_padding, _float_dtype  # noqa: F401 - backprop_conv
from cnn_lessons.conv.convolution import (  # noqa: F401 - _prepare_conv: backprop_conv
    _prepare_conv,
    conv2d,
    conv2d_naive,
    convolve2d,
    flip_kernel,
)
from cnn_lessons.conv.kernels import KERNEL_DESCRIPTIONS, KERNELS
from cnn_lessons.conv.pooling import global_average_pool, pool2d
from cnn_lessons.conv.sizes import (
    effective_kernel_size,
    output_size,
    padding_amounts,
    receptive_field,
    transposed_output_size,
)

__all__ = [
    "KERNELS",
    "KERNEL_DESCRIPTIONS",
    "conv2d",
    "conv2d_naive",
    "convolve2d",
    "effective_kernel_size",
    "flip_kernel",
    "global_average_pool",
    "output_size",
    "padding_amounts",
    "pool2d",
    "receptive_field",
    "transposed_output_size",
]
