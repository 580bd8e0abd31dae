"""Open lessons in a real JupyterLab, run them, and move their controls with the keyboard."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

RUN_TIMEOUT_MS = 240_000


def open_and_run(page, lab, notebook: str) -> None:
    """Open a notebook, wait for its kernel, run every cell and wait until all have finished."""
    page.goto(lab.url(f"lab/tree/{notebook}"))
    # Every property may be missing for a moment while JupyterLab starts the session.
    ready = """(path) => {
        const panel = window.jupyterapp?.shell?.currentWidget;
        return panel?.context?.path === path
            && panel?.sessionContext?.session?.kernel?.status === 'idle';
    }"""
    page.wait_for_function(ready, arg=notebook, timeout=120_000, polling=500)
    # Clearing first resets every execution count, so "all counted" below means "all re-ran".
    page.evaluate(
        """async () => {
            await window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs');
            await window.jupyterapp.commands.execute('notebook:run-all-cells');
        }"""
    )
    page.wait_for_function(
        """(path) => {
            const panel = window.jupyterapp?.shell?.currentWidget;
            if (panel?.context?.path !== path) return false;
            const cells = panel.content.widgets.filter(cell => cell.model.type === 'code'
                && cell.model.sharedModel.getSource().trim() !== '');
            return panel.sessionContext?.session?.kernel?.status === 'idle'
                && cells.every(cell => cell.model.executionCount !== null);
        }""",
        arg=notebook,
        timeout=RUN_TIMEOUT_MS,
        polling=500,
    )
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    tracebacks = [text for text in errors.all_inner_texts() if "Traceback" in text]
    assert not tracebacks, f"a cell failed in the browser: {tracebacks[0][:500]}"


def app_with_control(page, label: str):
    """The first widget app (a VBox) that has a control whose description is `label`."""
    app = (
        page.locator(".widget-vbox")
        .filter(has=page.locator(".widget-label", has_text=label))
        .filter(has=page.locator(".cnn-figure"))
        .first
    )
    app.scroll_into_view_if_needed()
    return app


def figure_source(app) -> str:
    """The ``src`` of the app's figure: an ``ipywidgets.Image`` in the ``.cnn-figure`` box.

    The PNG arrives as binary over the websocket and is shown from a ``blob:`` URL, a new one
    for every redraw, so a changed ``src`` means a redrawn figure.
    """
    image = app.locator(".cnn-figure img").first
    image.wait_for(state="visible", timeout=30_000)
    return image.get_attribute("src")


def wait_for_change(page, app, selector_text_before: str, image_before: str) -> None:
    app.page.wait_for_function(
        """([element, summary, image]) => {
            const text = element.querySelector('.cnn-summary').innerText;
            const img = element.querySelector('.cnn-figure img');
            return img && text !== summary && img.getAttribute('src') !== image;
        }""",
        arg=[app.element_handle(), selector_text_before, image_before],
        timeout=30_000,
    )


def press_on_slider(page, app, label: str, key: str):
    """Focus the slider `label` of `app`, press `key`, and wait for the app to redraw.

    Returns the slider and the app's summary text from before the key press.
    """
    summary_before = app.locator(".cnn-summary").inner_text()
    image_before = figure_source(app)
    slider = app.locator(".widget-slider", has=page.locator(".widget-label", has_text=label))
    slider.locator(".noUi-handle").focus()
    page.keyboard.press(key)
    wait_for_change(page, app, summary_before, image_before)
    return slider, summary_before


def redraw_milliseconds(page, app, label: str, keys: list[str]) -> list[float]:
    """For each key pressed on slider ``label``: ms from the key press to the new figure."""
    slider = app.locator(".widget-slider", has=page.locator(".widget-label", has_text=label))
    handle = slider.locator(".noUi-handle")
    handle.focus()
    timings = []
    for key in keys:
        page.evaluate(
            """([element, handle]) => {
                window.__redraw = null;
                const image = element.querySelector('.cnn-figure img').getAttribute('src');
                handle.addEventListener('keydown', () => {
                    const start = performance.now();
                    const done = () => { window.__redraw = performance.now() - start; };
                    const watch = new MutationObserver(() => {
                        const img = element.querySelector('.cnn-figure img');
                        if (img && img.getAttribute('src') !== image) {
                            watch.disconnect();  // the new image: done once it is decoded
                            if (img.complete) done(); else img.addEventListener('load', done);
                        }
                    });
                    watch.observe(element, {subtree: true, attributes: true, childList: true});
                }, {once: true, capture: true});
            }""",
            [app.element_handle(), handle.element_handle()],
        )
        page.keyboard.press(key)
        page.wait_for_function("() => window.__redraw !== null", timeout=30_000)
        timings.append(page.evaluate("() => window.__redraw"))
    return timings


def test_lesson_02_stride_slider_moves_with_the_keyboard(page, lab):
    open_and_run(page, lab, "02_stride_padding.ipynb")
    app = app_with_control(page, "stride")
    _, summary_before = press_on_slider(page, app, "stride", "ArrowRight")
    summary_after = app.locator(".cnn-summary").inner_text()
    assert summary_after != summary_before and "output" in summary_after
    assert figure_source(app).startswith("blob:")  # binary PNG, not base64 text
    timings = redraw_milliseconds(page, app, "stride", ["ArrowRight", "ArrowLeft"] * 6)
    median = sorted(timings)[len(timings) // 2]
    print(f"lesson 02 stride: key press to new figure, median {median:.0f} ms of {timings}")
    # The goal is 100 ms on an idle laptop; this bound only catches a redraw gone wrong.
    assert median < 1000


def test_lesson_01_kernel_preset_changes_the_output_image(page, lab):
    open_and_run(page, lab, "01_convolution.ipynb")
    app = app_with_control(page, "preset")
    image_before = figure_source(app)
    dropdown = app.locator(".widget-dropdown", has=page.locator(".widget-label", has_text="preset"))
    current = dropdown.locator("select").input_value()
    options = dropdown.locator("select option").all_inner_texts()
    dropdown.locator("select").select_option(next(o for o in options if o != current))
    page.wait_for_function(
        """([element, image]) => {
            const img = element.querySelector('.cnn-figure img');
            return img && img.getAttribute('src') !== image;
        }""",
        arg=[app.element_handle(), image_before],
        timeout=30_000,
    )
    assert figure_source(app) != image_before


def test_lesson_12_epsilon_slider_redraws_the_attack(page, lab):
    open_and_run(page, lab, "13_interpretability.ipynb")
    app = app_with_control(page, "epsilon")
    slider, _ = press_on_slider(page, app, "epsilon", "ArrowLeft")
    assert "0.19" in slider.locator(".widget-readout").inner_text()
