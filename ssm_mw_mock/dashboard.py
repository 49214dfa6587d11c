"""The dashboard of server mode: ``GET /_mw/`` is one HTML page (inline CSS and JS; nothing fetched from
elsewhere) showing every window of every account and region, and buttons that move the fake clock.

What it shows comes from the same operations any client calls — ``DescribeMaintenanceWindows``,
``GetMaintenanceWindow``, ``…Targets``, ``…Tasks``, ``DescribeMaintenanceWindowSchedule`` and the execution
Describe operations through :mod:`.timeline` — and what it does goes through the control API: the page's
script POSTs JSON (``Content-Type: application/json``, same origin) to ``/_mw/clock/advance``,
``/_mw/clock/set`` and ``/_mw/outcomes``, then fetches ``GET /_mw/view`` (the changing part of the page,
an HTML fragment) and swaps it in. It also re-reads the view every few seconds while visible, so runs
started by another client appear.

The page itself (``GET /_mw/``) is a shell that holds no state, so the control API's guard lets it through
without a token (its Host and Origin checks still apply); everything it shows comes from ``/_mw/view``. If
the server has a token, open the page as ``/_mw/#token=<token>``: the script keeps it for the tab
(``sessionStorage``; a URL fragment never reaches the server or its logs) and sends it as
``Authorization: Bearer <token>`` on every request it makes.
"""

from __future__ import annotations

import json
from datetime import timedelta
from html import escape
from typing import Any

from .doors.endpoint import Reply
from .mock import MaintenanceWindowsMock
from .timeline import Timeline, TimelineWindow, build

#: How many upcoming runs each window lists, and how many of its newest executions get a panel.
UPCOMING = 5
PANELS = 5
#: How far back the page shows executions (older ones stay in the API and in ``mw.timeline()``).
HISTORY = timedelta(days=31)
#: Seconds between the page's own refreshes while it is visible.
REFRESH_SECONDS = 5


PAGE = "/_mw"
VIEW = "/_mw/view"
#: The paths the dashboard answers (after the control API's routing strips a trailing slash).
PATHS = (PAGE, VIEW)


def is_shell(method: str, path: str) -> bool:
    """Whether a request asks for the page's shell, which holds no state (so needs no token)."""
    return method in ("GET", "HEAD") and (path.split("?", 1)[0].rstrip("/") or "/") == PAGE


def answer(mock: MaintenanceWindowsMock, path: str) -> Reply:
    """``GET /_mw/`` (the page's shell) or ``GET /_mw/view`` (what it shows) as an HTTP answer."""
    body = page() if path == PAGE else view(mock)
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        # Nothing but this page's own inline script and style, and requests to its own origin.
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            "img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
    }
    return Reply(200, body.encode("utf-8"), headers)


