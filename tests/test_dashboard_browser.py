"""The dashboard in a real browser: Debian's Chromium, headless, driven by Playwright.

The browser is the system's (``/usr/bin/chromium``, or ``SSM_MW_MOCK_CHROMIUM``); Playwright never downloads
one. Without Chromium or Playwright the test is skipped, saying which is missing, unless
``SSM_MW_MOCK_REQUIRE_BROWSER=1`` (set by ``.ci/run`` where it installed Chromium): then it fails.
With ``SSM_MW_MOCK_DOCS_SCREENSHOTS=1`` the screenshot is also written to docs/images/dashboard.png.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from ssm_mw_mock.server import ThreadedServer
from tests.test_dashboard import client, nightly

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("SSM_MW_MOCK_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing() -> str | None:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium; never a downloaded browser)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture
def browser_page(tmp_path: Path) -> Any:
    missing = _missing()
    if missing is not None:
        if os.environ.get("SSM_MW_MOCK_REQUIRE_BROWSER") == "1":
            pytest.fail(f"SSM_MW_MOCK_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # A fresh profile in the test's own directory: nothing shared with other runs or users.
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1100, "height": 1300},
        )
        try:
            yield context.new_page()
        finally:
            context.close()


def test_dashboard_in_chromium_shows_a_window_and_advances_a_day(browser_page: Any, tmp_path: Path) -> None:
    page = browser_page
    # A server with a token: the page's shell loads without it, everything else needs it.
    with ThreadedServer(now="2024-03-04T00:00:00Z", token="t0ken") as server:
        origin = server.endpoint_url
        window_id = nightly(client(server))
        requests_seen: list[tuple[str, str, str | None, str | None]] = []

        def seen(request: Any) -> None:
            headers = request.headers
            requests_seen.append(
                (request.method, request.url, headers.get("content-type"), headers.get("authorization"))
            )

        page.on("request", seen)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))

        # Without the token the page says how to give it.
        page.goto(f"{server.endpoint_url}/_mw/")
        page.locator(
            "#message.error", has_text="This server needs its token: open /_mw/#token=<token>"
        ).wait_for()
        # A token in the fragment is kept by the page and sent on its requests, never in a URL.
        page.goto("about:blank")
        requests_seen.clear()
        page.goto(f"{server.endpoint_url}/_mw/#token=t0ken")
        assert page.evaluate("location.hash") == ""

        window = page.locator(f'section.window[data-window-id="{window_id}"]')
        assert window.locator("h3").inner_text() == f"nightly-patching {window_id}"
        assert window.locator("ol.upcoming li").all_inner_texts() == [
            "2024-03-04T02:00Z",
            "2024-03-05T02:00Z",
            "2024-03-06T02:00Z",
            "2024-03-07T02:00Z",
            "2024-03-08T02:00Z",
        ]
        assert window.locator('rect[data-kind="execution"]').count() == 0

        page.get_by_role("button", name="advance one day").click()

        execution = window.locator('rect[data-kind="execution"]')
        execution.first.wait_for()
        assert execution.count() == 1
        assert execution.get_attribute("data-status") == "SUCCESS"
        assert page.locator("#now").inner_text() == "2024-03-05T00:00:00Z"
        assert window.locator("ol.upcoming li").first.inner_text() == "2024-03-05T02:00Z"
        assert window.locator('rect[data-kind="invocation"][data-status="SUCCESS"]').count() == 2

        # Outcome rules from the page, then another day: the new run fails.
        page.get_by_text("Outcome rules").click()
        page.locator("#rules").fill(
            '{"rules": [{"match": {"target_id": "i-0a1b2c3d4e5f60002"}, "status": "FAILED",'
            ' "duration_seconds": 600, "output": "disk full"}, {"match": {}, "duration_seconds": 1500}]}'
        )
        page.get_by_role("button", name="apply rules").click()
        page.locator("#message", has_text='outcomes: {"rules":2}').wait_for()
        page.get_by_role("button", name="advance one day").click()
        window.locator('rect[data-kind="execution"][data-status="FAILED"]').wait_for()
        assert [e.get_attribute("data-status") for e in execution.all()] == ["SUCCESS", "FAILED"]
        page.get_by_text("Outcome rules").click()  # folded again, for the screenshot
        shot = tmp_path / "dashboard.png"
        page.screenshot(path=str(shot), full_page=False)

        # A refused move shows the control API's own message.
        page.locator("#set-now").fill("2024-03-01T00:00:00Z")
        page.get_by_role("button", name="set").click()
        page.locator("#message.error").wait_for()
        assert page.locator("#message").inner_text().startswith("clock/set: the clock only moves forward")
        page.locator("#set-now").fill("")

    assert errors == []
    posts = [
        (url.rpartition("/_mw/")[2], kind, auth)
        for method, url, kind, auth in requests_seen
        if method == "POST"
    ]
    assert posts == [
        ("clock/advance", "application/json", "Bearer t0ken"),
        ("outcomes", "application/json", "Bearer t0ken"),
        ("clock/advance", "application/json", "Bearer t0ken"),
        ("clock/set", "application/json", "Bearer t0ken"),
    ]
    refreshes = [auth for method, _, _, auth in requests_seen[1:] if method == "GET"]
    assert refreshes
    assert set(refreshes) == {"Bearer t0ken"}
    assert all(url.startswith(origin + "/") and "t0ken" not in url for _, url, _, _ in requests_seen)
    assert shot.read_bytes().startswith(b"\x89PNG")
    if os.environ.get("SSM_MW_MOCK_DOCS_SCREENSHOTS"):
        shutil.copyfile(shot, ROOT / "docs" / "images" / "dashboard.png")
