"""The one rule for people's names, read and shown: a name in Japanese script (kanji, kana) is written
family name first ("田中 翔太"), any other (Latin script: "Moses Frase") given name first. The import
splits names by it and every page shows them by it (User.display_name)."""

from __future__ import annotations

import re

# Kana, kanji (with the iteration mark 々) and half-width katakana.
_JAPANESE_SCRIPT = re.compile(r"[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def is_family_name_first(text: str) -> bool:
    """True for a name in Japanese script, which puts the family name first."""
    return bool(_JAPANESE_SCRIPT.search(text))


def split_name(text: str) -> tuple[str, str]:
    """(last_name, first_name) of a full name as people write it. "Frase, Moses" names the family
    name first in any script. One word is taken for the family name (it is what the lists sort by)."""
    text = " ".join(text.split())  # str.split() also splits on the ideographic space (U+3000)
    if "," in text:
        last, first = text.split(",", 1)
        return last.strip(), first.strip()
    parts = text.split(" ")
    if len(parts) < 2:
        return text, ""
    if is_family_name_first(text):
        return parts[0], " ".join(parts[1:])
    return parts[-1], " ".join(parts[:-1])


def join_name(last_name: str, first_name: str) -> str:
    """The full name as shown: "田中 翔太", "Moses Frase"; "" when both parts are empty."""
    last, first = last_name.strip(), first_name.strip()
    if is_family_name_first(last + first):
        return f"{last} {first}".strip()
    return f"{first} {last}".strip()
