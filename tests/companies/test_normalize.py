"""名寄せ's normalisation with real variants whose answers are known (issue 19)."""
# ruff: noqa: RUF001 - full-width digits, letters and brackets are what these tests are about

from __future__ import annotations

import pytest

from companies.normalize import normalize_email, normalize_kana, normalize_name, normalize_phone

MINATO = [
    "ﾐﾅﾄ工務店(株)",
    "株式会社 みなと工務店",
    "㈱ミナト工務店",
    "ミナト工務店株式会社",
    "（株）ミナト工務店",
]


@pytest.mark.parametrize("variant", MINATO)
def test_every_spelling_of_minato_koumuten_matches_the_others(variant):
    assert normalize_name(variant) == normalize_name(MINATO[0]) == "ミナト工務店"


@pytest.mark.parametrize("variant", MINATO)
def test_minato_kougyou_is_another_company(variant):
    assert normalize_name("ミナト工業") != normalize_name(variant)
    assert normalize_name("株式会社ミナト工業") == "ミナト工業"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("有限会社 山田商店", "山田商店"),
        ("山田商店(有)", "山田商店"),
        ("合同会社サクラ", "サクラ"),
        ("Minato Co., Ltd.", "minato"),
        ("MINATO INC.", "minato"),
        ("Minato K.K.", "minato"),
        ("ＭＩＮＡＴＯ　Ｃｏ．，Ｌｔｄ．", "minato"),
        ("山田・鈴木 建設", "山田鈴木建設"),
        ("コーポ株式会社ハイツ", "コーポ株式会社ハイツ"),  # a legal form in the middle is part of the name
        ("株式会社", "株式会社"),
    ],
)
def test_legal_forms_in_front_or_behind_spaces_and_punctuation_are_removed(raw, expected):
    assert normalize_name(raw) == expected


def test_furigana_in_hiragana_katakana_and_half_width_kana_match():
    assert (
        normalize_kana("みなとこうむてん") == normalize_kana("ミナトコウムテン") == normalize_kana("ﾐﾅﾄｺｳﾑﾃﾝ")
    )
    assert normalize_kana("みなと こうむてん") == "ミナトコウムテン"
    assert normalize_kana("ミナトコウギョウ") != normalize_kana("ミナトコウムテン")


@pytest.mark.parametrize(
    "variant",
    [
        "ｶ)ﾐﾅﾄｺｳﾑﾃﾝ",
        "ﾐﾅﾄｺｳﾑﾃﾝ(ｶ",
        "ミナトコウムテン(カ)",
        "かぶしきがいしゃ みなとこうむてん",
        "ミナトコウムテン",
    ],
)
def test_furigana_with_a_legal_form_in_kana_matches_the_bare_furigana(variant):
    assert normalize_kana(variant) == "ミナトコウムテン"


def test_kana_legal_forms_are_stripped_from_names_too_but_not_a_kana_inside_the_name():
    assert normalize_name("ﾕ)ｻｸﾗ") == normalize_name("サクラ(有)") == "サクラ"
    assert normalize_name("ﾄﾞ)ｻｸﾗ") == "サクラ"
    assert normalize_name("カワカミ") == "カワカミ"  # カ at the start without its bracket is part of the name
    assert normalize_kana("ドリーム") == "ドリーム"


@pytest.mark.parametrize(
    "raw", ["03-1234-5678", "0312345678", "０３（１２３４）５６７８", "03 1234 5678", "+81 3-1234-5678"]
)
def test_every_writing_of_one_phone_number_matches(raw):
    assert normalize_phone(raw) == "0312345678"


def test_another_phone_number_does_not_match():
    assert normalize_phone("03-1234-5679") != normalize_phone("03-1234-5678")


def test_email_addresses_are_lower_cased():
    assert normalize_email(" Taro.Yamada@Minato.CO.JP ") == "taro.yamada@minato.co.jp"
    assert normalize_email("ｔａｒｏ＠ｍｉｎａｔｏ．ｊｐ") == "taro@minato.jp"
