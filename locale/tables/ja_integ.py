"""Japanese for the strings the integration pass found untranslated."""

JA = {
    "Prospect name": "見込み客名",
}

PLURALS = {}
