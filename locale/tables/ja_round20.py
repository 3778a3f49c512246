"""Japanese for the messages of the import round trip (#20) and its small fixes."""

JA = {
    "Company": "取引先",
    "(deleted, ID %(id)s)": "（削除済み、ID %(id)s）",
}
JA["active"] = "有効"  # a product still offered (products.Product.is_active), as elsewhere

# Counted messages are plural messages (tests/salescrm/test_plurals.py).
PLURALS = {}
PLURALS.update(
    {
        "The file has %(rows)s row; a people import takes at most %(limit)s. Split it into smaller files.": [
            "ファイルは%(rows)s行あります。メンバーの取り込みは%(limit)s行までです。ファイルを分けてください。"
        ],
        "The list stops here: the first %(shown)s of %(count)s error.": [
            "一覧はここまでです（エラー%(count)s件のうち最初の%(shown)s件）。"
        ],
        "Choose a period of at most %(count)s month.": ["期間は%(count)sか月以内で選んでください。"],
        "The first error is shown; the CSV has all %(total)s.": [
            "最初の%(shown)s件のエラーを表示しています。CSVには%(total)s件すべてがあります。"
        ],
        "The first error is shown; the CSV has the first %(stored)s of %(total)s.": [
            "最初の%(shown)s件のエラーを表示しています。CSVには%(total)s件のうち最初の%(stored)s件があります。"
        ],
    }
)

JA.update(
    {
        "(a new rep account, inactive)": "（新しい営業担当アカウント・無効）",
        "(no such user: an error)": "（該当するユーザーなし：エラー）",
    }
)

# The export's round-trip columns and the external ID's messages (h7): one wording per message.
JA.update(
    {
        "Competitor": "競合他社",
        "Created on": "登録日",
        "Currency": "通貨",
        "Another prospect (ID %(id)s) has this external ID.": "この外部IDは別の見込み客（ID %(id)s）に使われています。",
        "A prospect with this external ID already exists (ID %(id)s). Tick “Update existing prospects” to update it.": "この外部IDの見込み客が既にあります（ID %(id)s）。更新するには「既存の見込み客を更新する」にチェックしてください。",
    }
)
