# ruff: noqa: RUF001, RUF002 (the full-width spellings are the data: how people type names and numbers)
"""The benchmark's companies and contacts (#19): realistic Japanese customers, loaded with COPY.

Company names are a stem (a place or family name in kanji, katakana or hiragana) and a trade, with a
legal form in one of its spellings, in front or behind (株式会社, (株), （株）, ㈱, 有限会社, (有), 合同会社, none)
and furigana in katakana, hiragana or half-width kana. Phone numbers come in the ways people type them
(03-1234-5678, 0312345678, ０３（１２３４）５６７８, +81 3-1234-5678). Every twentieth company is a near-duplicate
of an earlier one (another spelling of the same name and phone): what 名寄せ's search and merge are for.
Contacts are people with kanji names and katakana furigana, a title, a department, an e-mail and a phone.

The normalised columns are companies.normalize's, computed here as save() would.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from companies.models import corporate_number_check_digit
from companies.normalize import normalize_email, normalize_kana, normalize_name, normalize_phone

# (written form, furigana in katakana)
STEMS = [
    ("みなと", "ミナト"),
    ("ミナト", "ミナト"),
    ("港", "ミナト"),
    ("山田", "ヤマダ"),
    ("北野", "キタノ"),
    ("さくら", "サクラ"),
    ("サクラ", "サクラ"),
    ("桜井", "サクライ"),
    ("東海", "トウカイ"),
    ("関東", "カントウ"),
    ("大和", "ヤマト"),
    ("ヤマト", "ヤマト"),
    ("富士", "フジ"),
    ("フジ", "フジ"),
    ("青葉", "アオバ"),
    ("あおば", "アオバ"),
    ("中央", "チュウオウ"),
    ("日の出", "ヒノデ"),
    ("ひまわり", "ヒマワリ"),
    ("松本", "マツモト"),
    ("高橋", "タカハシ"),
    ("鈴木", "スズキ"),
    ("佐藤", "サトウ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("森田", "モリタ"),
    ("石川", "イシカワ"),
    ("丸井", "マルイ"),
    ("光", "ヒカリ"),
    ("ひかり", "ヒカリ"),
    ("アサヒ", "アサヒ"),
    ("朝日", "アサヒ"),
    ("新星", "シンセイ"),
    ("双葉", "フタバ"),
]
# A place or word in front of some names (written form, furigana).
PREFIXES = [
    ("", ""),
    ("東", "ヒガシ"),
    ("西", "ニシ"),
    ("南", "ミナミ"),
    ("北", "キタ"),
    ("新", "シン"),
    ("第一", "ダイイチ"),
    ("日本", "ニホン"),
    ("城南", "ジョウナン"),
    ("城北", "ジョウホク"),
    ("湘南", "ショウナン"),
    ("中部", "チュウブ"),
    ("九州", "キュウシュウ"),
    ("東京", "トウキョウ"),
    ("大阪", "オオサカ"),
    ("名古屋", "ナゴヤ"),
    ("札幌", "サッポロ"),
    ("横浜", "ヨコハマ"),
    ("神戸", "コウベ"),
    ("京都", "キョウト"),
    ("千葉", "チバ"),
    ("埼玉", "サイタマ"),
    ("広島", "ヒロシマ"),
    ("仙台", "センダイ"),
    ("多摩", "タマ"),
    ("武蔵野", "ムサシノ"),
    ("三河", "ミカワ"),
    ("播磨", "ハリマ"),
    ("北陸", "ホクリク"),
    ("四国", "シコク"),
]
TRADES = [
    ("工務店", "コウムテン", "建設業"),
    ("建設", "ケンセツ", "建設業"),
    ("不動産", "フドウサン", "不動産業"),
    ("商事", "ショウジ", "卸売業"),
    ("物産", "ブッサン", "卸売業"),
    ("製作所", "セイサクショ", "製造業"),
    ("設計事務所", "セッケイジムショ", "建設業"),
    ("リフォーム", "リフォーム", "建設業"),
    ("ハウジング", "ハウジング", "建設業"),
    ("電機", "デンキ", "製造業"),
    ("運輸", "ウンユ", "運輸業"),
    ("食品", "ショクヒン", "製造業"),
]
# (how it is written, in front?) — the same legal form in its spellings, and none.
LEGAL_FORMS = [
    ("株式会社", True),
    ("株式会社", False),
    ("株式会社 ", True),
    ("(株)", False),
    ("（株）", True),
    ("㈱", True),
    ("有限会社", True),
    ("(有)", False),
    ("合同会社", True),
    ("", True),
]
CITIES = [
    "東京都港区芝浦",
    "東京都千代田区丸の内",
    "大阪府大阪市北区梅田",
    "愛知県名古屋市中区栄",
    "福岡県福岡市博多区博多駅前",
    "北海道札幌市中央区北一条西",
    "神奈川県横浜市西区みなとみらい",
    "宮城県仙台市青葉区一番町",
]
FAMILY = [
    ("山田", "ヤマダ", "yamada"),
    ("佐藤", "サトウ", "sato"),
    ("鈴木", "スズキ", "suzuki"),
    ("高橋", "タカハシ", "takahashi"),
    ("田中", "タナカ", "tanaka"),
    ("伊藤", "イトウ", "ito"),
    ("渡辺", "ワタナベ", "watanabe"),
    ("中村", "ナカムラ", "nakamura"),
    ("小林", "コバヤシ", "kobayashi"),
    ("加藤", "カトウ", "kato"),
    ("吉田", "ヨシダ", "yoshida"),
    ("山口", "ヤマグチ", "yamaguchi"),
    ("松本", "マツモト", "matsumoto"),
    ("井上", "イノウエ", "inoue"),
    ("木村", "キムラ", "kimura"),
    ("林", "ハヤシ", "hayashi"),
]
GIVEN = [
    ("太郎", "タロウ", "taro"),
    ("花子", "ハナコ", "hanako"),
    ("健", "ケン", "ken"),
    ("美咲", "ミサキ", "misaki"),
    ("誠", "マコト", "makoto"),
    ("陽子", "ヨウコ", "yoko"),
    ("翔太", "ショウタ", "shota"),
    ("由美", "ユミ", "yumi"),
    ("大輔", "ダイスケ", "daisuke"),
    ("愛", "アイ", "ai"),
    ("直樹", "ナオキ", "naoki"),
    ("恵子", "ケイコ", "keiko"),
]
TITLES = ["代表取締役", "部長", "課長", "係長", "主任", "", "担当"]
DEPARTMENTS = ["総務部", "営業部", "購買部", "施設管理部", "経営企画室", ""]
HALF_WIDTH = str.maketrans(
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワンー",
    "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝｰ",
)
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def _furigana(kana: str, variant: int) -> str:
    """Katakana as typed most, hiragana or half-width kana (a voiced mark is left as it is) now and then."""
    if variant % 7 == 0:
        return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in kana)
    if variant % 11 == 0:
        return kana.translate(HALF_WIDTH)
    return kana


def _phone(area: str, a: int, b: int, variant: int) -> str:
    """One number written as people write it."""
    form = variant % 5
    if form == 0:
        return f"{area}{a:04d}{b:04d}"
    if form == 1:
        return f"{area}({a:04d}){b:04d}".translate(FULL_WIDTH_DIGITS).replace("(", "（").replace(")", "）")
    if form == 2:
        return f"+81 {area[1:]}-{a:04d}-{b:04d}"
    return f"{area}-{a:04d}-{b:04d}"


@dataclass
class Directory:
    company_ids: list[int]
    contact_ids: list[int]
    contacts_of: dict[int, list[int]]  # company id -> its contacts' ids
    names: dict[int, str]  # company id -> name
    texts: dict[int, tuple[str, str, str]]  # company id -> (name, phone, address)
    contact_texts: dict[int, tuple[str, str, str]]  # contact id -> (name, email, phone)
    stem: str  # a stem in hiragana that many companies have (in hiragana, katakana): the search's query

    def customer_of(self, i: int) -> tuple[int | None, int | None, tuple[str, str, str, str, str]]:
        """Prospect i's company and contact (four in five have one) and its text fields as a rep typed
        them before #19: (name, contact person, phone, e-mail, address) of that company and contact."""
        if not self.company_ids:
            return None, None, (f"見込み客 {i + 1}", "", "", "", "")
        company_id = self.company_ids[(i * 7919) % len(self.company_ids)]
        name, phone, address = self.texts[company_id]
        people = self.contacts_of.get(company_id, [])
        if not people or i % 5 == 0:
            return company_id, None, (name, "", phone, "", address)
        contact_id = people[i % len(people)]
        person, email, _mobile = self.contact_texts[contact_id]
        return company_id, contact_id, (name, person, phone, email, address)


