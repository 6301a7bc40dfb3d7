"""Locale selection: the user's own setting, then the browser's Accept-Language."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, get_locale
from flask_login import current_user

babel = Babel()


def interface_languages() -> list[str]:
    """Configured languages the interface is actually translated into (English is the source).
    A Kyrgyz reader who also reads Russian must get Russian, not untranslated English."""
    translated = {str(locale) for locale in babel.list_translations()}
    return [lang for lang in current_app.config["LANGUAGES"] if lang == "en" or lang in translated]


def select_locale() -> str | None:
    if not has_request_context():  # CLI commands and imports speak the default language
        return None
    languages = interface_languages()
    preferred = getattr(current_user, "preferred_language", None)
    if preferred:
        candidate = preferred.replace("-", "_")
        if candidate in languages:
            return candidate
    return _best_match([value for value, _quality in request.accept_languages], languages)


def _best_match(accepted: list[str], languages: list[str]) -> str:
    """The first accepted language we have, in the browser's order, before its second choice
    (often Russian): the same language and script, or else the language in the first script
    listed (uz and uz-UZ get uz_Latn). A region (kk-KZ) does not change the words."""
    for tag in accepted:
        subtags = tag.replace("_", "-").lower().split("-")
        wanted = [subtags[0], *(part for part in subtags[1:2] if len(part) == 4)]
        same = [lang for lang in languages if lang.lower().split("_")[0] == wanted[0]]
        exact = [lang for lang in same if lang.lower().split("_") == wanted]
        if exact or same:
            return (exact or same)[0]
    return "en"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def language_of_the_page() -> dict[str, str]:
        return {"html_lang": str(get_locale() or "en").replace("_", "-")}
