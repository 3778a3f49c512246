JA = {
    "%(shown)s of %(total)s shown": "%(total)s件中%(shown)s件を表示",
    "Page %(n)s of %(total)s": "%(n)s / %(total)s ページ",
    "Previous": "前へ",
    "Next": "次へ",
}
PLURALS = {}
# The scope of a target or a ledger (a rep, a team, the company) is the pipeline's scope: one wording.
REPLACE = {"Scope": "対象範囲"}
