"""How a person's name written in one cell (an import's name column) becomes a family and a given
name. Names are shown family name first (User.format_name); this is the other direction."""

from __future__ import annotations

import unicodedata


def _is_japanese(text: str) -> bool:
    """Kanji, hiragana or katakana anywhere in the name."""
    return any(unicodedata.name(char, "").startswith(("CJK", "HIRAGANA", "KATAKANA")) for char in text)


def split_person_name(text: str) -> tuple[str, str]:
    """(family name, given name) of a name in one cell.

    - "Frase, Moses" (a comma): family name before it, in any script;
    - a Japanese name is written family name first: "田中 翔太" -> ("田中", "翔太"); without a space
      ("田中翔太") it cannot be split safely and stays whole as the family name;
    - any other name is in Western order, family name last: "Moses Frase" -> ("Frase", "Moses"),
      "Mary Ann Lee" -> ("Lee", "Mary Ann");
    - one word is the family name.
    Full-width spaces count as spaces; the result is trimmed."""
    text = " ".join(unicodedata.normalize("NFKC", text or "").split())
    if "," in text:
        family, _comma, given = text.partition(",")
        return family.strip(), given.strip()
    parts = text.split(" ")
    if len(parts) < 2:
        return text, ""
    if _is_japanese(text):
        return parts[0], " ".join(parts[1:])
    return parts[-1], " ".join(parts[:-1])
