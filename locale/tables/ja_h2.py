"""Japanese for the import's rules and error report (issue 20): zero won amounts, the default lost
reason, the counts of rows with errors and of errors, the complete error list, the company currency."""

JA = {
    "Currency": "通貨",
    "Not a currency. Write its three-letter code, for example JPY or USD, or a sign such as ¥ or $.": "通貨ではありません。JPY や USD のような3文字のコードか、¥ や $ のような記号で書いてください。",
    "The amounts of this row are in %(currency)s, but every amount is kept in the company currency, %(company)s. Convert the amounts to %(company)s first, and then write %(company)s here (or leave this column out).": "この行の金額は %(currency)s ですが、金額はすべて会社の通貨（%(company)s）で管理します。先に金額を %(company)s に換算し、この欄を %(company)s にしてください（この列を取り込まないこともできます）。",
    "Lost reason not in the imported file; set by the import.": "取り込んだファイルに失注理由がなかったため、取り込み時に設定しました。",
    "rows with errors": "エラーのある行",
    "rows given the default lost reason": "既定の失注理由を設定した行",
    "The list stops here: the first %(shown)s of %(count)s errors.": "一覧はここまでです（エラー %(count)s 件のうち最初の %(shown)s 件）。",
    "Lost rows given the default lost reason": "既定の失注理由を設定した失注の行",
    "Amounts are read in the company currency, %(currency)s.": "金額は会社の通貨（%(currency)s）として読み込みます。",
    "Amounts are read in the company currency, %(currency)s. A currency column is checked: a row in another currency is an error, as amounts are not converted.": "金額は会社の通貨（%(currency)s）として読み込みます。通貨の列があれば確認し、ほかの通貨の行はエラーになります（金額の換算はしません）。",
    "The first %(shown)s errors are shown; the CSV has all %(count)s.": "最初の %(shown)s 件のエラーを表示しています。CSV には %(count)s 件すべてがあります。",
    "The first %(shown)s errors are shown; the CSV has the first %(stored)s of %(count)s.": "最初の %(shown)s 件のエラーを表示しています。CSV にあるのは %(count)s 件のうち最初の %(stored)s 件です。",
    "set by the import": "取り込み時に設定",
    "Lost rows without a lost reason": "失注理由のない失注の行",
    "Default lost reason": "既定の失注理由",
    "(none: such a row is an error)": "（なし：その行はエラーになります）",
    "Given to the lost rows of the file that have no lost reason; their outcome note says that the import set it.": "ファイルの失注の行のうち、失注理由がない行に設定します。結果メモに、取り込み時に設定したことを記録します。",
}

PLURALS: dict = {}
