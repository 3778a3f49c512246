"""Japanese for issue #20's external IDs (prospects, the API, the import) and the round-trip export."""

JA = {
    "external ID": "外部ID",
    "External ID": "外部ID",
    "The deal's ID in another system (a CRM it was imported from).": "他システム（取込元のCRMなど）での案件ID。",
    "Another prospect has this external ID.": "この外部IDは別の見込み客に使われています。",
    "A prospect with this external ID already exists （ID %(id)s）. Tick “Update existing prospects” to update it.": (
        "この外部IDの見込み客が既にあります（ID %(id)s）。更新するには「既存の見込み客を更新する」にチェックしてください。"
    ),
    "Another prospect （ID %(id)s） has this external ID.": "この外部IDは別の見込み客（ID %(id)s）に使われています。",
    "Another prospect, one you may not see, has this external ID.": (
        "この外部IDは、あなたが閲覧できない別の見込み客に使われています。"
    ),
}
PLURALS: dict[str, list[str]] = {}
