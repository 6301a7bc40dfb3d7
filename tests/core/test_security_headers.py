"""Security headers on every kind of response: JSON, errors, public pages, PDFs, the API docs;
a per-request nonce for inline scripts; no query strings in access logs."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import threading
import urllib.request
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import Response, render_template_string
from gunicorn.config import Config as GunicornConfig
from gunicorn.glogging import Logger as GunicornLogger
from werkzeug.serving import make_server

from migrantdesk import create_app
from migrantdesk.auth.permissions import Role
from migrantdesk.config import Config, TestingConfig
from tests.leaflets.test_leaflets import publish, template_id  # noqa: F401 (fixture)

BASELINE = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for directive in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


def assert_hardened(response) -> None:
    for header, value in BASELINE.items():
        assert response.headers[header] == value, header
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_json_answers_and_errors_carry_the_headers(app, operator_a):
    for response in (operator_a.get("/api/v1/auth/me"), operator_a.get("/api/v1/cases/999999"),
                     app.test_client().get("/api/v1/cases"), app.test_client().get("/nowhere"),
                     app.test_client().post("/api/v1/auth/login", json={})):
        assert_hardened(response)
        assert policy(response)["script-src"] == ["'self'"]


def test_public_pages_and_pdfs_carry_the_headers_and_still_work(app, client_for, template_id):  # noqa: F811
    leaflet = publish(client_for("a", Role.LAWYER), template_id)
    visitor = app.test_client()
    catalogue = visitor.get("/leaflets")
    download = visitor.get(leaflet["download_url"])
    verify = visitor.get(leaflet["verify_url"])
    assert catalogue.status_code == download.status_code == verify.status_code == 200
    assert download.data.startswith(b"%PDF") and download.mimetype == "application/pdf"
    for response in (catalogue, download, verify, visitor.get("/api/v1/leaflets")):
        assert_hardened(response)
    # The pages' styles come from the site's own stylesheet; no script is needed on them.
    assert "/static/site.css" in catalogue.text and "'self'" in policy(catalogue)["style-src"]
    assert "<script" not in catalogue.text + verify.text


def test_redoc_may_load_its_pinned_script_on_the_docs_page_only(app):
    client = app.test_client()
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    redoc_url = app.config["OPENAPI_REDOC_URL"]
    assert f'<script src="{redoc_url}">' in docs.text
    assert policy(docs)["script-src"] == ["'self'", redoc_url]
    assert "blob:" in policy(docs)["worker-src"]
    assert_hardened(docs)
    spec = client.get("/api/v1/openapi.json")
    assert redoc_url not in spec.headers["Content-Security-Policy"]
    assert "blob:" not in spec.headers["Content-Security-Policy"]


def test_an_inline_script_runs_only_with_this_requests_nonce(app):
    nonces = []
    for _ in range(2):
        with app.test_request_context("/leaflets"):
            html = render_template_string(
                '<script nonce="{{ csp_nonce() }}">go()</script><p nonce="{{ csp_nonce() }}">')
            response = app.process_response(Response(html))
            nonce = re.search(r'<script nonce="([^"]+)"', html).group(1)
            assert html.count(nonce) == 2  # one value for the whole request
            assert policy(response)["script-src"] == ["'self'", f"'nonce-{nonce}'"]
            nonces.append(nonce)
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 16


def test_hsts_only_where_cookies_are_secure(app):
    assert "Strict-Transport-Security" not in app.test_client().get("/leaflets").headers
    production = type("Prod", (Config,), {"SECRET_KEY": "x" * 32})
    secure = create_app(production, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    hsts = secure.test_client().get("/leaflets", base_url="https://localhost").headers
    assert hsts["Strict-Transport-Security"].startswith("max-age=31536000")


def collected(logger_name: str) -> list[str]:
    """The messages logged on this logger from now on, whatever its handlers and propagation."""
    messages: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger(logger_name)
    # Alembic's fileConfig, run by tests that migrate a database, disables existing loggers.
    logger.disabled = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    return messages


def test_the_development_servers_access_log_keeps_no_query_string(app):
    messages = collected("werkzeug")
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    with urllib.request.urlopen(  # noqa: S310 (a local test server)
            f"http://127.0.0.1:{server.port}/leaflets?origin_country=KG&q=Canary+Ivanov") as page:
        assert page.status == 200
    thread.join(5)
    server.server_close()
    logged = [m for m in messages if "/leaflets" in m]
    assert logged and all("Canary" not in m and "GET /leaflets?… HTTP/1.1" in m for m in logged)


def test_gunicorns_access_log_keeps_no_query_string(app):
    config = GunicornConfig()
    config.set("accesslog", "-")
    access_log = GunicornLogger(config)
    messages = collected("gunicorn.access")
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/api/v1/calls/caller-search?q=Canary",
               "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": "/api/v1/calls/caller-search",
               "QUERY_STRING": "q=Canary", "REMOTE_ADDR": "10.1.1.1",
               "HTTP_REFERER": "https://desk.example/calls?q=Canary"}
    response = SimpleNamespace(status="200 OK", sent=12, headers=[])
    request = SimpleNamespace(headers=[("REFERER", "https://desk.example/calls?q=Canary")])
    config.set("access_log_format", '%(r)s %(q)s "%(f)s" %({referer}i)s %({raw_uri}e)s')
    access_log.access(response, request, environ, timedelta(milliseconds=3))
    assert len(messages) == 1
    assert "Canary" not in messages[0]
    assert messages[0].startswith("GET /api/v1/calls/caller-search?… HTTP/1.1")


def test_a_real_browser_runs_the_nonced_inline_script_and_refuses_the_other(app, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (scripts/test installs it)")
    probe_app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=app.config[
        "SQLALCHEMY_DATABASE_URI"])

    def csp_probe():
        return render_template_string(
            '<p id="with-nonce">blocked</p><p id="without-nonce">blocked</p>'
            '<script nonce="{{ csp_nonce() }}">'
            'document.getElementById("with-nonce").textContent = "ran";</script>'
            '<script>document.getElementById("without-nonce").textContent = "ran";</script>')

    # Served in place of the public catalogue page of this app only: no login needed.
    probe_app.view_functions["leaflets.catalogue_page"] = csp_probe
    server = make_server("127.0.0.1", 0, probe_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        dom = subprocess.run(  # noqa: S603 (a fixed local command)
            [browser, "--headless=new", "--no-sandbox", "--disable-gpu",
             f"--user-data-dir={tmp_path}", "--virtual-time-budget=3000", "--dump-dom",
             f"http://127.0.0.1:{server.port}/leaflets"],
            capture_output=True, text=True, timeout=120, check=True).stdout
    finally:
        server.shutdown()
        server.server_close()
    assert '<p id="with-nonce">ran</p>' in dom
    assert '<p id="without-nonce">blocked</p>' in dom
