JA = {
    "%(shown)s of %(total)s shown": "%(total)s件中%(shown)s件を表示",
    "Page %(n)s of %(total)s": "%(n)s / %(total)s ページ",
    "Previous": "前へ",
    "Next": "次へ",
}
PLURALS = {}
