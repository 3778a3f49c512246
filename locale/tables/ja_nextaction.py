# Japanese for issue 18's leftovers ("nextaction" helper): the prospect form's "plan the next activity",
# activities cancelled with their closed deal, and what refilled a resolved alert.
JA = {
    "Cancelled (deal closed)": "中止(商談終了)",
    "This activity was cancelled when its deal was closed. Reopen the deal to plan it again.": (
        "この活動は商談の終了とともに中止されました。もう一度予定するには商談を再開してください。"
    ),
    "Plan the next activity": "次の活動を予定する",
    "Next activity": "次の活動",
    "Next activity date": "次の活動の日付",
    ("next activity", "Note"): "内容",
    "— nothing planned —": "— 予定なし —",
    "Choose the kind of the next activity (or clear its date and note).": (
        "次の活動の種類を選んでください(予定しない場合は日付と内容を空にしてください)。"
    ),
    "Give the next activity's date (or clear its kind and note).": (
        "次の活動の日付を入れてください(予定しない場合は種類と内容を空にしてください)。"
    ),
    "It becomes the prospect's next planned activity (on the agenda, the board card and the month list). "
    "Clear the kind and the date to plan nothing.": (
        "見込み客の次の予定になります(予定表、ボードのカード、今月買うかもリストに表示)。"
        "予定しない場合は種類と日付を空にしてください。"
    ),
    "Next action": "次回アクション",
    "Next action date": "次回アクション日",
    "Notes": "メモ",
    "This deal is closed: reopen it to plan its next activity.": (
        "この商談は終了しています。次の活動を予定するには商談を再開してください。"
    ),
    "What refilled it": "補充の内訳",
    "Not recorded: it resolved before the plan kept what refilled the pipeline.": (
        "記録なし: 補充の内訳を記録する前に解消したアラートです。"
    ),
    "Open from %(since)s, resolved %(until)s": "%(since)s に発生、%(until)s に解消",
    "Lead activities done since it opened": "発生以降に行った見込み獲得活動",
    "none": "なし",
    "The lead activities its new prospects came from": "新規見込み客の獲得元の見込み獲得活動",
}
PLURALS = {
    "Resolved in the last %(days)s day": ["過去%(days)s日間に解消したアラート"],
    "%(n)s new prospect since it opened": ["発生以降の新規見込み客 %(n)s件"],
    "%(n)s prospect": ["%(n)s件"],
}
