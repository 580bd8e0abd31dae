"""Helper package for the CNN Lessons course.

The notebooks in ``lessons/`` import the modules of this package directly, for example
``from cnn_lessons import conv, data, plots``. Importing the package itself is cheap: nothing
here imports TensorFlow.
"""

__version__ = "0.1.0"
