"""The harness that opens pages in Chromium (tests/browser.py) sees what a
person would: errors, requests to the network, broken and drawn images."""

import base64

from browser import look

# A 2x1 red PNG.
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000020000000108020000007b40e8dd"
    "0000000f4944415478da63f8cfc0f01f000503020075d9e2a50000000049454e44ae426082")).decode()


def test_a_clean_page_shows_its_image_and_logs_nothing(browser, tmp_path):
    page_file = tmp_path / "clean.html"
    page_file.write_text(f"<!doctype html><title>T</title><h1>Scores</h1>"
                         f"<img alt='p' src='data:image/png;base64,{PNG}'>", encoding="utf-8")
    page = look(browser, page_file)
    assert page.title == "T" and "Scores" in page.text
    assert page.images == [(2, 1)] and not page.broken_images
    assert not page.errors and not page.requests
    assert page.screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_errors_network_and_broken_images_are_seen(browser, tmp_path):
    page_file = tmp_path / "bad.html"
    page_file.write_text("<!doctype html><title>B</title>"
                         "<img src='missing.png'>"
                         "<img src='https://example.invalid/x.png'>"
                         "<script>console.error('boom'); undefinedName();</script>",
                         encoding="utf-8")
    page = look(browser, page_file)
    assert any("boom" in e for e in page.errors)
    assert any("undefinedName" in e for e in page.errors)
    assert any("example.invalid" in u for u in page.requests)
    assert len(page.broken_images) == 2 and not page.images
