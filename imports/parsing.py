"""Pure parsing of spreadsheet cells: Japanese and ISO dates, yen amounts, probabilities, and the
guesses that map headers and values to prospect fields.

Every parser either returns a value or raises ParseError with a reason for the user. Anything that
could be read two ways ("11/12" without a year, "約100万", "1.2.3") is an error, never a guess.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from salescrm.lib.formrules import DATE_MAX, DATE_MIN, date_range_message


class ParseError(ValueError):
    """A cell that cannot be read; `reason` is a (lazy) message for the user."""

    def __init__(self, reason: Any) -> None:
        super().__init__(str(reason))
        self.reason = reason


UNREADABLE_CHARACTER = _(
    "This cell holds a character that has no standard meaning (%(code)s, e.g. a user-defined character "
    "of Shift_JIS). Replace it with an ordinary character and upload the file again."
)
# Private use, unassigned and surrogate code points.
UNREADABLE_CATEGORIES = frozenset({"Co", "Cn", "Cs"})

BAD_DATE = _("Not a date. Write it as 2026/11/27, 2026-11-27 or 2026年11月27日 (with the year).")
BAD_MONTH = _("Not a month. Write it as 2026/11, 2026-11 or 2026年11月 (with the year).")
BAD_DATE_MDY = _(
    "Not a date in month/day/year order (the date order of this file). Write it as 11/27/2026, "
    "2026-11-27 or 2026年11月27日."
)
BAD_DATE_DMY = _(
    "Not a date in day/month/year order (the date order of this file). Write it as 27/11/2026, "
    "2026-11-27 or 2026年11月27日."
)
BAD_MONTH_YEAR_LAST = _("Not a month. Write it as 11/2026, 2026-11 or 2026年11月 (with the year).")
NOT_YEAR_FIRST = _(
    "Not a date in year/month/day order (the date order of this file). If the file writes dates as "
    "month/day/year or day/month/year, choose that date order on the mapping page."
)
DATE_ORDER_NEEDED = _(
    "This date can be read as month/day/year or as day/month/year, and the file's dates do not show "
    "which. Choose the date order on the mapping page, then check the file again."
)
TWO_DIGIT_YEAR = _("The year has only two digits. Write it with four (2026, not 26).")
BAD_AMOUNT = _("Not an amount. Write it as 1200000, ¥1,200,000, 120万 or 1,200千円.")
NEGATIVE_AMOUNT = _("The amount cannot be negative.")
TOO_PRECISE_AMOUNT = _("The amount has more than two decimal places.")
BAD_PROBABILITY = _("Not a probability. Write a whole number from 0 to 100, for example 80 or 80%.")
PROBABILITY_RANGE = _("The probability must be between 0 and 100.")

# How a file writes a date whose year does not come first (imports.models.DateOrder labels them).
YMD, MDY, DMY = "ymd", "mdy", "dmy"
DATE_ORDERS = (YMD, MDY, DMY)
_BAD_DATES = {YMD: BAD_DATE, MDY: BAD_DATE_MDY, DMY: BAD_DATE_DMY}

ERAS = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988}
UNITS = {"": 1, "千": 1_000, "万": 10_000, "億": 100_000_000}

_ISO_DAY = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_JA_DAY = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_ISO_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_JA_MONTH = re.compile(r"^(\d{4})年(\d{1,2})月$")
_ERA_JA = re.compile(r"^(令和|平成)(\d{1,2}|元)年(\d{1,2})月(?:(\d{1,2})日)?$")
_ERA_SHORT = re.compile(r"^([RH])(\d{1,2})[./-](\d{1,2})(?:[./-](\d{1,2}))?$")
# Year last (11/27/2026, 27.11.2026, "10/20/2016 10:30 AM"): read in the file's date order only.
_YEAR_LAST_DAY = re.compile(
    r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?)?$", re.IGNORECASE
)
_YEAR_LAST_MONTH = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
# An English month name and a year ("Nov 2026", "November 2026"): the prospect export's month in English.
_NAMED_MONTH = re.compile(r"^([A-Za-z]{3,9})\.?\s*(\d{4})$")
MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_TWO_DIGIT_YEAR = re.compile(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2}$")
_AMOUNT = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(千|万|億)?$")
_PROBABILITY = re.compile(r"^(\d{1,3})(?:\.0+)?%?$")


def normalize(value: Any) -> str:
    """NFKC (full-width digits and letters to ASCII, ￥ to ¥) and trimmed; None is ''."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _date(year: int, month: int, day: int, error: Any) -> dt.date:
    if not DATE_MIN.year <= year <= DATE_MAX.year:
        raise ParseError(date_range_message())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ParseError(error) from None


