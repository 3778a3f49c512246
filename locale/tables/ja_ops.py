JA = {
    "Server error": "サーバーエラー",
    "Something went wrong on our side. Your last change may not have been saved: check it, and try again in a moment.": "サーバー側で問題が発生しました。直前の変更は保存されていない可能性があります。内容を確認し、少し待ってからもう一度お試しください。",
    "If it happens again, tell your administrator the time it happened.": "繰り返し発生する場合は、発生した時刻を管理者にお知らせください。",
}
PLURALS = {}
JA.update(
    {
        "Run the import again": "もう一度インポートする",
        "The background worker running this job stopped (it gave no sign of life for %(seconds)s seconds). Nothing was imported; run it again.": "このインポートを処理していたバックグラウンドワーカーが停止しました（%(seconds)s 秒間応答がありません）。何もインポートされていません。もう一度実行してください。",
        "last sign of life": "最終応答",
        "attempt": "試行回数",
    }
)
