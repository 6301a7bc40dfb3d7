"""Settings from the environment, one class per environment."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = Path(os.environ.get("MIGRANTDESK_INSTANCE", PROJECT_ROOT / "instance"))


def database_url() -> str:
    """DATABASE_URL, or the embedded SQLite file in instance/ (shared with Alembic)."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_PATH / 'migrantdesk.db'}"
    # Heroku-style URLs and bare postgresql:// should use psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url()
    # hide_parameters: SQL logs and database errors never show the values (names, numbers).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    MAX_CONTENT_LENGTH = 256 * 1024

    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600

    WTF_CSRF_CHECK_DEFAULT = False  # checked in auth for cookie sessions only
    WTF_CSRF_TIME_LIMIT = None  # bound to the session instead

    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT_MINUTES = 15
    # On top of the lock-out: attempts per account and address, and per address (429).
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    LOGIN_ADDRESS_RATE_LIMIT = os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "30 per minute")

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "locales")
    LANGUAGES = ["en", "ru", "ky", "uz_Latn", "uz_Cyrl", "tg", "kk", "tk"]

    API_TITLE = "MigrantDesk API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_REDOC_PATH = "docs"
    OPENAPI_REDOC_URL = "https://cdn.jsdelivr.net/npm/redoc@2.1.5/bundles/redoc.standalone.js"

    SEARCH_RESULT_LIMIT = 20

    REDIS_URL = os.environ.get("REDIS_URL")
    PUBLIC_RATE_LIMIT = os.environ.get("PUBLIC_RATE_LIMIT", "120 per minute")
    # Absolute URLs printed in leaflets (the QR code); the request's host when unset.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL")
    # Leaflet downloads are counted in memory and written in batches of this many.
    LEAFLET_COUNT_FLUSH_SECONDS = float(os.environ.get("LEAFLET_COUNT_FLUSH_SECONDS", "10"))

    # Resilience: how long a retried POST's Idempotency-Key is remembered; PostgreSQL gives up
    # waiting for a lock (503 with Retry-After) or on a runaway statement (0 turns either off).
    IDEMPOTENCY_KEY_TTL_HOURS = int(os.environ.get("IDEMPOTENCY_KEY_TTL_HOURS", "24"))
    DATABASE_LOCK_TIMEOUT_MS = int(os.environ.get("DATABASE_LOCK_TIMEOUT_MS", "3000"))
    DATABASE_STATEMENT_TIMEOUT_MS = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "30000"))
    BUSY_RETRY_AFTER_SECONDS = 1

    # Retention (`flask retention run`): years after a case is closed before its free text is
    # removed, per case category, and for the migrant's identity years after their last
    # contact once none of their cases is kept any more ("default"). A policy decision of the
    # consulate, not a rule of law: people at risk of prosecution, detention or mobilisation
    # may need their file for longer; a question answered on the phone, for less.
    RETENTION_PERIODS: dict[str, int] = {
        "default": 5, "information_request": 2,
        "mobilisation_notice": 10, "military_contract_pressure": 10,
        "foreign_service_prosecution_risk": 10, "detention_abroad": 10, "asylum_abroad": 10,
    }
    # Years the phone number and summary of a call nobody was identified on are kept.
    RETENTION_UNIDENTIFIED_CALL_YEARS = 2
    # Statistics: counts from 1 to THRESHOLD-1 leave the system only as "<THRESHOLD".
    STATS_SUPPRESSION_THRESHOLD = int(os.environ.get("STATS_SUPPRESSION_THRESHOLD", "5"))
    STATS_SENSITIVE_THRESHOLD = int(os.environ.get("STATS_SENSITIVE_THRESHOLD", "10"))
    STATS_SENSITIVE_CATEGORIES = tuple(os.environ.get("STATS_SENSITIVE_CATEGORIES", ",".join((
        "mobilisation_notice", "military_contract_pressure", "foreign_service_prosecution_risk",
        "detention_abroad", "asylum_abroad", "extremist_recruitment_approach"))).split(","))
    STATS_EXPORT_TTL_HOURS = int(os.environ.get("STATS_EXPORT_TTL_HOURS", "24"))
    # Finished background exports; instance/exports/ when unset.
    STATS_EXPORT_DIR = os.environ.get("STATS_EXPORT_DIR")

    @classmethod
    def check(cls) -> None:
        if not cls.SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set outside development")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    # The demo server runs on plain http://127.0.0.1.
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False

    @classmethod
    def check(cls) -> None:
        return None


class TestingConfig(DevelopmentConfig):
    ENV_NAME = "testing"
    TESTING = True
    LEAFLET_COUNT_FLUSH_SECONDS = 0
    # The suite logs in hundreds of times from one address; tests/auth tests the real limits.
    LOGIN_RATE_LIMIT = LOGIN_ADDRESS_RATE_LIMIT = "100000 per minute"
    SECRET_KEY = "testing-only"  # noqa: S105 -- tests only  # nosec B105
    # The suite empties whole tables between tests, which on a loaded machine may outlast the
    # production statement timeout; lock timeouts stay as in production.
    DATABASE_STATEMENT_TIMEOUT_MS = 0


CONFIGS = {c.ENV_NAME: c for c in (Config, DevelopmentConfig, TestingConfig)}


def config_from_env() -> type[Config]:
    name = os.environ.get("MIGRANTDESK_ENV", "production")
    if name not in CONFIGS:
        raise RuntimeError(f"MIGRANTDESK_ENV must be one of {sorted(CONFIGS)}")
    return CONFIGS[name]
