"""Script-independent search keys for names, and pg_trgm-compatible similarity.

A caller says "Асанов" and the passport says "Asanov"; an Uzbek writes "Xasanov" and a
Russian clerk "Хасанов", an English form "Khasanov". Every spelling is reduced to one
Latin *skeleton* in which the usual romanisation variants coincide, and trigram
similarity absorbs what is left (typos, a dropped vowel).
"""

from __future__ import annotations

import re
import unicodedata

_CYRILLIC_TO_LATIN = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e",
    "ё": "yo", "ж": "j", "з": "z", "и": "i", "ӣ": "i", "і": "i", "й": "y", "к": "k",
    "қ": "k", "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ү": "u", "ұ": "u", "ӯ": "u", "ў": "o",
    "ф": "f", "х": "h", "ҳ": "h", "һ": "h", "ц": "ts", "ч": "ch", "ҷ": "j", "ш": "sh",
    "щ": "sh", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}

# Latin letters with diacritics used by Turkmen, Turkish, Kazakh Latin and passports.
_LATIN_LETTERS = {
    "ä": "a", "ç": "ch", "ş": "sh", "ž": "j", "ň": "n", "ö": "o", "ü": "u", "ý": "y",
    "ı": "i", "ğ": "g", "é": "e", "ë": "e", "á": "a",
}

_APOSTROPHES = re.compile("[\u02bb\u02bc\u2018\u2019`'\u00b4\u02b9]")

# Order matters: longer digraphs first; placeholders keep ch/sh from being re-read.
_ROMANISATION_RULES = [
    ("shch", "\x01"), ("sch", "\x01"), ("sh", "\x01"), ("tch", "\x02"), ("ch", "\x02"),
    ("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "h"), ("gh", "g"),
    ("c", "j"),  # Turkish/Turkmen-style "Caparov" for Japarov
    ("x", "h"), ("q", "k"), ("w", "v"), ("ts", "s"), ("y", "i"),
]


def name_skeleton(text: str) -> str:
    """Reduce a name in any script to a lower-case Latin key; variants of one name coincide."""
    value = unicodedata.normalize("NFC", text).lower()
    value = _APOSTROPHES.sub("", value)
    value = "".join(_CYRILLIC_TO_LATIN.get(ch, _LATIN_LETTERS.get(ch, ch)) for ch in value)
    value = unicodedata.normalize("NFKD", value)
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    for source, target in _ROMANISATION_RULES:
        value = value.replace(source, target)
    value = value.replace("\x01", "sh").replace("\x02", "ch")
    value = re.sub(r"\bie", "e", value)  # Yevgeny / Evgeny
    value = re.sub(r"[^a-z0-9]+", " ", value)
    value = re.sub(r"(.)\1+", r"\1", value)  # Hassanov / Hasanov
    return value.strip()


def search_key(*names: str | None) -> str:
    """Distinct skeleton words of all the given name parts, for one indexed column."""
    words: list[str] = []
    for name in names:
        for word in name_skeleton(name or "").split():
            if word not in words:
                words.append(word)
    return " ".join(words)


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def _trigrams_of(text: str) -> set[str]:
    grams: set[str] = set()
    for word in text.split():
        grams |= _trigrams(word)
    return grams


def similarity(first: str | None, second: str | None) -> float:
    """pg_trgm's similarity of two skeletons: shared trigrams over all their trigrams."""
    wanted, offered = _trigrams_of(first or ""), _trigrams_of(second or "")
    if not wanted or not offered:
        return 0.0
    return len(wanted & offered) / len(wanted | offered)


def document_key(number: str) -> str:
    """Upper-case letters and digits of a document number: "an 123-456" → "AN123456"."""
    return re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", number).upper())
