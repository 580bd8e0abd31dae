"""Self-checking exercises.

A check runs the learner's function on several cases, compares each result with the reference
solution, and prints either a clear pass or the first case that failed: what was expected, what
came back and, when the result matches a known mistake, what that mistake is. It returns a
:class:`CheckResult`, which is truthy only when every case passed, so a reference solution can be
asserted: ``assert checks.check_scale_images(solution)``.

Hints come in steps. A failing check prints the first step not shown yet (a nudge);
``checks.hint("conv_macs")`` prints the next one; ``checks.hint("conv_macs", answer=True)``
prints the answer. ``checks.reset_hints()`` starts over.

The framework lives in :mod:`._framework`; the checks, one module per group of lessons in lesson
order: :mod:`.welcome`, :mod:`.convolution` (convolution, stride and padding, pooling),
:mod:`.backprop` (how a CNN learns), :mod:`.training` (first CNN, optimizers, checkpointing),
:mod:`.tuning` (grid search, augmentation), :mod:`.architectures` (architectures, visualizing),
:mod:`.transfer` (transfer learning, interpretability).
"""

from ._framework import (
    CheckResult,
    Hints,
    Mistake,
    ModifiedInputError,
    ResultError,
    check_function,
    compare,
    hint,
    leaves_inputs_alone,
    register_hints,
    report,
    reset_hints,
)
from .architectures import (
    check_bottleneck_block,
    check_conv_macs,
    check_receptive_field_size,
    check_saliency,
)
from .backprop import check_kernel_gradient, check_max_pool_backward, check_relu_backward
from .convolution import (
    check_cross_correlation,
    check_diagonal_edge_kernel,
    check_max_pool,
    check_output_size,
)
from .training import (
    check_best_epoch,
    check_conv_parameters,
    check_cross_entropy,
    check_momentum_step,
)
from .transfer import check_fgsm_step, check_freeze_up_to
from .tuning import check_featurewise_standardize, check_grid_cost
from .welcome import check_scale_images

__all__ = [
    "CheckResult",
    "Hints",
    "Mistake",
    "ModifiedInputError",
    "ResultError",
    "check_best_epoch",
    "check_bottleneck_block",
    "check_conv_macs",
    "check_conv_parameters",
    "check_cross_correlation",
    "check_cross_entropy",
    "check_diagonal_edge_kernel",
    "check_featurewise_standardize",
    "check_fgsm_step",
    "check_freeze_up_to",
    "check_function",
    "check_grid_cost",
    "check_kernel_gradient",
    "check_max_pool",
    "check_max_pool_backward",
    "check_momentum_step",
    "check_output_size",
    "check_receptive_field_size",
    "check_relu_backward",
    "check_saliency",
    "check_scale_images",
    "compare",
    "hint",
    "leaves_inputs_alone",
    "register_hints",
    "report",
    "reset_hints",
]
