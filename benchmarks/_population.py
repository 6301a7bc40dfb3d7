"""A register of migrants for the caller-search benchmark, COPYed straight into PostgreSQL.

People of a Kyrgyz consulate in Moscow: mostly Kyrgyz, with Uzbek, Tajik and Kazakh citizens.
Surnames are built the way they are in the region (a father's or grandfather's name + -ov/-ev,
Tajik -zoda), written in Cyrillic and in one of the Latin spellings a passport, an English
form or a national alphabet gives them ("Жумабеков" / "Zhumabekov" / "Jumabekov"). Everyone
has one or two mobile numbers and a foreign passport; some have cases, and the hotline has
logged calls, linked or not yet identified. The name words that the search reads
(migrants.name_words) are COPYed with the migrants.

Secondary indexes are dropped before COPY and recreated from their own definitions afterwards
(pg_indexes.indexdef), so the schema ends exactly as Alembic made it.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg

from benchmarks._harness import libpq_conninfo
from migrantdesk.cases.facts import CaseCategory
from migrantdesk.config import PROJECT_ROOT
from migrantdesk.core.text import document_key, search_key
from migrantdesk.migrants.name_words import name_words

# --- names ----------------------------------------------------------------------------------

_MALE = {
    "ky": "Асан Үсөн Жумабек Токтогул Садыр Абдыкадыр Мамыт Осмон Калыбек Кадыр Сыдык "
          "Турсунбай Эсенгул Ниязбек Чыныбай Бакыт Азамат Нурлан Эрлан Талант Улан Мирлан "
          "Айбек Жыргалбек Үмөт Бекжан Адилет Нурбек Эрмек Алмаз Канат Темир Жоомарт Самат "
          "Данияр Руслан Марат Тилек Кубанычбек Өмүрбек Жапар Исмаил Алымбек Төлөгөн",
    "uz": "Хасан Ғулом Юсуф Тошмат Карим Раҳим Эргаш Содиқ Холмат Нормат Қодир Мирза Абдулла "
          "Турғун Йўлдош Исмоил Алишер Шерзод Жасур Ботир Улуғбек Фаррух Ойбек Отабек Бахтиёр "
          "Ғайрат Дилшод Жамшид Санжар Ҳусан Акмал Азиз Бобур Собир Тоҳир Ҳамид Аъзам",
    "tg": "Ғафур Назар Шариф Саид Раҳмон Ҷалол Қурбон Иброҳим Ҳайдар Давлат Сафар Нуриддин "
          "Фирдавс Ҷамшед Умед Далер Манучеҳр Суҳроб Зафар Шерали Ҷовидон Рустам Комрон Шоҳрух "
          "Баҳодур Абдураҳим Мирзо",
    "kk": "Нұрлан Әбдірахман Жақсыбек Тоқтар Құнанбай Оспан Ахмет Серікбай Ержан Нұрсұлтан "
          "Асқар Дәурен Қайрат Бауыржан Ғалым Серік Ерболат Мұрат",
}
_FEMALE = {
    "ky": "Айгүл Гүлнара Айпери Нургүл Жаңыл Чолпон Бермет Асель Айжан Мээрим Жылдыз Назира "
          "Бурул Динара",
    "uz": "Дилноза Гулноза Нилуфар Мадина Ўғилой Шаҳноза Зулфия Моҳира Феруза Гулчеҳра",
    "tg": "Мавзуна Нигина Шабнам Зарина Манижа Таҳмина Фарзона Меҳрона",
    "kk": "Әйгерім Дана Гүлжан Жанар Ақмарал Айгерім Салтанат",
}
# Kyrgyz surnames are also built from name parts: Токто + гул, Эсен + бек ...
_KY_STEMS = ("Токто", "Эсен", "Асан", "Жума", "Кара", "Сары", "Абды", "Мамат", "Алы", "Бакы",
             "Тур", "Нур", "Кул", "Ак", "Бай", "Осмон")
_KY_ENDINGS = ("бек", "бай", "гул", "кул", "мурат", "жан", "таш")
_PEOPLES = {"ky": 0.62, "uz": 0.24, "tg": 0.08, "kk": 0.06}
_OWN_LATIN = {"ky": "ky", "uz": "uz", "tg": "tg", "kk": "kk"}

_COMMON = dict(zip("абвгдзиклмнопрстуфэ", "abvgdziklmnoprstufe", strict=True)) | {
    "ь": "", "ъ": "", "ы": "y", "ш": "sh", "щ": "shch", "ч": "ch", "ц": "ts", "е": "e",
    "ё": "yo", "ү": "u", "ө": "o", "ә": "a", "ұ": "u", "і": "i", "һ": "h", "ӣ": "i", "ӯ": "u",
    "ў": "u", "қ": "k", "ғ": "g", "ҳ": "kh", "ҷ": "dzh", "ң": "n", "ж": "zh", "х": "kh",
    "й": "y", "ю": "yu", "я": "ya"}
# Russian passports (ICAO 9303), English-language forms, and each state's own Latin.
_SYSTEMS: dict[str, dict[str, str]] = {
    "icao": _COMMON | {"й": "i", "ю": "iu", "я": "ia", "ъ": "ie", "ё": "e"},
    "english": _COMMON | {"ң": "ng", "ғ": "gh", "қ": "q", "ҷ": "j", "ҳ": "h"},
    "ky": _COMMON | {"ж": "j", "ү": "ü", "ө": "ö", "ң": "ñ"},
    "uz": _COMMON | {"х": "x", "ж": "j", "қ": "q", "ғ": "gʻ", "ў": "oʻ", "ҳ": "h", "ц": "s",
                     "ъ": "ʼ"},
    "tg": _COMMON | {"ҷ": "j", "ҳ": "h", "қ": "q", "ғ": "gh", "ӣ": "ī", "ӯ": "ū"},
    "kk": _COMMON | {"ә": "ä", "ғ": "ğ", "қ": "q", "ң": "ñ", "ө": "ö", "ұ": "ū", "ү": "ü",
                     "і": "ı", "ш": "ş", "ч": "ç", "ж": "j", "х": "h", "й": "i"},
}


def latin(cyrillic: str, system: str) -> str:
    words = []
    for word in cyrillic.split():
        table = _SYSTEMS[system]
        lower = word.lower()
        head = "ye" if lower[0] == "е" and system in ("english", "uz") else table[lower[0]]
        words.append((head + "".join(table.get(ch, ch) for ch in lower[1:])).capitalize())
    return " ".join(words)


def _surname_root(people: str, rng: random.Random) -> str:
    if people == "ky" and rng.random() < 0.45:
        return rng.choice(_KY_STEMS) + rng.choice(_KY_ENDINGS)
    return rng.choice(_MALE_LISTS[people])


def surname(people: str, rng: random.Random, female: bool) -> str:
    root = _surname_root(people, rng)
    if people == "tg" and rng.random() < 0.3:
        return root + "зода"
    stem = root[:-1] if root.endswith("й") else root
    suffix = "ев" if stem[-1] in "аеиоуыэюяйәөүі" or root.endswith("й") else "ов"
    return stem + suffix + ("а" if female else "")


def _patronymic(father: str, female: bool) -> str:
    stem = father[:-1] if father.endswith("й") else father
    vowel = stem[-1] in "аеиоуыэюя" or father.endswith("й")
    return stem + ("ев" if vowel else "ов") + ("на" if female else "ич")


_MALE_LISTS = {people: names.split() for people, names in _MALE.items()}
_FEMALE_LISTS = {people: names.split() for people, names in _FEMALE.items()}


def names(rng: random.Random) -> tuple[str, dict[str, str | None]]:
    """The people a migrant belongs to and the four name columns."""
    people = rng.choices(list(_PEOPLES), weights=list(_PEOPLES.values()))[0]
    female = rng.random() < 0.3
    family = surname(people, rng, female)
    given = rng.choice((_FEMALE_LISTS if female else _MALE_LISTS)[people])
    father = rng.choice(_MALE_LISTS[people])
    given_full = given
    if people == "ky" and rng.random() < 0.2:
        given_full += f" {father} {'кызы' if female else 'уулу'}"
    elif rng.random() < 0.6:
        given_full += " " + _patronymic(father, female)
    system = rng.choices(("icao", "english", _OWN_LATIN[people]), weights=(5, 2, 3))[0]
    row: dict[str, str | None] = {
        "surname_cyrl": family, "given_names_cyrl": given_full,
        "surname_latn": latin(family, system), "given_names_latn": latin(given, system)}
    script = rng.random()
    if script < 0.1:  # copied from a passport
        row["surname_cyrl"] = row["given_names_cyrl"] = None
    elif script > 0.88:  # given over the phone, not checked against a document yet
        row["surname_latn"] = row["given_names_latn"] = None
    return people, row


# --- phones and documents -------------------------------------------------------------------

_PLANS = {  # country: (calling code, operator prefixes, digits after the prefix)
    "RU": ("7", "903 905 909 912 915 916 925 926 965 977 985 999", 7),
    "KG": ("996", "700 701 702 703 705 707 709 770 771 772 775 777 550 551 555 557", 6),
    "UZ": ("998", "90 91 93 94 95 97 99 33 88", 7),
    "TJ": ("992", "90 91 92 93 98 99 55 50", 7),
    "KZ": ("7", "700 701 702 705 707 747 771 775 777 778", 7),
}
_MOBILE = {country: (code, prefixes.split(), digits)
           for country, (code, prefixes, digits) in _PLANS.items()}
_HOME = {"ky": "KG", "uz": "UZ", "tg": "TJ", "kk": "KZ"}
_PASSPORT_PREFIX = {"KG": "AC", "UZ": "FA", "TJ": "40", "KZ": "N"}


def mobile(rng: random.Random, country: str) -> str:
    code, prefixes, digits = _MOBILE[country]
    return f"+{code}{rng.choice(prefixes)}{rng.randrange(10 ** digits):0{digits}d}"


def passport(rng: random.Random, country: str) -> str:
    number = _PASSPORT_PREFIX[country] + f"{rng.randrange(10 ** 7):07d}"
    return f"{number[:2]} {number[2:]}" if rng.random() < 0.2 else number


# --- loading --------------------------------------------------------------------------------

_SEQUENCED = ("migrants", "migrant_phones", "identity_documents", "cases", "calls")
_TABLES = (*_SEQUENCED, "name_words", "migrant_name_words")
_MIGRANT_COLUMNS = ("id", "office_id", "surname_cyrl", "given_names_cyrl", "surname_latn",
                    "given_names_latn", "birth_date", "preferred_language", "search_key",
                    "created_at", "updated_at", "version")


def _progress(label: str, started: float) -> None:
    print(f"  {label} ({time.monotonic() - started:.0f} s)", file=sys.stderr)


class Loader:
    def __init__(self, connection: psycopg.Connection, office_id: int, operator_id: int,
                 seed: int) -> None:
        self.connection, self.office_id, self.operator_id = connection, office_id, operator_id
        self.rng = random.Random(seed)
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.started = time.monotonic()

    def _next_id(self, table: str) -> int:
        return int(self.connection.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
                   .fetchone()[0])

    def _ago(self, days: int) -> datetime:
        return self.now - timedelta(seconds=self.rng.randrange(days * 86400))

    def migrants(self, count: int) -> None:
        rng, first = self.rng, self._next_id("migrants")
        phone_id, document_id = self._next_id("migrant_phones"), self._next_id(
            "identity_documents")
        phones: list[tuple[Any, ...]] = []
        documents: list[tuple[Any, ...]] = []
        carried: list[tuple[int, int, str]] = []  # the name words, as migrants.name_words
        with self.connection.cursor().copy(
                f"COPY migrants ({', '.join(_MIGRANT_COLUMNS)}) FROM STDIN") as copy:
            for migrant_id in range(first, first + count):
                people, row = names(rng)
                home = _HOME[people]
                created = self._ago(3 * 365)
                key = search_key(*row.values())
                copy.write_row((migrant_id, self.office_id, *row.values(),
                                date(1962, 1, 1) + timedelta(days=rng.randrange(44 * 365)),
                                rng.choice(("ky", "ru", "uz-Latn", "tg", "kk")),
                                key, created, created, 1))
                carried += ((migrant_id, self.office_id, word) for word in name_words(key))
                numbers = [mobile(rng, "RU" if rng.random() < 0.65 else home)]
                if rng.random() < 0.3:
                    numbers.append(mobile(rng, home if numbers[0].startswith("+7") else "RU"))
                for number in dict.fromkeys(numbers):
                    phones.append((phone_id, migrant_id, number))
                    phone_id += 1
                number = passport(rng, home)
                issued = date(2015, 1, 1) + timedelta(days=rng.randrange(10 * 365))
                documents.append((document_id, migrant_id, "foreign_passport", number,
                                  document_key(number), home, issued,
                                  issued + timedelta(days=3652), "valid"))
                document_id += 1
                if (migrant_id - first + 1) % 100_000 == 0:
                    _progress(f"{migrant_id - first + 1:,} migrants", self.started)
        known = {word for (word,) in self.connection.execute(
            "SELECT word FROM name_words WHERE office_id = %s", (self.office_id,))}
        self._copy("name_words", ("office_id", "word"),
                   [(self.office_id, word) for word in sorted({w for _, _, w in carried} - known)])
        self._copy("migrant_name_words", ("migrant_id", "office_id", "word"), carried)
        self._copy("migrant_phones", ("id", "migrant_id", "e164"), phones)
        self._copy("identity_documents", ("id", "migrant_id", "kind", "number", "number_key",
                                          "issuing_country", "issued_on", "expires_on",
                                          "status"), documents)

    def _copy(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        with self.connection.cursor().copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        _progress(f"{len(rows):,} {table}", self.started)

    def office_migrants(self) -> list[tuple[int, str]]:
        return self.connection.execute(
            "SELECT m.id, min(p.e164) FROM migrants m JOIN migrant_phones p "
            "ON p.migrant_id = m.id WHERE m.office_id = %s GROUP BY m.id ORDER BY m.id",
            (self.office_id,)).fetchall()

    def cases(self, count: int, people: list[tuple[int, str]]) -> None:
        rng, first = self.rng, self._next_id("cases")
        categories = [str(c) for c in CaseCategory]
        statuses = ("new", "in_progress", "waiting", "resolved", "closed")
        rows = []
        for case_id in range(first, first + count):
            opened = self._ago(2 * 365)
            status = rng.choices(statuses, weights=(15, 30, 15, 20, 20))[0]
            rows.append((case_id, self.office_id, rng.choice(people)[0], rng.choice(categories),
                         "RU", "Caller asked for help", "{}", status, "normal",
                         self.operator_id, opened, opened,
                         opened if status == "closed" else None, 1))
        self._copy("cases", ("id", "office_id", "migrant_id", "category", "host_country",
                             "summary", "facts", "status", "priority", "assignee_id",
                             "opened_at", "updated_at", "closed_at", "version"), rows)

    def calls(self, count: int, people: list[tuple[int, str]]) -> None:
        """Most calls are linked to their migrant; a quarter are not identified yet, a third
        of those from a number the register already knows (a repeat caller)."""
        rng, first = self.rng, self._next_id("calls")
        rows = []
        for call_id in range(first, first + count):
            started = self._ago(365)
            migrant_id, phone = rng.choice(people)
            roll = rng.random()
            if roll >= 0.75:
                migrant_id = None
                if roll >= 0.83:
                    phone = mobile(rng, "RU")
            rows.append((call_id, self.office_id, self.operator_id, started,
                         started + timedelta(seconds=rng.randint(60, 1200)), "inbound", phone,
                         rng.choice(("ky", "ru", "uz")), "Asked about the 90-day rule",
                         migrant_id, started))
        self._copy("calls", ("id", "office_id", "operator_id", "started_at", "ended_at",
                             "direction", "caller_phone", "language", "summary", "migrant_id",
                             "created_at"), rows)


def _count(connection: psycopg.Connection, table: str, office_id: int) -> int:
    return int(connection.execute(f"SELECT count(*) FROM {table} WHERE office_id = %s",
                                  (office_id,)).fetchone()[0])


def ensure_population(url: str, office: tuple[int, str], operator_id: int, *, migrants: int,
                      cases: int, calls: int, seed: int, loader: str = "copy") -> bool:
    """Top the office (id, code) up to the given numbers of migrants, cases and calls, with
    COPY or with the app's `flask generate`; False when it already had them."""
    with psycopg.connect(libpq_conninfo(url)) as connection:
        missing = {table: max(target - _count(connection, table, office[0]), 0)
                   for table, target in (("migrants", migrants), ("cases", cases),
                                         ("calls", calls))}
    if not any(missing.values()):
        return False
    print(f"loading {', '.join(f'{n:,} {t}' for t, n in missing.items() if n)} with {loader} "
          "(a few minutes for a million)", file=sys.stderr)
    if loader == "generate":
        _flask_generate(url, office[1], missing, seed)
    else:
        _copy_population(url, office[0], operator_id, missing, seed)
    with psycopg.connect(libpq_conninfo(url), autocommit=True) as connection:
        connection.execute(f"VACUUM (ANALYZE) {', '.join(_TABLES)}")
    return True


