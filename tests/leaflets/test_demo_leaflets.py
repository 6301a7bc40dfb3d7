"""`flask leaflets publish-demo`: the demo catalogue is filled in every language the templates
are written in, once; real offices are left alone."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from migrantdesk.core.db import db
from migrantdesk.guidance.content_library import import_all
from migrantdesk.leaflets.models import Leaflet
from tests.conftest import make_office, make_user
from tests.guidance.test_translations import translated_dir
from tests.leaflets.test_languages import KY_TITLE


def test_publish_demo_fills_the_catalogue_once_in_every_written_language(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        real = make_office("kg-bishkek-real", country="KG")
        make_user(real, role="lawyer")
        import_all(translated_dir(tmp_path))
        db.session.commit()
        real_id = real.id

    first = runner.invoke(args=["leaflets", "publish-demo"])
    again = runner.invoke(args=["leaflets", "publish-demo"])

    assert first.exit_code == 0, first.output
    assert "13 published, 0 already current, 0 refused" in first.output
    assert "0 published, 13 already current" in again.output
    with app.app_context():
        leaflets = list(db.session.scalars(select(Leaflet)))
        assert Counter((leaflet.origin_country, leaflet.language) for leaflet in leaflets) == {
            ("KG", "ru"): 3, ("KG", "en"): 1, ("KG", "ky"): 1, ("UZ", "ru"): 3,
            ("UZ", "en"): 1, ("TJ", "ru"): 3, ("TJ", "en"): 1}
        assert real_id not in {leaflet.office_id for leaflet in leaflets}
    listed = app.test_client().get("/api/v1/leaflets?language=ky").get_json()
    assert [item["title"] for item in listed] == [KY_TITLE]
    assert listed[0]["download_url"] in app.test_client().get("/leaflets?language=ky").text
