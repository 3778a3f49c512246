"""Japanese for the product list, the import's product column and its two-field value tables (issue 20)."""

JA = {
    # The product list (products app, admin).
    "Products": "商品",
    "product": "商品",
    "products": "商品",
    "product name": "商品名",
    "list price": "定価",
    "A product with this name exists already.": "同じ名前の商品がすでにあります。",
    # The prospect form and page.
    "Product": "商品",
    "— no product —": "— 商品なし —",
    # The import: the product column and the mapping's options.
    "No product “%(value)s” in the product list. Add it to the product list (admin) first, then check the file again.": "商品マスタに「%(value)s」がありません。先に商品マスタ（管理画面）に追加してから、もう一度ファイルをチェックしてください。",
    "More than one product of the product list is named “%(value)s”; rename one of them (admin) first.": "商品マスタに「%(value)s」という名前の商品が複数あります。先にどれかの名前を変えてください（管理画面）。",
    "Options": "オプション",
    "Fill an empty amount from the product's list price": "空の見込金額を商品の定価で埋める",
    "A row with a product and no amount gets the product's list price (products are kept in the product list, admin).": "商品があり見込金額が空の行には、その商品の定価が入ります（商品は管理画面の商品マスタで管理します）。",
    # One column, two fields.
    "also sets": "あわせて設定",
    "(nothing else)": "（ほかは設定しない）",
    "A value may also set another field (a stage “Engaging” is open and mid term); a column of that field wins where its cell is not empty.": "値ごとに別の項目もあわせて設定できます（例: ステージ「Engaging」は商談中で中期）。その項目の列があり、セルが空でなければそちらが優先されます。",
}
PLURALS = {}