def _flask_generate(url: str, office_code: str, missing: dict[str, int], seed: int) -> None:
    """The app's own bulk generator (migrantdesk.demo), run as an operator would run it."""
    environment = {**os.environ, "DATABASE_URL": url, "MIGRANTDESK_ENV": "development"}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "generate",
               "--migrants", str(missing["migrants"]), "--cases", str(missing["cases"]),
               "--calls", str(missing["calls"]), "--office", office_code, "--seed", str(seed)]
    subprocess.run(command, cwd=PROJECT_ROOT, env=environment, check=True)  # noqa: S603


def _copy_population(url: str, office_id: int, operator_id: int, missing: dict[str, int],
                     seed: int) -> None:
    """One transaction: a failed load leaves the database as it was."""
    with psycopg.connect(libpq_conninfo(url)) as connection:
        connection.execute("SET maintenance_work_mem = '1GB'")
        # The generated rows are consistent; skipping FK triggers makes COPY several times faster.
        connection.execute("SET session_replication_role = replica")
        indexes = connection.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            (list(_TABLES),)).fetchall()
        for name, _definition in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        loader = Loader(connection, office_id, operator_id, seed + _count(
            connection, "migrants", office_id))
        if missing["migrants"] > 0:
            loader.migrants(missing["migrants"])
        people = loader.office_migrants()
        if missing["cases"] > 0:
            loader.cases(missing["cases"], people)
        if missing["calls"] > 0:
            loader.calls(missing["calls"], people)
        for name, definition in indexes:
            connection.execute(definition)
            _progress(f"index {name} rebuilt", loader.started)
        for table in _SEQUENCED:
            connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT max(id) FROM {table}))")
        connection.commit()
