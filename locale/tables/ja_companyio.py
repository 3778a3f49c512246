"""Japanese for the import's and export's companies and contacts (issue 19, 名寄せ)."""

JA = {
    "Company name": "取引先名",
    "Company furigana": "取引先フリガナ",
    "Corporate number": "法人番号",
    "Company phone": "取引先電話番号",
    "Company address": "取引先住所",
    "Industry": "業種",
    "Company website": "取引先ウェブサイト",
    "Contact name": "取引先担当者名",
    "Contact furigana": "取引先担当者フリガナ",
    "Contact job title": "取引先担当者の役職",
    "Contact department": "取引先担当者の部署",
    "Contact e-mail": "取引先担当者メール",
    "Contact phone": "取引先担当者電話番号",
    "Map a column to “Prospect name” or “Company name” (or to ID, to update existing prospects).": "「見込み客名」か「取引先名」に列を割り当ててください（既存の見込み客を更新するときはIDでも構いません）。",
    "Not a web address. Write it as https://www.example.co.jp/.": "Webアドレスではありません。https://www.example.co.jp/ のように書いてください。",
    "companies and contacts": "取引先と取引先担当者",
    "Companies and contacts (名寄せ)": "取引先と取引先担当者（名寄せ）",
    "New companies": "新しい取引先",
    "Rows attached to an existing company": "既存の取引先に紐付く行",
    "New contacts": "新しい取引先担当者",
    "Rows attached to an existing contact": "既存の取引先担当者に紐付く行",
    "These rows attach to a company or contact that exists already; every other row creates its own, or shares the one an earlier row of the file creates.": "次の行は既存の取引先・取引先担当者に紐付きます。それ以外の行は新しく作るか、ファイルの前の行が作るものを共にします。",
    "Attaches to": "紐付け先",
    "company": "取引先",
    "contact": "取引先担当者",
    "existing, ID %(id)s": "既存、ID %(id)s",
    "new, as row %(row)s": "新規、%(row)s行目と同じ",
}

PLURALS = {
    "%(counter)s more row attaches to an existing record.": [
        "ほかに%(counter)s行が既存のレコードに紐付きます。"
    ],
}