def _era_year(era: str, number: str) -> int:
    return ERAS[era] + (1 if number == "元" else int(number))


def parse_date_or_month(value: Any, order: str | None = YMD) -> tuple[dt.date, bool]:
    """(date, True) for a full date, (first of month, False) for a month. Raises ParseError.

    `order` is how the file writes a date whose year comes last (11/27/2026 in MDY, 27/11/2026 in
    DMY); None when it is not known, and such a date is refused until the user chooses. Year-first,
    年月日 and era dates read the same in every order."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):  # an xlsx date cell: the same year range as a written date
        return _date(value.year, value.month, value.day, BAD_DATE), True
    text = normalize(value).upper().replace(" ", "") if _looks_short_era(value) else normalize(value)
    if m := _ISO_DAY.match(text) or _JA_DAY.match(text):
        return _date(int(m[1]), int(m[2]), int(m[3]), BAD_DATE), True
    if m := _ISO_MONTH.match(text) or _JA_MONTH.match(text):
        return _date(int(m[1]), int(m[2]), 1, BAD_MONTH), False
    if m := _ERA_JA.match(text) or _ERA_SHORT.match(text):
        year = _era_year(m[1], m[2])
        if m[4]:
            return _date(year, int(m[3]), int(m[4]), BAD_DATE), True
        return _date(year, int(m[3]), 1, BAD_MONTH), False
    if (m := _NAMED_MONTH.match(text)) and m[1].lower() in MONTH_NAMES:
        return _date(int(m[2]), MONTH_NAMES[m[1].lower()], 1, BAD_MONTH), False
    if m := _YEAR_LAST_DAY.match(text):
        if order == MDY:
            return _date(int(m[3]), int(m[1]), int(m[2]), BAD_DATE_MDY), True
        if order == DMY:
            return _date(int(m[3]), int(m[2]), int(m[1]), BAD_DATE_DMY), True
        raise ParseError(NOT_YEAR_FIRST if order == YMD else DATE_ORDER_NEEDED)
    if m := _YEAR_LAST_MONTH.match(text):
        # 10/2016 is October 2016 whether the days come before or after the months.
        if order == YMD:
            raise ParseError(NOT_YEAR_FIRST)
        return _date(int(m[2]), int(m[1]), 1, BAD_MONTH_YEAR_LAST), False
    if _TWO_DIGIT_YEAR.match(text):
        raise ParseError(TWO_DIGIT_YEAR)
    raise ParseError(_BAD_DATES.get(order, BAD_DATE))


def date_orders(value: Any) -> frozenset[str]:
    """The date orders that read a cell as a date or a month: all three for a year-first, 年月日 or
    era date, MDY and/or DMY for a year-last one (13/01/2017 is DMY only), none for a non-date."""
    readable = set()
    for order in DATE_ORDERS:
        try:
            parse_date_or_month(value, order)
        except ParseError:
            continue
        readable.add(order)
    return frozenset(readable)


def guess_date_order(samples: Iterable[Any]) -> str | None:
    """The one date order that reads every sample (the distinct values of a file's date columns), or
    None when they fit more than one order or none. Samples that every order reads (2017-01-13, 年月日)
    leave the order open: then it is YMD when they are all such, and None as soon as one is written
    year last. Samples no order reads are errors of their own and do not count."""
    candidates = set(DATE_ORDERS)
    for value in samples:
        readable = date_orders(value)
        if readable:
            candidates &= readable
    if len(candidates) == 1:
        return next(iter(candidates))
    return YMD if candidates == set(DATE_ORDERS) else None


def check_characters(text: str) -> None:
    """Refuse a cell holding a character no font shows the same everywhere: CP932's user-defined area
    (bytes F040-F9FC) decodes to private-use code points, and a few bytes to unassigned ones. The
    bytes decode without error, so this is the cell's check, named by row and column."""
    for char in text:
        if unicodedata.category(char) in UNREADABLE_CATEGORIES:
            raise ParseError(UNREADABLE_CHARACTER % {"code": f"U+{ord(char):04X}"})


def _looks_short_era(value: Any) -> bool:
    text = normalize(value)
    return bool(text) and text[0] in "RrHh"


def parse_date(value: Any, order: str | None = YMD) -> dt.date:
    """A full date: 2026/11/27, 2026-11-27, 2026.11.27, 2026年11月27日, 令和8年11月27日, R8.11.27; in MDY
    order also 11/27/2026, in DMY 27/11/2026 (see parse_date_or_month)."""
    day, full = parse_date_or_month(value, order)
    if not full:
        raise ParseError(_BAD_DATES.get(order, BAD_DATE))
    return day


def parse_month(value: Any, order: str | None = YMD) -> dt.date:
    """A month as its first day: 2026/11, 2026-11, 2026年11月, 令和8年11月, R8.11, Nov 2026, and 11/2026
    unless the order is YMD; a full date counts as its month."""
    try:
        day, _full = parse_date_or_month(value, order)
    except ParseError as exc:
        if any(exc.reason is message for message in _BAD_DATES.values()):
            raise ParseError(BAD_MONTH if order == YMD else BAD_MONTH_YEAR_LAST) from None
        raise
    return day.replace(day=1)


def parse_amount(value: Any) -> Decimal:
    """Yen: 1200000, ¥1,200,000, 1,200,000円, 120万 (=1,200,000), 1.5万円 (=15,000), 1,200千円."""
    if isinstance(value, bool):
        raise ParseError(BAD_AMOUNT)
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    else:
        text = normalize(value).replace(" ", "")
        if text.startswith("-"):
            raise ParseError(NEGATIVE_AMOUNT)
        text = text.removeprefix("¥").removeprefix("\\").removesuffix("円")
        match = _AMOUNT.match(text)
        if not match:
            raise ParseError(BAD_AMOUNT)
        try:
            amount = Decimal(match[1].replace(",", "") + (match[2] or "")) * UNITS[match[3] or ""]
        except InvalidOperation:
            raise ParseError(BAD_AMOUNT) from None
    if not amount.is_finite():  # NaN or infinity from a number cell
        raise ParseError(BAD_AMOUNT)
    if amount < 0:
        raise ParseError(NEGATIVE_AMOUNT)
    if amount >= Decimal("1e12"):  # before quantize(), which fails beyond 28 digits
        raise ParseError(BAD_AMOUNT)
    if amount != amount.quantize(Decimal("0.01")):
        raise ParseError(TOO_PRECISE_AMOUNT)
    return amount.quantize(Decimal("1")) if amount == amount.to_integral() else amount


def parse_probability(value: Any) -> int:
    """0-100: 80, 80%, and the same in full-width digits. A fraction such as 0.8 is refused: it may mean 0.8 % or 80 %."""
    if isinstance(value, bool):
        raise ParseError(BAD_PROBABILITY)
    if isinstance(value, int | float | Decimal):
        if not Decimal(value).is_finite() or value != int(value):
            raise ParseError(BAD_PROBABILITY)
        number = int(value)
    else:
        match = _PROBABILITY.match(normalize(value).replace(" ", ""))
        if not match:
            raise ParseError(BAD_PROBABILITY)
        number = int(match[1])
    if not 0 <= number <= 100:
        raise ParseError(PROBABILITY_RANGE)
    return number


BAD_CURRENCY = _(
    "Not a currency. Write its three-letter code, for example JPY or USD, or a sign such as ¥ or $."
)
# Signs and words that name one currency in practice; "$" alone is read as the US dollar.
CURRENCY_WORDS = {
    "¥": "JPY",
    "\\": "JPY",  # the yen sign of Shift_JIS files
    "円": "JPY",
    "日本円": "JPY",
    "$": "USD",
    "US$": "USD",
    "ドル": "USD",
    "米ドル": "USD",
    "€": "EUR",
    "ユーロ": "EUR",
    "£": "GBP",
    "₩": "KRW",
    "元": "CNY",
    "人民元": "CNY",
}
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


def parse_currency(value: Any) -> str:
    """An ISO 4217 code (jpy, USD, also in full-width letters) or a sign (¥, 円, $): the code, upper case."""
    text = normalize(value).replace(" ", "").upper()
    code = CURRENCY_WORDS.get(text, text)
    if not _CURRENCY_CODE.match(code):
        raise ParseError(BAD_CURRENCY)
    return code


# --- Guesses: header names and cell values to prospect fields and choices.


def _key(text: Any) -> str:
    """Compare-friendly: NFKC, lower case, without spaces, dots, underscores or hyphens."""
    return re.sub(r"[\s._\-・/]", "", normalize(text).lower())


# Header -> field, compared by _key (case, spaces, underscores, dots and hyphens do not count): our own
# words, the headers of Japanese CRMs (Salesforce, HubSpot, kintone) and of English CRM exports. The one
# table of header guesses; a word names one field only (tests/imports/test_parsing.py checks it).
# fmt: off
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id", "番号", "見込み客id"),
    # The deal's ID in the system the file comes from (not ours: that is "id").
    "external_id": (
        "外部id", "外部システムid", "案件id", "商談id", "取引id", "レコードid",
        "external id", "opportunity_id", "opportunity id", "deal_id", "deal id", "record id", "crm id",
    ),
    "name": (
        "顧客名", "見込み客", "見込客", "見込み客名", "案件名", "案件", "商談名", "取引名",
        "name", "prospect", "prospectname", "customer", "deal name", "deal", "opportunity name", "opportunity",
    ),
    "owner": (
        "担当者", "営業担当", "営業担当者", "担当", "担当営業", "担当者名", "営業担当者名", "商談所有者",
        "取引担当者", "所有者",
        "owner", "salesrep", "rep", "sales_agent", "agent", "deal owner", "opportunity owner", "salesperson",
        "sales person", "assigned to",
    ),
    "probability": (
        "確度", "確度(%)", "受注確度", "受注確率",
        "probability", "probability (%)", "win probability", "deal probability",
    ),
    # Not "expected revenue": Salesforce and Zoho export it as amount x probability.
    "amount": (
        "金額", "金額(円)", "見込金額", "見込金額(円)", "見込み金額", "見込み金額(円)", "商談金額", "取引金額",
        "予定金額",
        "amount", "deal amount", "deal value", "value", "opportunity amount",
    ),
    # A full date counts as its month: an expected close date gives the expected month.
    "expected_month": (
        "受注予定月", "受注予定日", "完了予定日", "成約予定日", "クローズ予定日",
        "expectedmonth", "expected close date", "expected closing date", "expected close",
    ),
    "product": ("製品", "商品", "製品名", "商品名", "product", "productname"),
    "horizon": ("見込み区分", "見込区分", "区分", "horizon"),
    "status": (
        "ステータス", "状況", "商談フェーズ", "フェーズ", "商談ステージ", "取引ステージ", "ステージ",
        "商談ステータス", "進捗", "進捗状況",
        "status", "deal_stage", "stage", "pipeline stage", "opportunity stage", "deal status",
    ),
    "source": ("流入経路", "きっかけ", "リードソース", "流入元", "獲得経路", "source", "lead source", "deal source"),
    "phone": ("電話", "電話番号", "tel", "phone"),
    "email": ("メール", "メールアドレス", "email", "mail"),
    "address": ("住所", "address"),
    "contact_person": ("先方担当者", "連絡先氏名", "contactperson", "contact"),
    # The next planned activity (activities app): its note and its date.
    "next_activity": ("次回アクション", "次の予定", "nextaction", "nextactivity"),
    "next_activity_on": ("次回アクション日", "次の予定日", "nextactiondate", "nextactivitydate"),
    "notes": ("備考", "メモ", "notes", "note"),
    "created_at": (
        "登録日", "登録日時", "作成日", "作成日時", "商談開始日",
        "createdat", "created", "createdon", "engage_date", "created date", "create date", "date created",
        "creation date", "lead date",
    ),
    "closed_on": (
        "受注日", "失注日", "完了日", "成約日", "クローズ日",
        "closedon", "closedate", "closed", "closed date", "date closed", "actual close date",
    ),
    # An export's close value is the won value on won rows (0 on lost ones, empty on open ones).
    "won_amount": (
        "受注金額", "受注金額(円)", "受注額", "成約金額", "契約金額",
        "wonamount", "close_value", "closed value", "won value",
    ),
    "lost_reason": ("失注理由", "失注要因", "lostreason", "loss reason", "reason lost", "closed lost reason"),
    "competitor": ("競合", "競合他社", "competitor"),
    "currency": ("通貨", "通貨コード", "currency", "currencycode"),
    # The customer (名寄せ, #19): a company column names the company; the prospect's name follows it
    # when the file has none of its own.
    "company_name": (
        "会社名", "取引先", "取引先名", "法人名", "企業名", "組織", "組織名",
        "company", "companyname", "account", "account name", "organization", "organisation",
        "organization name",
    ),
    "company_furigana": ("フリガナ", "ふりがな", "会社名フリガナ", "会社名カナ", "取引先フリガナ", "furigana"),
    "company_corporate_number": ("法人番号", "corporatenumber"),
    "company_phone": ("代表電話", "代表電話番号", "会社電話番号", "取引先電話番号", "companyphone"),
    "company_address": ("所在地", "本社所在地", "会社住所", "取引先住所", "companyaddress"),
    "company_industry": ("業種", "industry"),
    "company_website": ("url", "ホームページ", "ウェブサイト", "website"),
    "contact_name": ("氏名", "先方氏名", "取引先担当者", "取引先担当者名", "contactname"),
    "contact_furigana": ("氏名フリガナ", "先方担当者フリガナ", "取引先担当者フリガナ", "contactfurigana"),
    "contact_title": ("役職", "title", "jobtitle"),
    "contact_department": ("部署", "部署名", "所属", "department"),
    "contact_email": ("担当者メール", "先方メール", "contactemail"),
    "contact_phone": ("携帯", "携帯電話", "直通", "先方電話", "担当者電話", "contactphone"),
}
# fmt: on
_HEADER_INDEX = {_key(word): field for field, words in HEADER_SYNONYMS.items() for word in words}


