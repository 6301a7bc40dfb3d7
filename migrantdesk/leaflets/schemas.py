from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields, validate

from migrantdesk.core.api import ID_RANGE
from migrantdesk.guidance.models import Topic
from migrantdesk.leaflets.models import PageFormat

_LANGUAGE = fields.String(required=True, validate=validate.Length(min=2, max=10),
                          metadata={"description": "ky, ru, uz-Latn, uz-Cyrl, tg, kk, tk, en"})


class LeafletRequestSchema(Schema):
    template_id = fields.Integer(required=True, validate=ID_RANGE)
    language = _LANGUAGE
    page_format = fields.Enum(PageFormat, by_value=True, load_default=PageFormat.A5)


class BriefingQuerySchema(Schema):
    language = _LANGUAGE


class RevokeSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=500))


class CatalogueQuerySchema(Schema):
    origin_country = fields.String(validate=validate.Length(equal=2))
    host_country = fields.String(validate=validate.Length(equal=2))
    topic = fields.String()
    language = fields.String()


class LeafletSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    title = fields.String()
    topic = fields.Enum(Topic, by_value=True)
    origin_country = fields.String()
    host_country = fields.String()
    language = fields.String()
    page_format = fields.Enum(PageFormat, by_value=True)
    template_key = fields.String()
    template_version = fields.Integer()
    published_at = fields.AwareDateTime()
    state = fields.String()
    pdf_sha256 = fields.String()
    pdf_size = fields.Integer()
    download_url = fields.Method("_download_url")
    verify_url = fields.Method("_verify_url")

    def _download_url(self, leaflet) -> str:
        return url_for("leaflets.download", sha256=leaflet.pdf_sha256)

    def _verify_url(self, leaflet) -> str:
        return url_for("leaflets.verify", code=leaflet.code)


class DownloadStatSchema(Schema):
    id = fields.Integer(data_key="leaflet_id")
    template_key = fields.String()
    template_version = fields.Integer()
    language = fields.String()
    day = fields.Date()
    downloads = fields.Integer()
