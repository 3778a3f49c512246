"""Japanese for the messages of the import round trip (#20) and its small fixes."""

JA = {
    "Company": "取引先",
    "(deleted, ID %(id)s)": "（削除済み、ID %(id)s）",
}
JA["active"] = "有効"  # a product still offered (products.Product.is_active), as elsewhere
