"""Sphinx configuration of the course website (built by ``python site/build.py``, ``make site``).

Everything the pages load comes from the build folder: the theme's fonts and scripts ship in
its Python package, MathJax ships in ``sphinx-mathjax-offline``, and no widget script is added
(myst-nb would take it from a CDN). Notebooks are never executed: the stored outputs are shown.

Alternative text of a figure: the lesson gives it in the metadata of the cell that draws it,
``{"mystnb": {"image": {"alt": "..."}}}``, which myst-nb puts on the cell's images.
"""

import hashlib
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent

project = "CNN Lessons"
author = "the CNN Lessons authors"
copyright = "the CNN Lessons authors; the code is MIT-licensed"  # noqa: A001 - Sphinx's name

extensions = ["myst_nb", "sphinx-mathjax-offline"]
root_doc = "index"
exclude_patterns = ["**/.ipynb_checkpoints"]

# myst-nb: show the stored outputs, run nothing, load no widget JavaScript.
nb_execution_mode = "off"
nb_ipywidgets_js = {}
nb_render_markdown_format = "myst"  # the notes that stand in for the interactive apps
nb_merge_streams = True
# only the reference solutions are folded (build.py tags them hide-input)
nb_code_prompt_show = "Show the reference solution"
nb_code_prompt_hide = "Hide the reference solution"
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

html_theme = "sphinx_book_theme"
html_title = "CNN Lessons"
html_context = {"default_mode": "light"}  # figures are drawn on white
html_favicon = "static/favicon.svg"
html_static_path = ["static"]
html_css_files = ["cnn_lessons.css"]
html_last_updated_fmt = None
html_show_sphinx = False
html_copy_source = False
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "use_source_button": False,
    "use_issues_button": False,
    "use_edit_page_button": False,
    "launch_buttons": {},
    "navigation_with_keys": False,
    "navbar_persistent": [],  # search is in the sidebar already
    "footer_content_items": ["copyright.html"],
}

# A change of this file, of build.py or of the version of a package that renders the pages
# rebuilds every page (Sphinx compares config values, not code).
cnn_site_code = hashlib.sha256(
    b"".join(path.read_bytes() for path in sorted(HERE.glob("*.py")))
    + " ".join(
        f"{name}=={metadata.version(name)}"
        for name in ("sphinx", "myst-nb", "myst-parser", "sphinx-book-theme", "pydata-sphinx-theme")
    ).encode()
).hexdigest()


def setup(app):
    app.add_config_value("cnn_site_code", "", "env")
