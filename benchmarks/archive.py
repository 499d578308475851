"""A synthetic talknotes site shaped like a public archive of conference talks.

Real archives hold ~20,000 talks: one has 21,700 talks in 540 events, 12,700 speakers and 2,600
tags, with short descriptions (a paragraph or two, often a link), many talks not in English and
a video on every talk. ``generate_archive(root, n)`` writes a site of that shape for ``n`` talks:

- about n/40 events (name, start/end between 2002 and 2026, location, url);
- about 0.6·n distinct speakers, every one speaking at least once and the rest drawn with a
  Zipf-like skew (a few speak often), named in Latin with accents, Cyrillic, Greek, Hangul,
  Japanese, Chinese, Arabic and Devanagari from the syllable and name tables below;
- about n/8 distinct tags, skewed the same way, 1-5 per talk;
- titles in eleven languages (``lang`` set on the non-English ones), file names
  ``<date>-<slug of the title>.md`` with every slug distinct;
- a one- or two-paragraph description, sometimes with a list, a link or a code block;
- ``video:`` on every talk (YouTube mostly, Vimeo, other hosts with ``%20`` and ``'``),
  ``slides:`` on some.

Seeded and deterministic: the same ``n`` and ``seed`` write the same bytes. All the names and
words are made up here, not copied from any archive.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from generator.model.slugs import slugify  # noqa: E402  (the rule talknotes checks slugs with)

# --------------------------------------------------------------------------- names

# (weight, builder) per script; each builder makes one full name from its tables.
_LATIN_GIVEN = ["Jo", "Ma", "Ré", "Fran", "Zo", "Łu", "Sø", "An", "Mi", "Jür", "Ál", "Be", "Car", "Da", "El",
                "Fé", "Gu", "Hé", "In", "Ka", "Lu", "Né", "Ol", "Pi", "Ra", "Si", "Tó", "Ul", "Vi", "Ya"]
_LATIN_GIVEN_END = ["sé", "ría", "nçois", "ë", "kasz", "ren", "na", "guel", "gen", "varo", "a", "los", "niel",
                    "ena", "lix", "ido", "lène", "grid", "tja", "cía", "nuel", "ga", "ra", "ón", "dor", "ka"]
_LATIN_FAMILY = ["Mül", "Gar", "Ro", "Lefè", "Nø", "Kowal", "Da", "Sil", "Fer", "Mar", "Bé", "Cas", "Dü",
                 "Es", "Gon", "Her", "Ib", "Jan", "Kra", "Lo", "Mo", "Nu", "Or", "Pé", "Quin", "Sán", "To",
                 "Ur", "Va", "Wój", "Zá"]
_LATIN_FAMILY_END = ["ler", "cía", "dríguez", "vre", "rgaard", "ski", "Costa", "va", "reira", "tín", "ranger",
                     "tro", "rr", "teban", "zález", "nández", "áñez", "sen", "mer", "pes", "reau", "ñez",
                     "tiz", "rez", "tana", "chez", "rres", "quhart", "lente", "cik", "rate"]
_CYR = ["Ан", "Ми", "Оль", "Ив", "Пет", "Сер", "На", "Тать", "Дмит", "Ека", "Але", "Юл", "Бо", "Ва", "Гр",
        "Же", "Ки", "Лю", "Ро", "Свет"]
_CYR_END = ["дрей", "хаил", "га", "ан", "р", "гей", "таша", "яна", "рий", "терина", "ксей", "ия", "рис",
            "силий", "игорий", "ня", "рилл", "дмила", "ман", "лана"]
_CYR_FAMILY = ["Ив", "Пет", "Смир", "Кузне", "Соко", "Попо", "Лебе", "Коз", "Нови", "Мороз", "Вол", "Зай",
               "Павл", "Семё", "Голу", "Виног", "Богд", "Ворон", "Мель", "Шевч"]
_CYR_FAMILY_END = ["анов", "ров", "нов", "цов", "лов", "в", "дев", "лов", "ков", "ов", "ков", "цев", "ов",
                   "нов", "бев", "радов", "анов", "цов", "ник", "енко"]
_GREEK = ["Γιώρ", "Μα", "Νί", "Ελέ", "Δη", "Κων", "Σο", "Αθη", "Πα", "Χρι", "Βα", "Ει", "Θε", "Ιω", "Λά"]
_GREEK_END = ["γος", "ρία", "κος", "νη", "μήτρης", "σταντίνος", "φία", "νά", "ύλος", "στίνα", "σίλης",
              "ρήνη", "όδωρος", "άννα", "μπρος"]
_GREEK_FAMILY = ["Παπα", "Γεωργ", "Νικολ", "Οικον", "Καρα", "Δημητρ", "Αλεξ", "Βασιλ", "Κωνσταντ", "Μιχαη"]
_GREEK_FAMILY_END = ["δόπουλος", "ίου", "άκης", "όμου", "γιάννης", "ιάδης", "ανδρίδης", "είου", "ίνου", "λίδης"]
_KO_FAMILY = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권"]
_KO_GIVEN = ["민", "서", "준", "지", "현", "우", "수", "영", "하", "은", "도", "재", "연", "희", "성", "호",
             "진", "혜", "승", "유"]
_JA_FAMILY = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
              "松本", "井上", "木村", "林", "清水", "山口", "森", "池田"]
_JA_KANA = ["さ", "く", "ら", "ひ", "ろ", "し", "ゆ", "き", "な", "み", "た", "け", "る", "か", "ず", "あ", "こ",
            "と", "は", "ま"]
_JA_KATA = ["ケ", "ン", "ジ", "ユ", "キ", "ハ", "ル", "ナ", "ミ", "タ", "ロ", "ウ", "ア", "リ", "サ", "コ"]
_ZH_FAMILY = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"]
_ZH_GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超",
             "秀", "英", "华", "慧", "建", "国", "平", "文", "红", "玉", "宇", "欣"]
_AR_GIVEN = ["محمد", "أحمد", "فاطمة", "علي", "عمر", "ليلى", "يوسف", "مريم", "خالد", "سارة", "حسن", "نور",
             "زينب", "طارق", "رانيا", "كريم", "هدى", "سامي", "ياسمين", "إبراهيم"]
_AR_FAMILY = ["الحسن", "العلي", "حداد", "منصور", "الخطيب", "ناصر", "سليمان", "عباس", "الشامي", "البغدادي",
              "القاسم", "الزين", "عيسى", "الفارس", "السيد", "التميمي"]
_HI_GIVEN = ["अमित", "प्रिया", "राहुल", "सुनीता", "विकास", "अनीता", "संजय", "पूजा", "रवि", "नेहा", "अर्जुन",
             "कविता", "दीपक", "मीना", "सौरभ", "आरती", "करण", "श्वेता", "मनोज", "रश्मि"]
_HI_FAMILY = ["शर्मा", "वर्मा", "गुप्ता", "सिंह", "पटेल", "जोशी", "मेहता", "कुमार", "राव", "अग्रवाल", "नायर",
              "देसाई", "चौधरी", "मिश्रा", "बनर्जी", "रेड्डी"]


def _latin(r: random.Random) -> str:
    given = r.choice(_LATIN_GIVEN) + r.choice(_LATIN_GIVEN_END)
    family = r.choice(_LATIN_FAMILY) + r.choice(_LATIN_FAMILY_END)
    if r.random() < 0.3:  # a double-barrelled family name or a middle initial: more distinct names
        family += "-" + r.choice(_LATIN_FAMILY) + r.choice(_LATIN_FAMILY_END)
    elif r.random() < 0.3:
        given += f" {r.choice('ABCDEFGHJKLMNPRSTW')}."
    return f"{given} {family}"


def _cyrillic(r: random.Random) -> str:
    family = r.choice(_CYR_FAMILY) + r.choice(_CYR_FAMILY_END)
    return f"{r.choice(_CYR)}{r.choice(_CYR_END)} {family}"


def _greek(r: random.Random) -> str:
    return f"{r.choice(_GREEK)}{r.choice(_GREEK_END)} {r.choice(_GREEK_FAMILY)}{r.choice(_GREEK_FAMILY_END)}"


def _hangul(r: random.Random) -> str:
    return r.choice(_KO_FAMILY) + r.choice(_KO_GIVEN) + r.choice(_KO_GIVEN)


def _japanese(r: random.Random) -> str:
    if r.random() < 0.5:
        given = "".join(r.choices(_JA_KANA, k=r.randint(2, 3)))
    else:
        given = "".join(r.choices(_JA_KATA, k=r.randint(2, 3)))
    return f"{r.choice(_JA_FAMILY)} {given}"


def _chinese(r: random.Random) -> str:
    return r.choice(_ZH_FAMILY) + "".join(r.choices(_ZH_GIVEN, k=r.randint(1, 2)))


def _arabic(r: random.Random) -> str:
    return f"{r.choice(_AR_GIVEN)} {r.choice(_AR_GIVEN)} {r.choice(_AR_FAMILY)}"


def _devanagari(r: random.Random) -> str:
    middle = f" {r.choice(_HI_GIVEN)}" if r.random() < 0.5 else ""
    return f"{r.choice(_HI_GIVEN)}{middle} {r.choice(_HI_FAMILY)}"


SCRIPTS = {  # script -> (share of speakers, name builder)
    "latin": (45, _latin), "cyrillic": (10, _cyrillic), "greek": (5, _greek), "hangul": (8, _hangul),
    "japanese": (8, _japanese), "chinese": (10, _chinese), "arabic": (7, _arabic), "devanagari": (7, _devanagari),
}


def script_of(name: str) -> str:
    """Which of :data:`SCRIPTS` a name is written in (by its first letters outside ASCII and
    Latin-1, falling back to ``latin``); the test checks the spread with it."""
    for char in name:
        code = ord(char)
        if 0x0400 <= code <= 0x04FF:
            return "cyrillic"
        if 0x0370 <= code <= 0x03FF:
            return "greek"
        if 0xAC00 <= code <= 0xD7AF:
            return "hangul"
        if 0x3040 <= code <= 0x30FF:
            return "japanese"
        if 0x4E00 <= code <= 0x9FFF:
            # Japanese family names are kanji too: a name with a space in it is Japanese here.
            return "japanese" if " " in name else "chinese"
        if 0x0600 <= code <= 0x06FF:
            return "arabic"
        if 0x0900 <= code <= 0x097F:
            return "devanagari"
    return "latin"


def _distinct(r: random.Random, count: int, make) -> list[str]:
    """``count`` names from ``make(r)`` whose slugs all differ (talknotes gives two names with the
    same slug one page, which would make fewer speakers or tags than promised)."""
    names, slugs = [], set()
    attempts = 0
    while len(names) < count:
        name = make(r)
        attempts += 1
        slug = slugify(name)
        if slug and slug not in slugs:
            slugs.add(slug)
            names.append(name)
        elif attempts > count * 50:
            raise RuntimeError(f"could not make {count} distinct names")
    return names


def _speaker(r: random.Random) -> str:
    weights = [w for w, _ in SCRIPTS.values()]
    builder = r.choices([b for _, b in SCRIPTS.values()], weights)[0]
    return builder(r)


# --------------------------------------------------------------------------- tags

TECH = ("python django flask async testing packaging typing security performance postgres sqlite "
        "redis kafka kubernetes docker cloud serverless data science pandas numpy machine learning "
        "deep nlp vision api rest graphql web frontend rust go wasm education community diversity "
        "accessibility devops ci observability logging tracing profiling memory concurrency parsing "
        "compilers jit interpreters gis maps robotics iot embedded micropython hardware music art games "
        "finance health biology astronomy climate energy open source licensing documentation sphinx "
        "jupyter notebooks visualization dashboards streaming search caching queues scheduling").split()
NATIVE_TAGS = ["파이썬", "機械学習", "数据科学", "Тестирование", "Ασφάλεια", "वेब", "البيانات", "オープンソース",
               "教育", "Производительность", "커뮤니티", "云计算"]


def _tag(r: random.Random) -> str:
    roll = r.random()
    if roll < 0.04:
        return r.choice(NATIVE_TAGS) + ("" if r.random() < 0.5 else f"-{r.choice(TECH)}")
    if roll < 0.25:
        return r.choice(TECH)
    if roll < 0.85:
        return f"{r.choice(TECH)}-{r.choice(TECH)}"
    return f"{r.choice(TECH)}-{r.choice(TECH)}-{r.choice(TECH)}"


# --------------------------------------------------------------------------- languages

# lang -> (share of talks, title templates with {t} a topic, native words for descriptions, joiner)
LANGS = {
    "en": (70, ["{t} in practice", "How we scaled {t}", "Lessons from ten years of {t}",
                "An introduction to {t}", "What's new in {t}", "{t}: the good, the bad and the ugly",
                "Beyond {t}", "Building {t} for everyone", "Debugging {t} in production", "{t}, explained"],
           "we show how the team moved from prototype to production and what broke along the way "
           "this talk covers tools patterns pitfalls benchmarks and a live demo with questions".split(), " "),
    "fr": (4, ["Introduction à {t}", "{t} en production", "Retour d'expérience sur {t}", "{t} : pièges et astuces"],
           "nous présentons comment l'équipe a migré vers une architecture plus simple et rapide avec démonstration".split(), " "),
    "es": (4, ["Introducción a {t}", "{t} en producción", "Lo que aprendimos con {t}", "{t} para todos"],
           "mostramos cómo el equipo pasó del prototipo a producción y qué aprendimos en el camino".split(), " "),
    "pt-BR": (3, ["Introdução ao {t}", "{t} na prática", "O que aprendemos com {t}", "{t} sem medo"],
              "mostramos como a equipe levou o projeto do protótipo à produção e o que deu errado".split(), " "),
    "ru": (4, ["Введение в {t}", "{t} в продакшене", "Как мы ускорили {t}", "{t}: подводные камни"],
           "мы расскажем как команда перешла от прототипа к продакшену и что сломалось по пути".split(), " "),
    "el": (2, ["Εισαγωγή στο {t}", "{t} στην πράξη", "Τι μάθαμε από το {t}"],
           "παρουσιάζουμε πώς η ομάδα πέρασε από το πρωτότυπο στην παραγωγή και τι μάθαμε".split(), " "),
    "ko": (3, ["{t} 실전 가이드", "{t} 입문", "{t}로 서비스 확장하기", "우리가 {t}에서 배운 것"],
           "이 발표에서는 팀이 프로토타입에서 운영 환경으로 옮기며 겪은 문제와 해결 방법을 소개합니다".split(), " "),
    "ja": (4, ["{t}入門", "{t}を本番環境で使う", "{t}の落とし穴", "はじめての{t}"],
           ["本発表", "では", "チーム", "が", "試作", "から", "本番", "へ", "移行", "した", "経験", "を", "紹介", "します"], ""),
    "zh": (3, ["深入理解{t}", "{t}实战", "{t}的性能优化", "从零开始学{t}"],
           ["本次", "演讲", "介绍", "团队", "如何", "从", "原型", "走向", "生产", "环境", "以及", "经验"], ""),
    "ar": (2, ["مقدمة إلى {t}", "{t} في الإنتاج", "ما تعلمناه من {t}"],
           "نعرض كيف انتقل الفريق من النموذج الأولي إلى الإنتاج وما الذي تعلمناه".split(), " "),
    "hi": (1, ["{t} का परिचय", "{t} उत्पादन में", "{t} से हमने क्या सीखा"],
           "इस वार्ता में हम बताते हैं कि टीम ने प्रोटोटाइप से उत्पादन तक कैसे काम किया".split(), " "),
}
TOPICS = ["Django", "Python", "asyncio", "type hints", "PostgreSQL", "pandas", "NumPy", "Rust extensions",
          "WebAssembly", "Kubernetes", "CPython internals", "packaging", "pytest", "data pipelines",
          "machine learning", "GIS", "MicroPython", "accessibility", "security", "documentation",
          "static sites", "GraphQL", "caching", "observability", "open source maintenance", "Jupyter",
          "the GIL", "free threading", "search engines", "dependency management", "REST APIs", "Celery",
          "SQLAlchemy", "FastAPI", "Flask", "scientific computing", "robotics", "music generation",
          "game development", "teaching Python", "community building", "profiling", "memory leaks",
          "concurrency", "parsers", "compilers", "embedded Linux", "climate models", "bioinformatics"]
QUALIFIERS = ["", "", "", " at scale", " for beginners", " without tears", " in 2024", " on a budget",
              " the hard way", " at a startup", " in government", " for science", " in the browser",
              " on small devices", " at a bank", " revisited"]

CITIES = ["Berlin", "Kraków", "São Paulo", "Montréal", "Zürich", "Bilbao", "Москва", "Αθήνα", "서울", "東京",
          "北京", "القاهرة", "बेंगलुरु", "Cleveland", "Portland", "Dublin", "Florence", "Ljubljana", "Cape Town",
          "Singapore", "Sydney", "Bogotá", "Helsinki", "Lyon", "Pune", "Taipei", "Manila", "Nairobi"]
SERIES = ["PyCon", "DjangoCon", "EuroPython", "PyData", "SciPy", "PyConFr", "PyCon APAC", "Python Brasil",
          "PyOhio", "PyBay", "Kiwi PyCon", "PyCon Africa", "GeoPython", "PyCon Balkan", "Pylondinium"]
CODE = ["```python\nasync def fetch(session, url):\n    async with session.get(url) as response:\n"
        "        return await response.json()\n```",
        "```bash\npip install --upgrade pip\npython -m pytest -x -q\n```",
        "```sql\nSELECT speaker, count(*) FROM talks GROUP BY speaker ORDER BY 2 DESC;\n```"]


# --------------------------------------------------------------------------- skew

def _zipf_cum(count: int, s: float = 1.0) -> list[float]:
    """Cumulative Zipf weights over ``count`` ranks (rank k weighs 1/k**s)."""
    return list(itertools.accumulate(1 / (k ** s) for k in range(1, count + 1)))


def _skewed_slots(r: random.Random, count: int, slots: int, s: float = 1.0) -> list[int]:
    """``slots`` indexes into ``count`` items: every item at least once (so all of them exist),
    the rest drawn Zipf-like, then shuffled."""
    cum = _zipf_cum(count, s)
    total = cum[-1]
    picks = list(range(min(count, slots)))
    picks += [bisect.bisect_left(cum, r.random() * total) for _ in range(slots - len(picks))]
    r.shuffle(picks)
    return picks


# --------------------------------------------------------------------------- the site

def _q(value: str) -> str:
    """A YAML scalar: JSON strings are YAML, and quote anything (colons, quotes, ``#``)."""
    return json.dumps(value, ensure_ascii=False)


def _video(r: random.Random, slug: str, year: int) -> str:
    roll = r.random()
    if roll < 0.8:
        chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
        return "https://www.youtube.com/watch?v=" + "".join(r.choices(chars, k=11))
    if roll < 0.92:
        return f"https://vimeo.com/{r.randint(10_000_000, 999_999_999)}"
    words = "%20".join(w.capitalize() for w in slug.split("-")[:4])
    return f"https://media.archive.example.org/{year}/talks/{words}%20d'intro,%20{r.randint(1, 99)}.mp4"


def _slides(r: random.Random, slug: str, speaker_slug: str) -> str:
    if r.random() < 0.6:
        return f"https://speakerdeck.com/{speaker_slug}/{slug}"
    return f"https://slides.example.net/{speaker_slug}/{slug}%20(final).pdf"


def _description(r: random.Random, lang: str, title: str) -> str:
    _, _, words, joiner = LANGS[lang]

    def sentence() -> str:
        chosen = r.sample(words, min(len(words), r.randint(6, 12)))
        text = joiner.join(chosen)
        return (text[:1].upper() + text[1:] + ("。" if joiner == "" else "."))

    def paragraph() -> str:
        return " ".join(sentence() for _ in range(r.randint(2, 4)))

    parts = [paragraph()]
    if r.random() < 0.5:
        parts.append(paragraph())
    if r.random() < 0.2:
        parts.append("\n".join(f"- {sentence()}" for _ in range(r.randint(2, 4))))
    if r.random() < 0.6:
        target = r.choice([
            f"https://github.com/example-{r.randint(1, 999)}/{slugify(title)[:30]}",
            f"https://blog.example.org/{r.randint(2005, 2026)}/what's-new,%20part%20{r.randint(1, 9)}",
            f"https://docs.example.com/en/latest/{r.choice(TECH)}.html#{r.choice(TECH)}",
        ])
        parts.append(f"Links and material: [{r.choice(['the repository', 'the write-up', 'the docs'])}]({target}).")
    if r.random() < 0.08:
        parts.append(r.choice(CODE))
    return "\n\n".join(parts) + "\n"


def _events(r: random.Random, count: int) -> list[dict]:
    """``count`` events spread over 2002-2026 (ending by October 2026, so none is in the future
    for tests' fixed today or the benchmark's)."""
    first, last = dt.date(2002, 1, 10), dt.date(2026, 10, 20)
    span = (last - first).days
    events, slugs = [], set()
    for e in range(count):
        start = first + dt.timedelta(days=span * e // max(1, count - 1) if count > 1 else 0)
        start += dt.timedelta(days=r.randint(0, 5))
        start = min(start, last)
        end = min(start + dt.timedelta(days=r.randint(0, 4)), dt.date(2026, 10, 31))
        city = r.choice(CITIES)
        name = f"{r.choice(SERIES)} {start.year}" if r.random() < 0.6 else f"{r.choice(SERIES)} {city} {start.year}"
        slug = slugify(name)
        k = 2
        while slug in slugs:  # the same series twice in a year: a second edition
            slug = slugify(f"{name} {k}")
            k += 1
        if slug != slugify(name):
            name = f"{name} ({k - 1})"
        slugs.add(slug)
        events.append({"slug": slug, "name": name, "start": start, "end": end, "location": city,
                       "url": f"https://{slug[:40]}.example.org/"})
    return events


def generate_archive(root: Path, n: int, seed: int = 1) -> Path:
    """Write an archive-shaped site with ``n`` talks into ``root`` (see the module docstring)."""
    r = random.Random(seed)
    n_events = max(1, round(n / 40))
    n_speakers = max(1, round(0.6 * n))
    n_tags = max(1, round(n / 8))
    events = _events(r, n_events)
    speakers = _distinct(r, n_speakers, _speaker)
    tags = _distinct(r, n_tags, _tag)

    # Talks per event vary (a big conference and a small meetup): log-normal weights; every
    # event gets at least one talk.
    event_weights = [r.lognormvariate(0, 0.8) for _ in events]
    event_of = list(range(min(n_events, n))) + r.choices(range(n_events), event_weights, k=max(0, n - n_events))
    r.shuffle(event_of)

    # One speaker per talk, a co-speaker on one in six: the slots hold every speaker once, the
    # rest skewed, and no talk lists the same speaker twice.
    co_speakers = [i for i in range(n) if r.random() < 1 / 6]
    speaker_slots = _skewed_slots(r, n_speakers, n + len(co_speakers), 1.0)
    talk_speakers = [[speaker_slots[i]] for i in range(n)]
    for i, slot in zip(co_speakers, speaker_slots[n:]):
        if slot not in talk_speakers[i]:
            talk_speakers[i].append(slot)
    tag_counts = [r.randint(1, 5) for _ in range(n)]
    tag_slots = _skewed_slots(r, n_tags, sum(tag_counts), 1.0)

    lang_names = list(LANGS)
    lang_weights = [LANGS[lang][0] for lang in lang_names]
    notes_dir = root / "content" / "notes"
    events_dir = root / "content" / "events"
    notes_dir.mkdir(parents=True, exist_ok=True)
    events_dir.mkdir(parents=True, exist_ok=True)
    for event in events:
        (events_dir / f"{event['slug']}.yaml").write_text(
            f"name: {_q(event['name'])}\nstart: {event['start']}\nend: {event['end']}\n"
            f"location: {_q(event['location'])}\nurl: {event['url']}\n", encoding="utf-8")

    used: set[str] = set()
    cursor = 0
    for i in range(n):
        event = events[event_of[i]]
        date = event["start"] + dt.timedelta(days=r.randint(0, (event["end"] - event["start"]).days))
        lang = r.choices(lang_names, lang_weights)[0]
        topic = r.choice(TOPICS) + (r.choice(QUALIFIERS) if lang == "en" else "")
        title = r.choice(LANGS[lang][1]).format(t=topic)
        slug = slugify(title)
        k = 2
        while slug in used:  # the same title again: number it, as archives do with part 2
            slug = slugify(f"{title} {k}")
            k += 1
        if k > 2:
            title = f"{title} ({k - 1})"
        used.add(slug)
        names = [speakers[s] for s in talk_speakers[i]]
        talk_tags = list(dict.fromkeys(tags[t] for t in tag_slots[cursor:cursor + tag_counts[i]]))
        cursor += tag_counts[i]
        front = [f"title: {_q(title)}", f"event: {event['slug']}",
                 f"speakers: [{', '.join(_q(s) for s in names)}]",
                 f"tags: [{', '.join(_q(t) for t in talk_tags)}]",
                 f"video: {_video(r, slug, date.year)}"]
        if r.random() < 0.3:
            front.append(f"slides: {_slides(r, slug, slugify(names[0]))}")
        if lang != "en":
            front.append(f"lang: {lang}")
        body = _description(r, lang, title)
        (notes_dir / f"{date}-{slug}.md").write_text("---\n" + "\n".join(front) + "\n---\n\n" + body,
                                                     encoding="utf-8")
    (root / "talknotes.yaml").write_text("title: Talk archive\nbase_url: https://example.org/\nper_page: 10\n",
                                         encoding="utf-8")
    return root


def note_files(root: Path) -> list[Path]:
    """The note files of a generated archive, sorted (the benchmark edits the middle one)."""
    return sorted((root / "content" / "notes").glob("*.md"))


if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser(description="write an archive-shaped talknotes site")
    parser.add_argument("root", type=Path)
    parser.add_argument("--notes", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate_archive(args.root, args.notes, args.seed)
