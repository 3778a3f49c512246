# Japanese for the pipeline helper's strings (issues 15 and 17: the board, the forecast meeting's list).
JA = {
    "Scope": "対象範囲",
    "Log test closing": "テストクロージングを記録",
    "Test closing": "テストクロージング",
    "Carried over": "持ち越し",
    "Carried over from": "持ち越し元の月",
    "Carried over from %(month)s": "%(month)sから持ち越し",
    "This month's list also carries every open prospect whose expected month has passed, marked with the month it slipped from, so that the meeting sees every deal that is due.": "今月のリストには、受注予定月を過ぎた商談中の見込み客もすべて、元の受注予定月を付けて持ち越しています。ヨミ会で期日の来た案件を漏れなく確認するためです。",
    "Adds": "加算額",
    "Running total": "累計",
    "Of the target": "目標比",
    "No listed prospect is in rank %(rank)s: this line equals the one above.": "リストに%(rank)sヨミの見込み客がないため、この行は上の行と同じ額です。",
    "Just changed: shown here after the column's first cards.": "直前に変更した見込み客のため、列の先頭の見込み客に続けて表示しています。",
    "Moved “%(name)s” to %(horizon)s.": "「%(name)s」を%(horizon)sに移動しました。",
    "Saved “%(name)s”.": "「%(name)s」を保存しました。",
    "of which %(amount)s carried over": "うち持ち越し %(amount)s",
}
PLURALS = {
    "Of these, %(counter)s prospect worth %(amount)s was carried over from an earlier month.": [
        "うち%(counter)s件・%(amount)sは前月以前からの持ち越しです。"
    ],
}
