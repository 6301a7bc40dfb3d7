from __future__ import annotations


def test_openapi_document_describes_every_api_route(app):
    client = app.test_client()
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["info"]["title"] == "MigrantDesk API"
    documented = {(path, method.upper()) for path, operations in spec["paths"].items()
                  for method in operations if method != "parameters"}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs."):
            continue
        path = rule.rule.replace("<int:", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, (path, method)
    search = spec["paths"]["/api/v1/calls/caller-search"]["get"]
    assert any(p["name"] == "q" for p in search["parameters"])


def test_unknown_route_gets_the_json_error_shape(app):
    response = app.test_client().get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_docs_page_is_served_without_login(app):
    response = app.test_client().get("/api/v1/docs")
    assert response.status_code == 200
    assert b"redoc" in response.data.lower()