def page() -> str:
    """The page's shell: the controls, and a place for the view, which the script loads at once."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>ssm_mw_mock dashboard</title><style>{_CSS}</style></head><body>\n"
        f'{_CONTROLS}\n<main id="view" data-pending="1"><p class="empty">Loading…</p></main>\n'
        f"<script>const REFRESH_SECONDS = {REFRESH_SECONDS};\n{_SCRIPT}</script>\n</body></html>\n"
    )


def view(mock: MaintenanceWindowsMock) -> str:
    """The part of the page that changes: the clock, then each window with what it ran and will run."""
    timeline = build(mock.backend, since=mock.clock.now() - HISTORY, upcoming=UPCOMING)
    now = timeline.now.isoformat().replace("+00:00", "Z")
    parts = [
        f'<p class="clock">Fake clock: <time id="now" datetime="{now}">{escape(now)}</time> '
        f"· account {escape(mock.account_id)} · {len(timeline.windows)} window(s), "
        f"{len(timeline.executions)} execution(s) in the last {HISTORY.days} days</p>"
    ]
    if not timeline.windows:
        parts.append('<p class="empty">No maintenance windows yet: create one with any SSM client.</p>')
    places = dict.fromkeys((w.account, w.region) for w in timeline.windows)  # in the timeline's order
    for account, region in places:
        parts.append(f"<h2>{escape(region)} <small>account {escape(account)}</small></h2>")
        for window in timeline.windows:
            if (window.account, window.region) == (account, region):
                parts.append(_window(mock, timeline, window))
    return "\n".join(parts)


def _window(mock: MaintenanceWindowsMock, timeline: Timeline, window: TimelineWindow) -> str:
    def call(operation: str, key: str) -> list[dict[str, Any]]:
        answer = mock.backend.call(operation, {"WindowId": window.window_id}, window.region, window.account)
        items: list[dict[str, Any]] = answer.get(key, [])
        return items

    settings = mock.backend.call(
        "GetMaintenanceWindow", {"WindowId": window.window_id}, window.region, window.account
    )
    shown = (
        "Schedule",
        "ScheduleTimezone",
        "ScheduleOffset",
        "Duration",
        "Cutoff",
        "Enabled",
        "AllowUnassociatedTargets",
        "NextExecutionTime",
        "StartDate",
        "EndDate",
        "Description",
    )
    rows = "".join(
        f"<tr><th>{escape(key)}</th><td>{escape(_text(settings[key]))}</td></tr>"
        for key in shown
        if key in settings
    )
    targets = _table(
        ["Target", "Name", "Type", "Selects"],
        [
            [t["WindowTargetId"], t.get("Name", ""), t["ResourceType"], _selects(t.get("Targets", []))]
            for t in call("DescribeMaintenanceWindowTargets", "Targets")
        ],
    )
    tasks = _table(
        ["Priority", "Type", "Task", "Name", "Targets", "Concurrency", "Errors"],
        [
            [
                str(t.get("Priority", "")),
                t["Type"],
                t["TaskArn"],
                t.get("Name", ""),
                _selects(t.get("Targets", [])),
                t.get("MaxConcurrency", ""),
                t.get("MaxErrors", ""),
            ]
            for t in call("DescribeMaintenanceWindowTasks", "Tasks")
        ],
    )
    upcoming = (
        "".join(
            f'<li><time datetime="{escape(run.execution_time.isoformat())}">'
            f"{escape(run.execution_time_text)}</time></li>"
            for run in window.upcoming
        )
        or "<li>none</li>"
    )
    picture = Timeline(now=timeline.now, windows=(window,))
    return (
        f'<section class="window" data-window-id="{escape(window.window_id)}">'
        f"<h3>{escape(window.name)} <code>{escape(window.window_id)}</code></h3>"
        f'<div class="columns"><div><h4>Settings</h4><table class="settings">{rows}</table></div>'
        f'<div><h4>Upcoming runs</h4><ol class="upcoming">{upcoming}</ol></div></div>'
        f"<h4>Targets</h4>{targets}<h4>Tasks</h4>{tasks}"
        f'<h4>Executions</h4><div class="timeline">{picture.to_svg(details=PANELS)}</div>'
        f"<details><summary>As text</summary><pre>{escape(str(picture))}</pre></details></section>"
    )


def _text(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)  # true/false, as the API writes them


def _selects(targets: list[dict[str, Any]]) -> str:
    return "; ".join(f"{t['Key']}={','.join(t.get('Values', []))}" for t in targets)


def _table(head: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return '<p class="empty">none</p>'
    header = "".join(f"<th>{escape(cell)}</th>" for cell in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


_EXAMPLE_RULES = json.dumps(
    {
        "rules": [
            {
                "match": {"task_type": "RUN_COMMAND"},
                "status": "FAILED",
                "duration_seconds": 120,
                "output": "disk full",
            }
        ]
    },
    indent=1,
)

_CONTROLS = f"""<header><h1>ssm_mw_mock</h1>
<div class="controls" role="group" aria-label="Move the fake clock">
<button type="button" data-advance='{{"minutes": 1}}'>advance one minute</button>
<button type="button" data-advance='{{"hours": 1}}'>advance one hour</button>
<button type="button" data-advance='{{"days": 1}}'>advance one day</button>
<button type="button" data-advance='{{"days": 7}}'>advance one week</button>
<label>set clock to <input id="set-now" placeholder="2024-03-05T16:10:00Z" size="22"></label>
<button type="button" id="set-clock">set</button>
</div>
<details class="rules"><summary>Outcome rules</summary>
<p>What <code>POST /_mw/outcomes</code> takes: the first rule whose <code>match</code> fits an invocation
decides it (keys <code>target_id</code>, <code>window_id</code>, <code>window_task_id</code>,
<code>task_arn</code>, <code>task_type</code>); <code>{{"rules": []}}</code> makes every invocation
succeed again.</p>
<textarea id="rules" rows="6" cols="80" spellcheck="false">{escape(_EXAMPLE_RULES)}</textarea><br>
<button type="button" id="apply-rules">apply rules</button>
<button type="button" id="clear-rules">clear rules</button>
</details>
<p id="message" role="status" aria-live="polite"></p></header>"""

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d1d1d;background:#fafafa}
header{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:.5em 1em;z-index:1}
h1{font-size:1.2em;margin:.2em 0}main{padding:0 1em 2em}h2{font-size:1.1em;margin-top:1.2em}
h2 small{font-weight:normal;color:#666}h3{margin:.3em 0}h4{margin:.8em 0 .3em;font-size:.95em}
.controls{display:flex;flex-wrap:wrap;gap:.4em;align-items:center}
button{font:inherit;padding:.25em .7em;border:1px solid #888;border-radius:4px;background:#f0f0f0;
cursor:pointer}
button:hover{background:#e2e2e2}button:disabled{opacity:.5}
.window{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.6em 1em;margin:.8em 0}
.columns{display:flex;flex-wrap:wrap;gap:2em}table{border-collapse:collapse;font-size:.85em}
th,td{border:1px solid #e0e0e0;padding:.15em .5em;text-align:left;vertical-align:top}
.settings th{background:#f6f6f6}.timeline{overflow-x:auto}.empty{color:#777}
pre{font-size:12px;background:#f6f6f6;padding:.5em;overflow-x:auto}.clock{font-weight:600}
#message{min-height:1.2em;margin:.3em 0;color:#555}#message.error{color:#b00020}
textarea{font-family:monospace;font-size:12px;width:100%;max-width:60em}
"""

