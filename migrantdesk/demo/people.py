"""Demo migrants: names in both scripts with real romanisation variants, home regions, valid
mobile numbers, identity documents and citizenships."""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from migrantdesk.core.text import document_key, search_key
from migrantdesk.migrants.models import AcquisitionMode, DocumentKind, DocumentStatus

# --- names: "Cyrillic/Latin variants" (native orthography first, then passport spellings) ---

_NAME_POOLS = {  # people: (surnames, male given names, female given names)
    "ky": ("Жумабеков/Zhumabekov/Jumabekov Жапаров/Japarov/Zhaparov/Caparov Садыров/Sadyrov/"
           "Sadirov Токтогулов/Toktogulov Абдыкадыров/Abdykadyrov/Abdikadirov Асанов/Asanov/"
           "Assanov Мамытов/Mamytov/Mamitov Осмонов/Osmonov Калыбеков/Kalybekov/Kalibekov "
           "Кадыров/Kadyrov/Kadirov/Kadryov Үсөнов/Usonov/Usenov Өмүрбеков/Omurbekov "
           "Сыдыков/Sydykov/Sidikov Турсунбаев/Tursunbaev/Tursunbayev Эсенгулов/Esengulov/"
           "Yesengulov Ниязбеков/Niyazbekov/Niiazbekov Чыныбаев/Chynybaev/Chinibaev",
           "Азамат/Azamat Бакыт/Bakyt/Bakit Нурлан/Nurlan Эрлан/Erlan/Yerlan Талант/Talant "
           "Улан/Ulan Мирлан/Mirlan Айбек/Aibek/Aybek Жыргалбек/Zhyrgalbek/Jyrgalbek "
           "Үмөт/Umot Бекжан/Bekzhan/Bekjan Адилет/Adilet Нурбек/Nurbek Эрмек/Ermek",
           "Айгүл/Aigul/Aygul Гүлнара/Gulnara Айпери/Aiperi/Ayperi Нургүл/Nurgul "
           "Жаңыл/Zhanyl/Janyl Чолпон/Cholpon Бермет/Bermet Асель/Asel/Assel Айжан/Aizhan/Aijan"),
    "uz": ("Хасанов/Xasanov/Khasanov/Hasanov Ғуломов/Gʻulomov/Gulomov/Ghulomov Юсупов/Yusupov "
           "Тошматов/Toshmatov/Tashmatov Каримов/Karimov Раҳимов/Rahimov/Rakhimov "
           "Эргашев/Ergashev/Ergashov Содиқов/Sodiqov/Sodikov/Sadykov Холматов/Xolmatov/"
           "Kholmatov Норматов/Normatov Қодиров/Qodirov/Kodirov/Kadyrov Ўринов/Oʻrinov/Urinov "
           "Мирзаев/Mirzayev/Mirzaev Абдуллаев/Abdullayev/Abdullaev Турғунов/Turgʻunov/Turgunov "
           "Йўлдошев/Yoʻldoshev/Yuldashev Исмоилов/Ismoilov/Ismailov",
           "Алишер/Alisher Шерзод/Sherzod Жасур/Jasur/Zhasur Ботир/Botir/Batyr "
           "Улуғбек/Ulugʻbek/Ulugbek Фаррух/Farrux/Farrukh Ойбек/Oybek/Oibek Отабек/Otabek "
           "Бахтиёр/Baxtiyor/Bakhtiyor Ғайрат/Gʻayrat/Gayrat Дилшод/Dilshod Жамшид/Jamshid/"
           "Dzhamshid Санжар/Sanjar/Sanzhar",
           "Дилноза/Dilnoza Гулноза/Gulnoza Нилуфар/Nilufar Мадина/Madina Ўғилой/Oʻgʻiloy/"
           "Ugiloy Шаҳноза/Shahnoza/Shakhnoza Зулфия/Zulfiya/Zulfiia Моҳира/Mohira/Mokhira"),
    "tg": ("Ғафуров/Gafurov/Ghafurov Раҳимов/Rahimov/Rakhimov Назаров/Nazarov Шарипов/Sharipov "
           "Саидов/Saidov/Sayidov Каримзода/Karimzoda Раҳмонов/Rahmonov/Rakhmonov "
           "Ҷалолов/Jalolov/Dzhalolov Қурбонов/Qurbonov/Kurbonov Иброҳимов/Ibrohimov/Ibragimov "
           "Ҳайдаров/Haydarov/Khaidarov Мирзоев/Mirzoev/Mirzoyev Давлатов/Davlatov "
           "Сафаров/Safarov Нуриддинзода/Nuriddinzoda Абдуллозода/Abdullozoda",
           "Фирдавс/Firdavs Ҷамшед/Jamshed/Dzhamshed Умед/Umed Далер/Daler Манучеҳр/Manuchehr/"
           "Manuchekhr Фаррух/Farrukh Суҳроб/Suhrob/Sukhrob Исмоил/Ismoil/Ismail Зафар/Zafar "
           "Шерали/Sherali Ҷовидон/Jovidon/Dzhovidon Рустам/Rustam Комрон/Komron/Kamron",
           "Мавзуна/Mavzuna Нигина/Nigina Шабнам/Shabnam Зарина/Zarina Манижа/Manizha/Manija "
           "Гулчеҳра/Gulchehra/Gulchekhra Таҳмина/Tahmina/Takhmina Фарзона/Farzona"),
    "kk": ("Нұрланов/Nurlanov Әбдірахманов/Abdirakhmanov/Abdrakhmanov Жақсыбеков/Zhaksybekov/"
           "Jaqsybekov Тоқтаров/Toktarov/Toqtarov Құнанбаев/Kunanbayev/Qunanbaev Оспанов/Ospanov "
           "Ахметов/Akhmetov/Ahmetov Серікбаев/Serikbayev/Serikbaev Ержанов/Yerzhanov/Erzhanov",
           "Нұрсұлтан/Nursultan Ерлан/Yerlan/Erlan Асқар/Askar/Asqar Дәурен/Dauren "
           "Ержан/Yerzhan/Erzhan Қайрат/Kairat/Qairat Бауыржан/Bauyrzhan/Baurzhan Ғалым/Galym",
           "Әйгерім/Aigerim/Aygerim Дана/Dana Гүлжан/Gulzhan/Guljan Жанар/Zhanar Ақмарал/Akmaral"),
    "tk": ("Атаев/Ataýew/Atayev Оразов/Orazow/Orazov Ходжамурадов/Hojamyradow/Khodzhamuradov "
           "Аннаев/Annaýew/Annayev Курбанов/Gurbanow/Kurbanov Мередов/Meredow/Meredov "
           "Бердыев/Berdiýew/Berdyev Чарыев/Çaryýew/Charyev Ягмыров/Ýagmyrow/Yagmyrov",
           "Мердан/Merdan Сердар/Serdar Довлет/Döwlet/Dovlet Максат/Maksat Шатлык/Şatlyk/Shatlyk "
           "Бегенч/Begenç/Begench Язмурад/Ýazmyrat/Yazmurad",
           "Айгуль/Aýgül/Aygul Джерен/Jeren/Dzheren Майса/Maýsa/Maysa Гулялек/Gülälek/Gulyalek"),
}
NAMES = {people: tuple(tuple(tuple(entry.split("/")) for entry in pool.split()) for pool in pools)
         for people, pools in _NAME_POOLS.items()}
