"""Japanese for issue 20 (H4): activating the reps an import created, the admin's bulk actions, and
the ledger's period."""

JA = {
    # The finished import's page: the reps it created.
    "New reps from this import": "このインポートで作成した営業担当",
    "This import created these rep accounts. They are inactive: until they are activated, they are missing from the scope menus, the target rows and the home page.": "このインポートで次の営業担当アカウントを作成しました。無効のままでは、対象範囲のメニュー、見込み数目標の行、ホーム画面に表示されません。",
    "They have no password yet: each one logs in after setting one through the link in the invitation mail. A rep without an e-mail address gets it from the Users page once an address is added.": "まだパスワードがありません。招待メールのリンクからパスワードを設定するとログインできます。メールアドレスのない営業担当は、ユーザー管理画面でアドレスを追加してから、そこでリンクを送ってください。",
    "Team": "チーム",
    "No team": "チームなし",
    "Optional: the team they join.": "任意：所属させるチーム。",
    "Mail each one with an e-mail address the link to set a password": "メールアドレスのある人に、パスワード設定リンク付きの招待メールを送る",
    "No e-mail address, so no invitation: %(names)s. Add their address on the Users page (Role and teams), then send them a password link from there.": "メールアドレスがないため招待を送れませんでした：%(names)s。ユーザー管理画面（役割とチーム）でアドレスを追加してから、パスワード設定リンクを送ってください。",
    "The invitation could not be mailed to %(names)s; send a password link from the Users page.": "%(names)s に招待メールを送れませんでした。ユーザー管理画面からパスワード設定リンクを送ってください。",
    "owners created": "作成した担当者",
    "The reps of this import are active already.": "このインポートの営業担当はすでに有効です。",
    # The Django admin's user list.
    "Activate selected users": "選択したユーザーを有効にする",
    "Deactivate selected users": "選択したユーザーを無効にする",
    # The ledger's period (the statistics page's control).
    "Choose a period of at most %(count)s months.": "期間は%(count)sか月以内で選んでください。",
    "Pipeline ledger, %(first)s – %(last)s: opening + new − won − lost = closing, month by month.": "見込み増減表（%(first)s〜%(last)s）：月初 ＋ 新規 − 受注 − 失注 ＝ 月末（月別）。",
}

PLURALS = {
    "Activate %(counter)s rep": ["%(counter)s人の営業担当を有効にする"],
    "%(count)s rep was activated: %(names)s.": ["%(count)s人の営業担当を有効にしました：%(names)s。"],
    "An invitation with the link to set a password was mailed to %(count)s rep.": [
        "%(count)s人の営業担当に、パスワード設定リンク付きの招待メールを送りました。"
    ],
    "%(count)s user was activated.": ["%(count)s人のユーザーを有効にしました。"],
    "%(count)s user was deactivated.": ["%(count)s人のユーザーを無効にしました。"],
}
