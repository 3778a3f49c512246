# One wording per message across the catalogues (tests/salescrm/test_catalogues.py).
# The inquiry form's own words (what a visitor reads) and the API token's scope and date carry a context.
JA = {
    ("inquiry field", "Company"): "会社名",
    ("inquiry field", "Name"): "お名前",
    ("api token", "scope"): "権限",
    ("api token", "Created on"): "作成日時",
    # The words the other apps' catalogues already give, for the inbound and notifications pages
    # whose messages live in the project catalogue.
    "Previous": "前へ",
    "Next": "次へ",
    "Page %(n)s of %(total)s": "%(n)s / %(total)s ページ",
    "%(shown)s of %(total)s shown": "%(total)s件中%(shown)s件を表示",
    "prospect": "見込み客",
    "Prospect": "見込み客",
    "team": "チーム",
    "Team": "チーム",
    "status": "ステータス",
    "Status": "ステータス",
    "updated at": "更新日時",
}
# A company record is a 取引先 wherever it is linked; "name" of a record is its 名称; an attempt's
# number is its 試行回数.
REPLACE = {
    "Company": "取引先",
    "Name": "名前",
    "name": "名称",
    "attempt": "試行回数",
}
