"""The dashboard at /_mw/: what the page holds, read over plain HTTP (the browser test is separate)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import requests

from ssm_mw_mock.dashboard import page
from ssm_mw_mock.server import ThreadedServer
from tests.conftest import NOW as START
from tests.test_server import client, server

__all__ = ["client", "server"]  # the server fixture and its client, shared with the browser test


def nightly(ssm: Any, name: str = "nightly-patching") -> str:
    window_id: str = ssm.create_maintenance_window(
        Name=name, Schedule="cron(0 2 ? * * *)", Duration=3, Cutoff=1, AllowUnassociatedTargets=False
    )["WindowId"]
    target_id = ssm.register_target_with_maintenance_window(
        WindowId=window_id,
        ResourceType="INSTANCE",
        Name="web-servers",
        Targets=[{"Key": "InstanceIds", "Values": ["i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60002"]}],
    )["WindowTargetId"]
    ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        Name="patch",
        TaskType="RUN_COMMAND",
        TaskArn="AWS-RunPatchBaseline",
        Priority=1,
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        MaxConcurrency="1",
        MaxErrors="0",
    )
    return window_id


def _view(server: ThreadedServer) -> str:
    response = requests.get(f"{server.endpoint_url}/_mw/view", timeout=10)
    assert response.status_code == 200
    return response.text


def test_dashboard_is_one_self_contained_html_page(server: ThreadedServer) -> None:
    response = requests.get(f"{server.endpoint_url}/_mw/", timeout=10)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "connect-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.text
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing loaded from elsewhere
    assert requests.get(f"{server.endpoint_url}/_mw", timeout=10).text == html
    view = _view(server)
    assert "No maintenance windows yet" in view
    assert "Fake clock: <time" in view


def test_dashboard_shows_each_window_its_settings_targets_tasks_and_upcoming_runs(
    server: ThreadedServer,
) -> None:
    window_id = nightly(client(server))
    other = nightly(client(server, "eu-west-1"), "eu-window")

    view = _view(server)

    assert (
        view.index("<h2>us-east-1 ")
        < view.index(window_id)
        < view.index("<h2>eu-west-1 ")
        < view.index(other)
    )
    assert "<th>Schedule</th><td>cron(0 2 ? * * *)</td>" in view
    assert "<th>NextExecutionTime</th><td>2024-03-04T02:00Z</td>" in view
    assert (
        "<td>web-servers</td><td>INSTANCE</td><td>InstanceIds=i-0a1b2c3d4e5f60001,i-0a1b2c3d4e5f60002</td>"
        in view
    )
    assert "<td>AWS-RunPatchBaseline</td><td>patch</td>" in view
    upcoming = re.findall(r'<ol class="upcoming">(.*?)</ol>', view)[0]
    assert re.findall(r">([^<>]+)</time>", upcoming) == [f"2024-03-0{day}T02:00Z" for day in range(4, 9)]


def test_dashboard_timeline_follows_the_clock(server: ThreadedServer) -> None:
    nightly(client(server))
    requests.post(f"{server.endpoint_url}/_mw/clock/advance", json={"days": 2}, timeout=10).raise_for_status()

    view = _view(server)

    svg = re.search(r"<svg .*?</svg>", view, re.S)
    assert svg is not None
    root = ET.fromstring(svg.group())
    bars = [e for e in root.iter("{http://www.w3.org/2000/svg}rect") if e.get("data-kind") == "execution"]
    assert [bar.get("data-status") for bar in bars] == ["SUCCESS", "SUCCESS"]
    assert "2 execution(s) in the last 31 days" in view
    assert "Fake clock: <time" in view
    assert 'datetime="2024-03-06T00:00:00Z"' in view


def test_dashboard_escapes_what_clients_wrote(server: ThreadedServer) -> None:
    ssm = client(server)
    window_id = nightly(ssm)
    ssm.update_maintenance_window(WindowId=window_id, Description="<script>alert(1)</script> & co")

    html = _view(server)

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html


def test_dashboard_refuses_other_methods(server: ThreadedServer) -> None:
    response = requests.post(f"{server.endpoint_url}/_mw/", json={}, timeout=10)

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    assert response.json() == {
        "__type": "MethodNotAllowed",
        "message": "POST is not allowed on /_mw/; use GET",
    }
    assert requests.head(f"{server.endpoint_url}/_mw/", timeout=10).status_code == 200


def test_dashboard_page_is_a_shell_without_state(server: ThreadedServer) -> None:
    window_id = nightly(client(server))

    shell = requests.get(f"{server.endpoint_url}/_mw/", timeout=10).text
    view = requests.get(f"{server.endpoint_url}/_mw/view", timeout=10)

    assert shell == page()
    assert window_id not in shell
    assert '<main id="view" data-pending="1">' in shell
    assert view.headers["Content-Type"] == "text/html; charset=utf-8"
    assert window_id in view.text
    assert requests.post(f"{server.endpoint_url}/_mw/view", json={}, timeout=10).status_code == 405


def test_dashboard_with_a_token_serves_the_shell_and_guards_the_view() -> None:
    with ThreadedServer(now=START, token="s3cret") as guarded:
        url = guarded.endpoint_url
        shell = requests.get(f"{url}/_mw/", timeout=10)
        refused = requests.get(f"{url}/_mw/view", timeout=10)
        allowed = requests.get(f"{url}/_mw/view", headers={"Authorization": "Bearer s3cret"}, timeout=10)
        cross_origin = requests.get(f"{url}/_mw/", headers={"Origin": "http://evil.example"}, timeout=10)

    assert (shell.status_code, shell.text) == (200, page())
    assert (refused.status_code, refused.json()["__type"]) == (401, "Unauthorized")
    assert allowed.status_code == 200
    assert "No maintenance windows yet" in allowed.text
    assert cross_origin.status_code == 403  # the shell still passes the Host and Origin checks
    # The script sends whatever token it has as a bearer token, on every request it makes.
    assert page().count('{"Authorization": "Bearer " + token}') == 1


def test_dashboard_shows_the_last_31_days_only(server: ThreadedServer) -> None:
    nightly(client(server))
    server.mock.clock.advance(days=40)

    view = _view(server)

    assert "31 execution(s) in the last 31 days" in view
    assert view.count('data-kind="run"') == 31
    assert len(server.mock.timeline().executions) == 40
