"""Password policy after NIST SP 800-63B: long enough, no composition rules, and not a
password that is common, leaked or built from the person's own name or e-mail.

The check works offline: zxcvbn ships the 30,000 passwords seen most often in public breaches
(its "passwords" list) together with names, common words, keyboard walks, dates and
sequences, and estimates how many guesses a password would take.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from flask_babel import gettext as _
from zxcvbn import zxcvbn
from zxcvbn.matching import RANKED_DICTIONARIES

MIN_LENGTH = 12
MAX_LENGTH = 200
# zxcvbn score 3: about 10^8 guesses or more, "safely unguessable" for an online attack and
# slow enough against an argon2 hash taken offline.
MIN_SCORE = 3
_ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input; what follows cannot weaken the prefix
_BREACHED = RANKED_DICTIONARIES["passwords"]
_zxcvbn_lock = threading.Lock()
# Words anyone would try first against this application's accounts.
_SITE_WORDS = ("migrantdesk", "migrant", "consulate", "embassy", "hotline", "consul")


def is_breached(password: str) -> bool:
    """True when the password is, ignoring case, one of the most common leaked passwords."""
    return password.lower() in _BREACHED


def problems(password: str, personal: Iterable[str] = ()) -> list[str]:
    """What is wrong with this password, as messages for the user; empty when it is fine.

    `personal` holds the account's own name, e-mail and the like, which a password must not
    be built from."""
    if len(password) < MIN_LENGTH:
        return [_("At least %(n)d characters.", n=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [_("At most %(n)d characters.", n=MAX_LENGTH)]
    if is_breached(password):
        return [_("This password appears in lists of leaked passwords; choose another.")]
    own_words = _words(personal)
    if _mostly_built_from(password, [*own_words, *_SITE_WORDS]) \
            or _score(password, [*own_words, *_SITE_WORDS]) < MIN_SCORE:
        return [_("Too easy to guess: it is built from common words, names, dates, keyboard "
                  "patterns or your own name or e-mail. A few unrelated words make a strong "
                  "password.")]
    return []


def _score(password: str, user_inputs: list[str]) -> int:
    # zxcvbn keeps the user inputs in a module-level dictionary while it scores: one thread at a
    # time, or a concurrent check could score against another account's name.
    with _zxcvbn_lock:
        return int(zxcvbn(password[:_ZXCVBN_MAX_LENGTH], user_inputs=user_inputs)["score"])


def _mostly_built_from(password: str, words: list[str]) -> bool:
    """True when taking these words out leaves fewer than 8 letters: zxcvbn alone rates
    "sadykova.aigerim" safe for Aigerim Sadykova, as the separator looks random to it."""
    rest = password.lower()
    for word in sorted(words, key=len, reverse=True):
        rest = rest.replace(word.lower(), "")
    if rest == password.lower():
        return False
    return len(re.sub(r"[\W\d_]", "", rest)) < 8


def _words(personal: Iterable[str]) -> list[str]:
    """The values and their parts: "ivan.petrov@kg.example" also gives "ivan" and "petrov"."""
    words: list[str] = []
    for value in personal:
        if not value:
            continue
        words.append(value)
        for separator in "@.-_+ ":
            value = value.replace(separator, " ")
        words.extend(part for part in value.split() if len(part) >= 3)
    return words
