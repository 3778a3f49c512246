"""Japanese for the prospect form's company and contact offer (名寄せ, #19) and the company page's timeline."""

JA = {
    "This looks like a company we already have: attach the prospect to it, or create a new one.": "登録済みの取引先と同じようです。その取引先に紐づけるか、新しい取引先として登録するかを選んでください。",
    "This looks like a contact we already have: attach the prospect to them, or create a new one.": "登録済みの取引先担当者と同じようです。その担当者に紐づけるか、新しい取引先担当者として登録するかを選んでください。",
    "The record picked no longer exists: pick again.": "選んだレコードはもうありません。選び直してください。",
    "Looks like a company we already have": "登録済みの取引先と同じようです",
    "Looks like a contact we already have": "登録済みの取引先担当者と同じようです",
    "Existing companies": "登録済みの取引先",
    "Existing contacts": "登録済みの取引先担当者",
    "Looks like": "同一の可能性",
    "Create a new company “%(name)s”": "新しい取引先「%(name)s」を登録",
    "Create a new contact “%(name)s”": "新しい取引先担当者「%(name)s」を登録",
    "last activity %(month)s": "最終活動 %(month)s",
    "Company": "取引先",
    "Contact": "取引先担当者",
    "Timeline": "経過",
    "Older": "さらに古い記録",
    "Newer": "新しい記録",
    "Nothing recorded yet.": "まだ記録はありません。",
    "Test closing": "テストクロージング",
}

PLURALS = {
    "%(counter)s prospect": ["%(counter)s件"],
}

# "Looks like" is now a badge beside the name: no colon.
REPLACE = {"Looks like": "同一の可能性"}
