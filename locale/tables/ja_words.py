JA = {
    "As the expected month suggests (%(horizon)s)": "受注予定月に合わせる(%(horizon)s)",
}
PLURALS = {}
JA.update(
    {
        "Up to %(n)s characters": "最大%(n)s文字",
    }
)
JA.update(
    {
        "“%(name)s” was recorded as won.": "「%(name)s」を受注として記録しました。",
        "“%(name)s” was recorded as lost.": "「%(name)s」を失注として記録しました。",
        "The outcome was recorded": "結果を記録しました",
        ("undo an outcome", "Undo"): "元に戻す",
        "Reopened": "商談再開",
        "Reason": "理由",
        "Only the owner's manager or an administrator may reopen a prospect; its owner may undo an outcome on the day it was recorded.": "商談を再開できるのは担当者のマネージャーか管理者です。担当者本人は、結果を記録した当日に限り元に戻せます。",
    }
)
JA.update(
    {
        "— choose the owner —": "— 担当者を選択 —",
    }
)
# Messages with a context: each meaning its own word.
JA.update(
    {
        ("ledger balance", "Closing"): "期末",
        ("ledger balance", "Opening"): "期首",
        ("test closing", "Closing"): "クロージング",
        ("test-closing question", "Reactivate"): "使用を再開",
        ("pipeline count", "Open prospects"): "商談中の見込み数",
        ("import job", "status"): "状態",
        ("sort", "Name"): "名前順",
        ("import rows", "Created"): "新規登録",
        ("import row", "Action"): "処理",
        ("changed by", "By"): "変更者",
    }
)
# One wording for a message several catalogues hold with one meaning.
REPLACE = {
    "Overdue": "期限超過",
    "The amount cannot be negative.": "金額にマイナスは指定できません。",
    "Win rate": "受注率",
    "Last test closing": "最終テストクロージング",
    "Expected from": "受注予定月(から)",
    "Expected until": "受注予定月(まで)",
    "scope": "対象範囲",
    "Month": "月",
    "Status": "ステータス",
    "status": "ステータス",
    "Created": "登録",
    "Name": "名前",
    "Open prospects": "商談中の見込み客",
    "Reactivate": "有効に戻す",
    "Action": "操作",
    "By": "実行者",
    "slipped %(n)s time": ["%(n)s回延期"],
    "%(counter)s prospect": ["%(counter)s件"],
}
PLURALS.update(
    {
        "About %(leads)s new lead from %(source)s would cover it.": [
            "%(source)sから新規見込みを約%(leads)s件獲得すれば補えます。"
        ],
        "Replenishment: about %(leads)s new lead from %(source)s would cover it.": [
            "補充：%(source)sから新規見込みを約%(leads)s件獲得すれば補えます。"
        ],
        "Too little history for this scope (%(n)s prospect, fewer than %(min)s): the company's figures are used.": [
            "この対象の実績が少ないため（%(n)s件、%(min)s件未満）、全社の数値を使っています。"
        ],
        "Won within %(days)s day": ["%(days)s日以内の受注率"],
        "Times asked = test closings logged with the question in the period. Positive answers = share of them read as positive. Won within %(days)s day = of the prospects asked the question in the period, the share won within %(days)s day after it was asked.": [
            "質問回数 = 期間内にその質問で記録されたテストクロージングの件数。前向きな回答の割合 = "
            "そのうち感触が「前向き」だった割合。%(days)s日以内の受注率 = "
            "期間内にその質問をした見込み客のうち、質問から%(days)s日以内に受注した割合。"
        ],
        "At most %(n)s prospect can be changed in one step.": [
            "一度に変更できる見込み客は %(n)s 件までです。"
        ],
        "Nothing was imported: %(count)s row has errors.": [
            "インポートしていません：%(count)s行にエラーがあります。"
        ],
    }
)
PLURALS.update(
    {
        "%(count)s existing prospect has this name and owner; add an ID column to say which one to update.": [
            "同じ見込み客名・担当者の見込み客が%(count)s件あります。どれを更新するかID列で指定してください。"
        ],
    }
)
JA.update({"Menu": "メニュー"})
REPLACE.update(
    {
        "created": "登録",
        "From": "開始",
        "Until": "終了",
        "Filter": "絞り込み",
        "Count": "件数",
    }
)
JA.update(
    {
        "A test closing on %(on)s revealed a budget of %(amount)s.": "%(on)s のテストクロージングで予算 %(amount)s が判明しています。",
        "Use it as the amount": "見込金額にする",
    }
)
