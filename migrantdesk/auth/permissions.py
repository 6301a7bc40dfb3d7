"""Roles mapped to permission scopes: permissions as data, checked on every view."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OPERATOR = "operator"
    LAWYER = "lawyer"
    CONSUL = "consul"
    MANAGER = "manager"
    ADMIN = "admin"


class Scope(StrEnum):
    MIGRANTS_READ = "migrants:read"
    MIGRANTS_WRITE = "migrants:write"
    CASES_READ = "cases:read"
    CASES_WRITE = "cases:write"
    CALLS_READ = "calls:read"
    CALLS_WRITE = "calls:write"
    GUIDANCE_READ = "guidance:read"
    GUIDANCE_WRITE = "guidance:write"
    GUIDANCE_PUBLISH = "guidance:publish"
    STATS_READ = "stats:read"
    STATS_EXPORT_CASES = "stats:export_cases"
    OFFICES_READ = "offices:read"
    OFFICES_ADMIN = "offices:admin"
    USERS_ADMIN = "users:admin"
    AUDIT_READ = "audit:read"
    # Legal holds and erasure of a migrant's personal data.
    PRIVACY_MANAGE = "privacy:manage"


_CASEWORK = {
    Scope.MIGRANTS_READ, Scope.MIGRANTS_WRITE, Scope.CASES_READ, Scope.CASES_WRITE,
    Scope.CALLS_READ, Scope.CALLS_WRITE, Scope.GUIDANCE_READ, Scope.OFFICES_READ,
}

_LEGAL_CONTENT = {Scope.GUIDANCE_WRITE, Scope.GUIDANCE_PUBLISH}

ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.OPERATOR: frozenset(_CASEWORK),
    Role.LAWYER: frozenset(_CASEWORK | _LEGAL_CONTENT),
    Role.CONSUL: frozenset(_CASEWORK | _LEGAL_CONTENT | {Scope.STATS_READ, Scope.STATS_EXPORT_CASES,
                                                         Scope.AUDIT_READ, Scope.PRIVACY_MANAGE}),
    # Managers see figures, not people.
    Role.MANAGER: frozenset({Scope.STATS_READ, Scope.OFFICES_READ}),
    # Administrators see every office (offices.services.visible_offices), so also its figures.
    Role.ADMIN: frozenset({Scope.OFFICES_READ, Scope.OFFICES_ADMIN, Scope.USERS_ADMIN,
                           Scope.AUDIT_READ, Scope.PRIVACY_MANAGE, Scope.STATS_READ,
                           Scope.STATS_EXPORT_CASES}),
}