# Who calls a consulate of each state (citizens of other ethnicity included), and how.
_PEOPLES = {"KG": {"ky": 85, "uz": 10, "kk": 3, "tg": 2},
            "UZ": {"uz": 86, "tg": 5, "kk": 5, "tk": 4}, "TJ": {"tg": 88, "uz": 10, "ky": 2},
            "KZ": {"kk": 85, "uz": 10, "ky": 5}, "TM": {"tk": 90, "uz": 10}}
_LANGUAGE = {"ky": "ky", "uz": "uz-Latn", "tg": "tg", "kk": "kk", "tk": "tk"}
_REGIONS = {
    "KG": "Osh, Jalal-Abad, Batken, Chuy, Naryn, Issyk-Kul, Talas, Bishkek",
    "UZ": "Andijan, Fergana, Namangan, Samarkand, Kashkadarya, Surkhandarya, Khorezm, "
          "Karakalpakstan, Tashkent Region",
    "TJ": "Sughd, Khatlon, Districts of Republican Subordination, GBAO, Dushanbe",
    "KZ": "Turkistan, Shymkent, Zhambyl, Almaty Region, Kyzylorda",
    "TM": "Dashoguz, Lebap, Mary, Ahal, Balkan"}
_HOST_CITIES = {"Moscow": "Moscow, Podolsk, Balashikha, Khimki, Lyubertsy, Mytishchi",
                "Kazan": "Kazan, Naberezhnye Chelny, Nizhnekamsk, Almetyevsk, Ulyanovsk",
                "Yekaterinburg": "Yekaterinburg, Chelyabinsk, Tyumen, Perm, Nizhny Tagil"}

