"""Pages a person looks at, opened where a person sees them: in a real
headless Chromium (Debian's package, ``/usr/bin/chromium``), driven by
Playwright.

``look(browser, path)`` loads one page from disk with the network cut off
and returns what a person would meet: the errors the page logged, the
requests it tried to make beyond the file itself, each image with the size
it was drawn at, the visible text, and a screenshot (a PNG to look at).

Use the ``browser`` fixture (one Chromium for each test process)::

    from browser import look

    def test_page(browser, tmp_path):
        page = look(browser, tmp_path / "report.html")
        assert not page.errors and not page.requests
        assert page.images and all(w > 0 for w, h in page.images)

Without Chromium the tests that use it are skipped locally (with the
command that installs it) and fail under CI, which installs it
(``.ci/run``).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("AUTOGRADER_CHROMIUM") or shutil.which("chromium") \
    or "/usr/bin/chromium"
# The flags a closed network needs: no background connections, no updates.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-quic"]


@dataclass
class Page:
    """What a person sees of one page."""
    errors: list[str] = field(default_factory=list)     # console errors, uncaught exceptions
    requests: list[str] = field(default_factory=list)   # URLs beyond the page itself (all refused)
    images: list[tuple[int, int]] = field(default_factory=list)  # (naturalWidth, naturalHeight)
    broken_images: list[str] = field(default_factory=list)  # <img> that did not load
    text: str = ""                                       # document.body.innerText
    title: str = ""
    screenshot: Path | None = None


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for this test process."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: .ci/run installs it")
        pytest.skip("needs Chromium: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


def look(browser, path: Path, *, width: int = 1200, height: int = 900,
         screenshot: Path | None = None, full_page: bool = True) -> Page:
    """Open ``path`` (an HTML file) in ``browser`` with every request but
    the file itself refused, wait until it has loaded, and say what is on
    it.  The screenshot goes to ``screenshot`` (default: beside the page,
    ``<name>.png``)."""
    path = Path(path).resolve()
    url = path.as_uri()
    seen = Page()
    context = browser.new_context(viewport={"width": width, "height": height},
                                  java_script_enabled=True, offline=True)
    try:
        page = context.new_page()
        page.on("console", lambda m: seen.errors.append(f"console.{m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: seen.errors.append(f"uncaught: {e}"))

        def route(r):
            if r.request.url == url or r.request.url.startswith("data:"):
                r.continue_()
            else:
                seen.requests.append(r.request.url)
                r.abort()
        page.route("**/*", route)
        page.goto(url, wait_until="load")
        seen.title = page.title()
        seen.text = page.evaluate("document.body ? document.body.innerText : ''")
        for img in page.evaluate(
                "[...document.images].map(i => [i.complete, i.naturalWidth,"
                " i.naturalHeight, (i.getAttribute('src') || '').slice(0, 60)])"):
            complete, w, h, src = img
            if complete and w > 0 and h > 0:
                seen.images.append((w, h))
            else:
                seen.broken_images.append(src)
        seen.screenshot = screenshot or path.with_suffix(".png")
        page.screenshot(path=str(seen.screenshot), full_page=full_page)
    finally:
        context.close()
    return seen