_LABEL_INDEX: dict[str, str] = {}


def _label_index() -> dict[str, str]:
    """Every import field's own label, in Japanese and in English: the headers of the prospect export,
    so an export of ours is guessed back column for column."""
    if not _LABEL_INDEX:
        from django.utils import translation

        from imports.services.fields import IMPORT_FIELDS, field_label

        for language in ("en", "ja"):
            with translation.override(language):
                for field in IMPORT_FIELDS:
                    _LABEL_INDEX.setdefault(_key(field_label(field)), field)
    return _LABEL_INDEX


def guess_field(header: Any) -> str | None:
    """The prospect, company or contact field a header names, or None."""
    key = _key(header)
    return _HEADER_INDEX.get(key) or _label_index().get(key)


def guess_columns(headers: list[str]) -> dict[str, str]:
    """{header: field} for the headers that name a field; each field is taken by its first header."""
    return _first_guesses(headers, guess_field)


def _first_guesses(headers: list[str], guess: Any) -> dict[str, str]:
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        field = guess(header)
        if field and field not in taken:
            mapping[header] = field
            taken.add(field)
    return mapping


# The people import's columns (users, their teams and managers: imports/services/people.py), in a
# table of their own: "氏名" or "所属" name a person's own name and team there, not a contact's.
PEOPLE_HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("name", "fullname", "氏名", "名前", "お名前", "社員名", "ユーザー氏名"),
    "email": ("email", "mail", "emailaddress", "メール", "メールアドレス", "eメール", "電子メール"),
    "role": ("role", "役割", "権限", "ロール"),
    "team": ("team", "teamname", "チーム", "チーム名", "所属", "所属チーム"),
    "manager": ("manager", "上長", "マネージャー", "マネジャー", "上司", "reportsto"),
    "username": ("username", "user", "login", "loginid", "ユーザー名", "ユーザ名", "ログインid"),
}
_PEOPLE_HEADER_INDEX = {
    _key(word): field for field, words in PEOPLE_HEADER_SYNONYMS.items() for word in words
}