_SCRIPT = """
"use strict";
const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromHash) {
  sessionStorage.setItem("mw-control-token", fromHash);
  history.replaceState(null, "", location.pathname);
}
const token = sessionStorage.getItem("mw-control-token") || "";
const auth = token ? {"Authorization": "Bearer " + token} : {};
const message = document.getElementById("message");
function say(text, error) { message.textContent = text; message.className = error ? "error" : ""; }

async function refresh() {
  const answer = await fetch("/_mw/view", {
    headers: {"Accept": "text/html", ...auth}, cache: "no-store", credentials: "same-origin",
  });
  if (answer.status === 401) { say("This server needs its token: open /_mw/#token=<token>", true); return; }
  if (!answer.ok) { say("refresh: HTTP " + answer.status, true); return; }
  const view = document.getElementById("view");
  view.innerHTML = await answer.text();  // the server escapes everything clients wrote
  delete view.dataset.pending;
}

async function control(path, body) {
  const buttons = document.querySelectorAll("header button");
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const answer = await fetch("/_mw/" + path, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: {"Content-Type": "application/json", ...auth}, body: JSON.stringify(body),
    });
    const result = await answer.json().catch(() => ({}));
    if (!answer.ok) { say(path + ": " + (result.message || "HTTP " + answer.status), true); return; }
    say(path + ": " + JSON.stringify(result), false);
    await refresh();
  } catch (error) {
    say(path + ": " + error, true);
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

document.querySelectorAll("button[data-advance]").forEach((button) => {
  button.addEventListener("click", () => control("clock/advance", JSON.parse(button.dataset.advance)));
});
document.getElementById("set-clock").addEventListener("click", () => {
  control("clock/set", {now: document.getElementById("set-now").value.trim()});
});
document.getElementById("apply-rules").addEventListener("click", () => {
  let body;
  try {
    body = JSON.parse(document.getElementById("rules").value);
  } catch (error) {
    say("rules: " + error, true);
    return;
  }
  control("outcomes", body);
});
document.getElementById("clear-rules").addEventListener("click", () => control("outcomes", {rules: []}));
refresh().catch((error) => say("" + error, true));
setInterval(() => {
  if (document.visibilityState === "visible") { refresh().catch(() => {}); }
}, REFRESH_SECONDS * 1000);
"""
