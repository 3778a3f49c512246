"""Japanese for the import's date order and its messages (issue 20: M/D/Y and D/M/Y dates)."""

JA = {
    "Not a date in month/day/year order (the date order of this file). Write it as 11/27/2026, 2026-11-27 or 2026年11月27日.": "このファイルの日付の順序（月/日/年）で日付として読めません。11/27/2026、2026-11-27、2026年11月27日のように書いてください。",
    "Not a date in day/month/year order (the date order of this file). Write it as 27/11/2026, 2026-11-27 or 2026年11月27日.": "このファイルの日付の順序（日/月/年）で日付として読めません。27/11/2026、2026-11-27、2026年11月27日のように書いてください。",
    "Not a month. Write it as 11/2026, 2026-11 or 2026年11月 (with the year).": "年月として読めません。11/2026、2026-11、2026年11月のように年も入れてください。",
    "Not a date in year/month/day order (the date order of this file). If the file writes dates as month/day/year or day/month/year, choose that date order on the mapping page.": "このファイルの日付の順序（年/月/日）で日付として読めません。ファイルの日付が月/日/年か日/月/年で書かれているなら、対応付け画面でその日付の順序を選んでください。",
    "This date can be read as month/day/year or as day/month/year, and the file's dates do not show which. Choose the date order on the mapping page, then check the file again.": "この日付は月/日/年とも日/月/年とも読め、ファイルの日付からはどちらか判断できません。対応付け画面で日付の順序を選び、もう一度ファイルをチェックしてください。",
    "The year has only two digits. Write it with four (2026, not 26).": "年が2桁です。4桁で書いてください（26ではなく2026）。",
    "Year/month/day (2026/11/27)": "年/月/日（2026/11/27）",
    "Month/day/year (11/27/2026)": "月/日/年（11/27/2026）",
    "Day/month/year (27/11/2026)": "日/月/年（27/11/2026）",
    "Date order": "日付の順序",
    "Guess from the file": "ファイルから推定",
    "How the file writes a date such as 11/12/2026. Dates written 2026-11-12 or 2026年11月12日 read the same in every order; you can change it on the mapping page.": "11/12/2026 のような日付がファイルでどの順序で書かれているか。2026-11-12 や 2026年11月12日 はどの順序でも同じに読みます。対応付け画面でも変更できます。",
    "Dates": "日付",
    "Guessed from the file: %(order)s.": "ファイルから推定：%(order)s",
    "The file's dates do not show their order (month/day/year or day/month/year): choose it.": "ファイルの日付からは順序（月/日/年か日/月/年か）が判断できません。選んでください。",
    "Not known: choose it on the mapping page": "不明：対応付け画面で選んでください",
    "%(order)s, guessed from the file": "%(order)s（ファイルから推定）",
    "%(order)s, as chosen": "%(order)s（指定）",
}