def load(raw, rng: random.Random, *, companies: int, contacts: int, now: dt.datetime) -> Directory:
    """COPY `companies` companies and `contacts` contacts (spread over the companies) into empty tables."""
    company_rows = []
    names: dict[int, str] = {}
    texts: dict[int, tuple[str, str, str]] = {}
    for i in range(companies):
        cid = i + 1
        if i % 20 == 19 and i >= 20:  # a near-duplicate of an earlier company: another spelling
            base = rng.randrange(0, i - 1)
            stem_i, prefix_i, trade_i, area, a, b = _company_seed(base)
            legal = LEGAL_FORMS[(base + 3) % len(LEGAL_FORMS)]
            variant = base + 1
        else:
            stem_i, prefix_i, trade_i, area, a, b = _company_seed(i)
            legal = LEGAL_FORMS[(i * 7) % len(LEGAL_FORMS)]
            variant = i
        stem, stem_kana = STEMS[stem_i]
        place, place_kana = PREFIXES[prefix_i]
        trade, trade_kana, industry = TRADES[trade_i]
        form, in_front = legal
        core = f"{place}{stem}{trade}"
        name = f"{form}{core}" if in_front else f"{core}{form}"
        furigana = _furigana(place_kana + stem_kana + trade_kana, variant)
        phone = _phone(area, a, b, variant)
        address = f"{CITIES[(stem_i + trade_i) % len(CITIES)]}{(a % 9) + 1}-{(b % 30) + 1}"
        corporate = _corporate_number(cid) if i % 4 == 0 else ""
        company_rows.append(
            (
                cid,
                name,
                furigana,
                corporate,
                phone,
                address,
                industry,
                f"https://www.example-{cid}.co.jp/" if i % 3 == 0 else "",
                "",
                normalize_name(name),
                normalize_kana(furigana),
                normalize_phone(phone),
                None,
                now,
                now,
            )
        )
        names[cid] = name
        texts[cid] = (name, phone, address)
    columns = (
        "id, name, furigana, corporate_number, phone, address, industry, website, notes, name_norm, "
        "furigana_norm, phone_norm, merged_into_id, created_at, updated_at"
    )
    _copy(raw, "companies_company", columns, company_rows)
    contacts_of: dict[int, list[int]] = {}
    contact_rows = []
    contact_texts: dict[int, tuple[str, str, str]] = {}
    for j in range(contacts):
        pid = j + 1
        company_id = (j % companies) + 1 if companies else None
        family, family_kana, family_roman = FAMILY[(j * 5 + j // 7) % len(FAMILY)]
        given, given_kana, given_roman = GIVEN[(j * 3 + j // 11) % len(GIVEN)]
        name = f"{family} {given}" if j % 3 else f"{family}{given}"
        furigana = _furigana(f"{family_kana} {given_kana}", j)
        email = f"{given_roman}.{family_roman}{pid}@example-{company_id}.co.jp"
        phone = _phone("090", 1000 + j % 9000, (j * 37) % 10000, j)
        contact_rows.append(
            (
                pid,
                name,
                furigana,
                TITLES[j % len(TITLES)],
                DEPARTMENTS[j % len(DEPARTMENTS)],
                email,
                phone,
                company_id,
                normalize_name(name),
                normalize_kana(furigana),
                normalize_phone(phone),
                normalize_email(email),
                None,
                now,
                now,
            )
        )
        contacts_of.setdefault(company_id, []).append(pid)
        contact_texts[pid] = (name, email, phone)
    columns = (
        "id, name, furigana, title, department, email, phone, company_id, name_norm, furigana_norm, "
        "phone_norm, email_norm, merged_into_id, created_at, updated_at"
    )
    _copy(raw, "companies_contact", columns, contact_rows)
    with raw.cursor() as cur:
        for table in ("companies_company", "companies_contact"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT max(id) FROM {table}), 1))"
            )
    stem = STEMS[0][0]
    return Directory(
        company_ids=list(names),
        contact_ids=list(contact_texts),
        contacts_of=contacts_of,
        names=names,
        texts=texts,
        contact_texts=contact_texts,
        stem=stem,
    )


def _company_seed(i: int) -> tuple[int, int, int, str, int, int]:
    """A company's stem, place, trade and phone digits, fixed by its index (a near-duplicate reuses
    them): the first 14,400 companies have distinct names (40 stems, 30 places, 12 trades)."""
    area = ["03", "06", "052", "092", "011", "045", "022"][i % 7]
    stem, place = i % len(STEMS), (i // len(STEMS)) % len(PREFIXES)
    trade = (i // (len(STEMS) * len(PREFIXES))) % len(TRADES)
    return stem, place, trade, area, 1000 + (i * 7919) % 9000, (i * 104729) % 10000


def _corporate_number(n: int) -> str:
    base = f"{n:012d}"
    return f"{corporate_number_check_digit(base)}{base}"


def _copy(raw, table: str, columns: str, rows: list[tuple]) -> None:
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