# Mobile operator prefixes whose every completion is a valid number (tests re-parse them all).
MOBILE_PLANS = {  # country: (calling code, prefixes, digits after the prefix)
    "KG": ("996", "700 701 702 703 705 707 709 770 771 772 775 777 779 550 551 555 557 220 222", 6),
    "UZ": ("998", "90 91 93 94 95 97 99 33 88 50", 7),
    "TJ": ("992", "90 91 92 93 98 99 55 50 00 88", 7),
    "KZ": ("7", "700 701 702 705 707 747 771 775 776 777 778", 7),
    "RU": ("7", "903 905 909 915 916 925 926 965 977 985 999", 7),
    "TM": ("993", "61 62 63 64 65 71", 6),
}


# search_key is pure and names repeat across a million migrants: remember the recent ones.
cached_search_key = functools.lru_cache(maxsize=100_000)(search_key)


def mobile_number(rng: random.Random, country: str) -> str:
    """A valid E.164 mobile number of the country (KG, UZ, TJ, KZ, RU or TM)."""
    code, prefixes, digits = MOBILE_PLANS[country]
    return f"+{code}{rng.choice(prefixes.split())}{rng.randrange(10 ** digits):0{digits}d}"


def _feminine(surname: str) -> str:
    return surname + ("а" if surname.endswith(("ов", "ев", "ин")) else
                      "a" if surname.endswith(("ov", "ev", "ow", "ew", "in")) else "")


def _patronymic(father: str, female: bool) -> str:
    stem, vowel = father.rstrip("й"), father[-1] in "аеиоуыэюяй"
    return stem + ("ев" if vowel else "ов") + ("на" if female else "ич")


def migrant_names(rng: random.Random, people: str) -> tuple[dict[str, str | None], bool]:
    """Name columns in both scripts (sometimes one only), with real romanisation variants;
    the second value says whether the person is a man."""
    surnames, males, females = NAMES[people]
    male = rng.random() < 0.72
    surname, given, father = (rng.choice(surnames), rng.choice(males if male else females),
                              rng.choice(males))
    surname_cyrl, given_cyrl = surname[0], given[0]
    surname_latn, given_latn = rng.choice(surname[1:]), rng.choice(given[1:])
    if not male:
        surname_cyrl, surname_latn = _feminine(surname_cyrl), _feminine(surname_latn)
    if people == "ky" and rng.random() < 0.2:  # Kyrgyz style: "Азамат Бакыт уулу"
        given_cyrl += f" {father[0]} {'уулу' if male else 'кызы'}"
    elif rng.random() < 0.6:
        given_cyrl += " " + _patronymic(father[0], female=not male)
    if rng.random() < 0.01:  # a Latin "o" typed on a Cyrillic keyboard
        surname_cyrl = surname_cyrl.replace("о", "o", 1)
    names: dict[str, str | None] = {"surname_cyrl": surname_cyrl, "given_names_cyrl": given_cyrl,
                                    "surname_latn": surname_latn, "given_names_latn": given_latn}
    script = rng.random()
    if script < (0.35 if people == "tk" else 0.08):  # from a passport, or Turkmen Latin only
        names.update(surname_cyrl=None, given_names_cyrl=None)
    elif script > 0.88:  # given over the phone, not yet checked against a document
        names.update(surname_latn=None, given_names_latn=None)
    return names, male


class Site(NamedTuple):
    """What the generators need of an office (plain values survive commits)."""

    id: int
    code: str
    country: str
    host_country: str
    city: str


@dataclass
class Person:
    row: dict[str, Any]
    male: bool
    phones: list[str]
    documents: list[dict[str, Any]] = field(default_factory=list)
    citizenships: list[dict[str, Any]] = field(default_factory=list)


def pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _days_ago(rng: random.Random, today: date, low: int, high: int) -> date:
    return today - timedelta(days=rng.randint(low, high))