def guess_people_field(header: Any) -> str | None:
    """The people import's field a header names, or None."""
    return _PEOPLE_HEADER_INDEX.get(_key(header))


def guess_people_columns(headers: list[str]) -> dict[str, str]:
    """guess_columns for the people import."""
    return _first_guesses(headers, guess_people_field)


# fmt: off
VALUE_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "status": {
        # An open deal's stages in CRM exports (their stage column says the status).
        "open": (
            "open", "商談中", "進行中", "見込み", "見込", "対応中", "オープン", "提案中", "交渉中", "検討中",
            "engaging", "prospecting", "in progress", "qualified", "qualification", "needs analysis",
            "proposal", "negotiation",
        ),
        "won": ("won", "closed won", "受注", "成約", "契約", "受注済", "受注済み", "成約済み"),
        "lost": ("lost", "closed lost", "失注", "不成約", "見送り", "失注済み"),
    },
    "horizon": {
        "short": ("short", "shortterm", "短期"),
        "mid": ("mid", "midterm", "middle", "中期", "engaging"),
        "long": ("long", "longterm", "長期", "prospecting"),
    },
    "source": {
        "door_to_door": ("door_to_door", "doortodoor", "飛び込み", "飛込み", "飛込", "訪問"),
        "inbound": ("inbound", "inboundinquiry", "反響", "問い合わせ", "問合せ", "お問い合わせ"),
        "exhibition": ("exhibition", "展示会", "イベント"),
        "flyer": ("flyer", "チラシ", "ちらし", "dm"),
        "referral": ("referral", "紹介"),
        "revival": ("revival", "掘り起こし"),
        "other": ("other", "その他"),
    },
    "lost_reason": {
        "price": ("price", "価格", "値段", "価格が高い"),
        "competitor": ("competitor", "choseacompetitor", "競合", "競合他社", "競合他社に決定"),
        "postponed": ("postponed", "延期", "先送り"),
        "no_budget": ("no_budget", "nobudget", "予算なし", "予算がない", "予算不足"),
        "no_response": ("no_response", "noresponse", "連絡なし", "連絡が取れない", "音信不通"),
        "other": ("other", "その他"),
    },
    # A person's role in the people import (accounts.models.Role).
    "role": {
        "rep": ("rep", "salesrep", "sales", "営業", "営業担当", "営業担当者"),
        "manager": ("manager", "マネージャー", "マネジャー", "上長"),
        "admin": ("admin", "administrator", "管理者", "システム管理者"),
    },
}
# fmt: on
_VALUE_INDEX = {
    field: {_key(word): code for code, words in choices.items() for word in words}
    for field, choices in VALUE_SYNONYMS.items()
}


