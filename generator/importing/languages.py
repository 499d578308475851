"""Spoken languages as archives write them (ISO 639-3 codes, English names) -> BCP 47 tags.

BCP 47 uses the two-letter ISO 639-1 code where a language has one, else the three-letter
code, which is a valid tag by itself (``yue``, ``haw``). The table covers the languages of
pyvideo/data's talks and the other common ones; a three-letter code it lacks is kept as it is.
"""

from __future__ import annotations

import re

# ISO 639-3 (and the 639-2/B spellings some records use) -> ISO 639-1.
_CODES = {
    "afr": "af", "amh": "am", "ara": "ar", "aze": "az", "bel": "be", "ben": "bn", "bos": "bs",
    "bul": "bg", "cat": "ca", "ces": "cs", "cze": "cs", "cym": "cy", "wel": "cy", "dan": "da",
    "deu": "de", "ger": "de", "ell": "el", "gre": "el", "eng": "en", "epo": "eo", "est": "et",
    "eus": "eu", "baq": "eu", "fas": "fa", "per": "fa", "fin": "fi", "fil": "fil", "fra": "fr",
    "fre": "fr", "gle": "ga", "glg": "gl", "guj": "gu", "heb": "he", "hin": "hi", "hrv": "hr",
    "hun": "hu", "hye": "hy", "arm": "hy", "ind": "id", "isl": "is", "ice": "is", "ita": "it",
    "jpn": "ja", "kat": "ka", "geo": "ka", "kaz": "kk", "khm": "km", "kan": "kn", "kor": "ko",
    "lat": "la", "lit": "lt", "lav": "lv", "mkd": "mk", "mac": "mk", "mal": "ml", "mar": "mr",
    "msa": "ms", "may": "ms", "mlt": "mt", "mya": "my", "bur": "my", "nep": "ne", "nld": "nl",
    "dut": "nl", "nor": "no", "nob": "nb", "nno": "nn", "pan": "pa", "pol": "pl", "por": "pt",
    "ron": "ro", "rum": "ro", "rus": "ru", "sin": "si", "slk": "sk", "slo": "sk", "slv": "sl",
    "spa": "es", "sqi": "sq", "alb": "sq", "srp": "sr", "swa": "sw", "swe": "sv", "tam": "ta",
    "tel": "te", "tha": "th", "tgl": "tl", "tur": "tr", "ukr": "uk", "urd": "ur", "uzb": "uz",
    "vie": "vi", "zho": "zh", "chi": "zh", "zul": "zu",
}

# English names, for records that spell the language out.
_NAMES = {
    "arabic": "ar", "basque": "eu", "bulgarian": "bg", "catalan": "ca", "chinese": "zh", "croatian": "hr",
    "czech": "cs", "danish": "da", "dutch": "nl", "english": "en", "estonian": "et", "finnish": "fi",
    "french": "fr", "galician": "gl", "german": "de", "greek": "el", "hebrew": "he", "hindi": "hi",
    "hungarian": "hu", "indonesian": "id", "italian": "it", "japanese": "ja", "korean": "ko",
    "lithuanian": "lt", "norwegian": "no", "persian": "fa", "polish": "pl", "portuguese": "pt",
    "romanian": "ro", "russian": "ru", "serbian": "sr", "slovak": "sk", "slovenian": "sl",
    "spanish": "es", "swedish": "sv", "thai": "th", "turkish": "tr", "ukrainian": "uk",
    "vietnamese": "vi",
}


def bcp47(value) -> str | None:
    """``'eng'`` -> ``'en'``, ``'Spanish'`` -> ``'es'``, ``'pt-BR'`` kept; None for anything else."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    lower = text.lower()
    if lower in _CODES:
        return _CODES[lower]
    if lower in _NAMES:
        return _NAMES[lower]
    if re.fullmatch(r"[a-z]{2,3}", lower):
        return lower
    if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})+", text):  # already a tag with a region or script
        primary, _, rest = text.partition("-")
        return _CODES.get(primary.lower(), primary.lower()) + "-" + rest
    return None
