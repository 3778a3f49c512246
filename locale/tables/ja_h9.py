"""Japanese for the browser flow of issue 20 (h9): the import's clearer duplicate reason for a deal it
named after its company and product."""

JA = {
    "This row has no name of its own, and the one made from its company and product is row %(row)s's "
    "too, with the same owner: map a column that names each deal.": "この行には見込み客名がなく、取引先名と商品から作った名前が同じ担当者の%(row)s行目と同じです。見込み客ごとの名前の列を対応付けてください。",
}

PLURALS: dict[str, list[str]] = {}