def guess_value(field: str, value: Any) -> str | None:
    """The choice code a cell means for status, horizon, source, lost_reason or role; None if unknown."""
    return _VALUE_INDEX.get(field, {}).get(_key(value))


# One column, two fields: a value of a column mapped to the key may also set these fields, guessed from
# the same table (a stage "Engaging" is open and mid term). Only status and horizon guess each other: a
# source "other" is not a lost reason "other".
ALSO_GUESSES: dict[str, tuple[str, ...]] = {"status": ("horizon",), "horizon": ("status",)}


def guess_also(field: str, value: Any) -> dict[str, str]:
    """{other field: code} a value of a `field` column also says, e.g. status "Engaging" -> horizon mid."""
    for other in ALSO_GUESSES.get(field, ()):
        if code := guess_value(other, value):
            return {other: code}
    return {}


def owner_keys(username: str, last_name: str, first_name: str, email: str) -> set[str]:
    """The ways a file may name a user: username, e-mail, "田中 翔太", "田中翔太", "翔太 田中"."""
    keys = {_key(username)}
    if email:
        keys.add(_key(email))
    if last_name or first_name:
        keys.add(_key(f"{last_name}{first_name}"))
        keys.add(_key(f"{first_name}{last_name}"))
    keys.discard("")
    return keys


def owner_key(value: Any) -> str:
    return _key(value)
