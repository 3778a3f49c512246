"""Japanese for the people import (issue 20): accounts, teams and team managers from a file."""

JA = {
    # The job's kind and fields.
    "Prospects": "見込み客",
    "People": "メンバー",
    "kind": "種類",
    "people and teams": "メンバーとチーム",
    # The columns of a people file.
    ("people import", "Name"): "氏名",
    ("people import", "E-mail"): "メールアドレス",
    ("people import", "Role"): "役割",
    ("people import", "Team"): "チーム",
    ("people import", "Manager"): "上長",
    ("people import", "Username"): "ユーザー名",
    # Row errors and refusals.
    "Map a column to “Name” and one to “E-mail”: every person needs both.": "「氏名」と「メールアドレス」に列を割り当ててください。どのメンバーにも両方が必要です。",
    "The name is empty.": "氏名が空です。",
    "The e-mail address is empty: every person needs one.": "メールアドレスが空です。どのメンバーにも必要です。",
    "This e-mail address is in row %(row)s of this file too.": "このメールアドレスはこのファイルの%(row)s行目にもあります。",
    "An account with this e-mail address exists already (%(user)s). This import creates new accounts only: change that one on the users page, or remove the row.": "このメールアドレスのアカウントは既にあります（%(user)s）。この取り込みは新しいアカウントを作るだけです。既存のアカウントはユーザー画面で変更するか、この行を削除してください。",
    "Not a username: use letters, digits and @/./+/-/_ only, at most 150 characters.": "ユーザー名として使えません。英数字と @/./+/-/_ だけで、150文字以内にしてください。",
    "This username is in row %(row)s of this file too.": "このユーザー名はこのファイルの%(row)s行目にもあります。",
    "The username “%(username)s” is taken by another account; give this person another one in a username column.": "ユーザー名「%(username)s」はほかのアカウントが使っています。ユーザー名の列で別のユーザー名を指定してください。",
    "Unknown role. Use one of: %(choices)s (or map it on the mapping page).": "不明な役割です。%(choices)sのいずれかを使ってください（または割り当て画面で対応付けてください）。",
    "No user and no person in this file has this name, username or e-mail.": "この氏名・ユーザー名・メールアドレスのユーザーは、既存のユーザーにもこのファイルにもいません。",
    "More than one person matches; use the username or e-mail instead.": "複数の人が該当します。ユーザー名かメールアドレスで指定してください。",
    "A person cannot be their own manager.": "自分自身を上長にすることはできません。",
    "%(name)s does not have the manager role; give them the role “Manager” first.": "%(name)sはマネージャーの役割ではありません。先に役割を「マネージャー」にしてください。",
    "A manager manages a team: give this row a team, or leave its manager empty.": "上長はチームを管理します。この行にチームを指定するか、上長を空にしてください。",
    "The file has %(rows)s rows; a people import takes at most %(limit)s. Split it into smaller files.": "ファイルは%(rows)s行あります。メンバーの取り込みは%(limit)s行までです。ファイルを分けてください。",
    # The pages.
    "Import people and teams": "メンバーとチームを取り込む",
    "Upload a CSV (UTF-8 or Shift_JIS) or an Excel .xlsx file with one person per row and a header row: name, e-mail, role, team and manager (the username is optional; the e-mail address is used when it is missing).": "1行に1人、見出し行のあるCSV（UTF-8またはShift_JIS）かExcelの.xlsxファイルをアップロードしてください。列は氏名・メールアドレス・役割・チーム・上長です（ユーザー名は任意で、ないときはメールアドレスを使います）。",
    "Role: rep, manager or admin (営業, マネージャー, 管理者); an empty cell is a sales rep.": "役割：営業、マネージャー、管理者（rep、manager、admin）。空欄は営業担当です。",
    "A team that does not exist is created. A manager with a team manages that team; anyone else with a team is one of its members.": "まだないチームは作成されます。チームのあるマネージャーはそのチームを管理し、それ以外の人はそのチームのメンバーになります。",
    "Manager: the person's manager, by name, username or e-mail (a user or a person of the file, with the manager role). They manage the row's team.": "上長：その人の上長を氏名・ユーザー名・メールアドレスで指定します（マネージャーの役割の既存ユーザーか、このファイルの人）。上長はその行のチームを管理します。",
    "Only new accounts are created: a row whose e-mail address belongs to an existing account is an error. Change existing accounts on the users page.": "作成されるのは新しいアカウントだけです。既存のアカウントのメールアドレスの行はエラーになります。既存のアカウントはユーザー画面で変更してください。",
    "New accounts are created inactive, without a password: nobody can log in until an administrator activates or invites them.": "新しいアカウントは無効の状態で、パスワードなしで作成されます。管理者が有効にするか招待するまで、誰もログインできません。",
    "People import: new accounts with their teams and managers. Only new accounts are created: a row whose e-mail address belongs to an existing account is an error. Change existing accounts on the users page.": "メンバーの取り込み：新しいアカウントとそのチーム・上長を作成します。作成されるのは新しいアカウントだけで、既存のアカウントのメールアドレスの行はエラーになります。既存のアカウントはユーザー画面で変更してください。",
    "Accounts created": "作成したアカウント",
    "Accounts to create": "作成するアカウント",
    "Teams to create": "作成するチーム",
    "Errors": "エラー",
    "Open the users page": "ユーザー画面を開く",
    "Team managers": "チームのマネージャー",
    "Preview: the accounts as they will be created": "プレビュー：作成されるアカウント",
    "The first rows are shown.": "最初の行を表示しています。",
}

PLURALS = {
    "Imported: %(counter)s account created, inactive until an administrator activates or invites it.": [
        "取り込み完了：%(counter)s件のアカウントを作成しました。管理者が有効にするか招待するまで無効です。"
    ],
    "Create %(counter)s account": ["%(counter)s件のアカウントを作成"],
}
