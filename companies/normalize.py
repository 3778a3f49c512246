"""名寄せ: the one normalisation of names, furigana, phone numbers and e-mail addresses (issue 19).

Every comparison of customers goes through these functions: the normalised columns the models keep,
the duplicate check of the forms, the data migration and the search box. Two spellings of one customer
(ﾐﾅﾄ工務店(株), 株式会社 みなと工務店, ㈱ミナト工務店) normalise to the same text.
"""

from __future__ import annotations

import re
import unicodedata

import jaconv

# Legal forms, as NFKC writes them (㈱ and the full-width (株) both become "(株)"). Matched at the start or the end only:
# a 株式会社 in the middle of a name is part of the name.
_LEGAL_FORMS = [
    r"株式会社",
    r"有限会社",
    r"合同会社",
    r"合資会社",
    r"合名会社",
    r"\(株\)",
    r"\(有\)",
    r"\(同\)",
    r"co\.?\s*,?\s*ltd\.?",
    r"ltd\.?",
    r"inc\.?",
    r"k\.\s*k\.?",
    r"corp\.?",
]
# The same legal forms as furigana, folded to katakana: written out (カブシキガイシャ) or in the banks'
# abbreviation, ｶ) in front and (ｶ behind for 株式会社, ﾕ) for 有限会社, ﾄﾞ) for 合同会社.
_KANA_LEGAL_FORMS = [
    r"カブシキガイシャ",
    r"カブシキカイシャ",
    r"ユウゲンガイシャ",
    r"ユウゲンカイシャ",
    r"ゴウドウガイシャ",
    r"ゴウドウカイシャ",
    r"\(?[カユド]\)",
    r"\([カユド]\)?",
]
_LEGAL = "|".join(_LEGAL_FORMS + _KANA_LEGAL_FORMS)
_LEADING = re.compile(rf"^(?:\s|[,.・])*(?:{_LEGAL})", re.IGNORECASE)
_TRAILING = re.compile(rf"(?:{_LEGAL})(?:\s|[,.・])*$", re.IGNORECASE)


def _fold(text: str) -> str:
    """NFKC (full-width ASCII and half-width kana to their usual forms), hiragana as katakana, lower case."""
    return jaconv.hira2kata(unicodedata.normalize("NFKC", text or "")).casefold()


def _letters_and_digits(text: str) -> str:
    """Spaces, punctuation and symbols removed; the long vowel mark ー (a letter) stays."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def strip_legal_form(text: str) -> str:
    """`text` (already NFKC) without its legal form in front or behind."""
    previous = None
    text = text.strip()
    while previous != text:
        previous = text
        text = _LEADING.sub("", text).strip()
        text = _TRAILING.sub("", text).strip()
    return text


def normalize_name(text: str) -> str:
    """A company's or person's name for matching: folded, without legal form, spaces or punctuation.
    A name that is nothing but a legal form keeps it (so 株式会社 alone still matches itself)."""
    folded = _fold(text)
    return _letters_and_digits(strip_legal_form(folded)) or _letters_and_digits(folded)


def normalize_kana(text: str) -> str:
    """Furigana for matching: folded (hiragana, katakana and half-width kana alike), without a legal
    form in front or behind (ｶ)ﾐﾅﾄｺｳﾑﾃﾝ, カブシキガイシャミナトコウムテン), letters only."""
    folded = _fold(text)
    return _letters_and_digits(strip_legal_form(folded)) or _letters_and_digits(folded)


def normalize_phone(text: str) -> str:
    """A phone number as its digits; an international +81 number as the domestic one (0 in front)."""
    folded = unicodedata.normalize("NFKC", text or "").strip()
    digits = re.sub(r"\D", "", folded)
    if folded.startswith("+81") and digits.startswith("81"):
        digits = "0" + digits[2:].lstrip("0")
    return digits


def normalize_email(text: str) -> str:
    """An e-mail address lower-cased (and full-width characters made ASCII)."""
    return unicodedata.normalize("NFKC", text or "").strip().lower()


def normalize_query(text: str) -> str:
    """What a search box's text is matched as against the normalised name and furigana columns."""
    return normalize_name(text)