def document(rng: random.Random, kind: DocumentKind, country: str, today: date,
             issued: date | None = None) -> dict[str, Any]:
    """An identity document row (without migrant_id), its status following its dates."""
    digits = f"{rng.randrange(10 ** 10):010d}"
    passport_prefix = {"KG": "AC", "UZ": "FA", "TJ": "40", "KZ": "N", "TM": "A"}.get(country, "P")
    number, years = {
        DocumentKind.FOREIGN_PASSPORT: (passport_prefix + digits[:7], 10),
        DocumentKind.NATIONAL_PASSPORT: ("ID" + digits[:7], 10),
        DocumentKind.RUSSIAN_PASSPORT: (f"{digits[:2]} {digits[2:4]} {digits[4:]}", 20),
        DocumentKind.WORK_PATENT: (f"77 {digits}", 1),
        DocumentKind.REGISTRATION: (f"{digits[:2]}-{digits[2:8]}", 1),
        DocumentKind.MIGRATION_CARD: (f"{digits[:4]} {digits[4:]}", 1),
    }[kind]
    if kind in (DocumentKind.FOREIGN_PASSPORT, DocumentKind.NATIONAL_PASSPORT) \
            and rng.random() < 0.2:
        number = f"{number[:2]} {number[2:]}"  # as a clerk typed it
    issued = issued or _days_ago(rng, today, 0, 420 * years)  # about 1 in 7 has expired
    expires = issued + timedelta(days=365 * years)
    status = DocumentStatus.VALID if expires >= today else DocumentStatus.EXPIRED
    roll = rng.random()
    if roll < 0.07:
        status = (DocumentStatus.LOST, DocumentStatus.CONFISCATED)[roll < 0.03]
    elif roll < 0.075:
        status = DocumentStatus.SUSPECTED_FORGED
    return {"kind": kind, "number": number, "number_key": document_key(number),
            "issuing_country": "RU" if kind in _ISSUED_BY_HOST else country,
            "issued_on": issued, "expires_on": expires, "status": status}


_ISSUED_BY_HOST = {DocumentKind.RUSSIAN_PASSPORT, DocumentKind.WORK_PATENT,
                   DocumentKind.REGISTRATION, DocumentKind.MIGRATION_CARD}


def new_person(rng: random.Random, site: Site, now: datetime, *, full: bool = True) -> Person:
    """One migrant of the site's state; `full` adds a realistic set of phones, documents
    and citizenships, otherwise one phone and one passport (for benchmarks)."""
    people = pick(rng, _PEOPLES.get(site.country, {"uz": 1}))
    names, male = migrant_names(rng, people)
    birth = date(1960, 1, 1) + timedelta(days=rng.randrange(46 * 365))
    language = _LANGUAGE[people] if rng.random() < 0.7 else "ru"
    if language == "uz-Latn" and birth.year < 1985:
        language = "uz-Cyrl"  # older Uzbeks learnt to read in Cyrillic
    created = now - timedelta(seconds=rng.randrange(365 * 86400))
    row = {"office_id": site.id, **names, "birth_date": birth,
           "home_region": rng.choice(_REGIONS.get(site.country, "-").split(", ")),
           "host_city": rng.choice(_HOST_CITIES.get(site.city, site.city).split(", ")),
           "preferred_language": language, "search_key": cached_search_key(*names.values()),
           "created_at": created, "updated_at": created}
    host = site.host_country if site.host_country in MOBILE_PLANS else site.country
    first, second = (host, site.country) if rng.random() < 0.65 else (site.country, host)
    person = Person(row, male, [mobile_number(rng, first)])
    today = now.date()
    if not full:
        person.documents.append(document(rng, DocumentKind.FOREIGN_PASSPORT, site.country, today))
        return person
    extra = "TM" if people == "tk" else "KZ" if rng.random() < 0.05 else second
    if extra != first and rng.random() < 0.35:
        person.phones.append(mobile_number(rng, extra))
    person.citizenships.append({"country": site.country, "acquired_how": AcquisitionMode.BIRTH,
                                "acquired_on": birth})
    dual = {"KG": (0.10, AcquisitionMode.SIMPLIFIED), "TJ": (0.08, AcquisitionMode.TREATY)}
    share, how = dual.get(site.country, (0.0, AcquisitionMode.UNKNOWN))
    if rng.random() < share:
        since = _days_ago(rng, today, 200, 5000)
        person.citizenships.append({"country": "RU", "acquired_how": how, "acquired_on": since})
        person.documents.append(document(rng, DocumentKind.RUSSIAN_PASSPORT, "RU", today, since))
    kinds = [(DocumentKind.FOREIGN_PASSPORT, 1.0), (DocumentKind.NATIONAL_PASSPORT, 0.4),
             (DocumentKind.MIGRATION_CARD, 0.7), (DocumentKind.REGISTRATION, 0.6),
             # EAEU membership spares Kyrgyz and Kazakh workers the patent (seed-facts §2.19).
             (DocumentKind.WORK_PATENT, 0.0 if site.country in ("KG", "KZ") else 0.55)]
    person.documents += [document(rng, kind, site.country, today)
                         for kind, share in kinds if rng.random() < share]
    return person
