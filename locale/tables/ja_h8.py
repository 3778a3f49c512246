JA = {
    # An import's rows of existing prospects that the file leaves as they are (not written).
    ("import rows", "Unchanged"): "変更なし",
    "Would leave unchanged": "変更なし（書き込みなし）",
    "unchanged": "変更なし",
    "Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.": (
        "インポートしました：新規登録 %(created)s件、更新 %(updated)s件、変更なし %(unchanged)s件。"
    ),
}
PLURALS = {}
