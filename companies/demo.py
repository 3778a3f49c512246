"""The demo company's customers (seed_demo, #19): companies and contacts for its prospects, and a few
near-duplicates left for a manager to merge (名寄せ), such as ﾐﾅﾄ工務店(株) beside 株式会社みなと工務店."""

from __future__ import annotations

import random
from collections import defaultdict

from companies.models import Company, Contact, corporate_number_check_digit
from companies.selectors import likely_companies

FURIGANA = {
    "山田": "やまだ",
    "東和": "とうわ",
    "北斗": "ほくと",
    "さくら": "さくら",
    "みなと": "みなと",
    "青葉": "あおば",
    "富士": "ふじ",
    "大和": "やまと",
    "光": "ひかり",
    "緑川": "みどりかわ",
    "朝日": "あさひ",
    "共栄": "きょうえい",
    "工務店": "こうむてん",
    "商事": "しょうじ",
    "建設": "けんせつ",
    "不動産": "ふどうさん",
    "歯科医院": "しかいいん",
    "製作所": "せいさくしょ",
    "運輸": "うんゆ",
    "食品": "しょくひん",
    "保育園": "ほいくえん",
    "クリニック": "くりにっく",
}
INDUSTRY = {
    "工務店": "建設業",
    "建設": "建設業",
    "商事": "卸売業",
    "不動産": "不動産業",
    "歯科医院": "医療",
    "クリニック": "医療",
    "製作所": "製造業",
    "運輸": "運輸業",
    "食品": "食品製造業",
    "保育園": "保育",
}
SURNAMES = {"山田": "やまだ", "松本": "まつもと", "井上": "いのうえ", "木村": "きむら", "林": "はやし"}
GIVEN = [("太郎", "たろう"), ("花子", "はなこ"), ("健一", "けんいち"), ("美咲", "みさき"), ("誠", "まこと")]
WARDS = ["港区芝浦", "江東区豊洲", "品川区大崎", "世田谷区三軒茶屋", "練馬区光が丘", "大田区蒲田"]
TITLES = [("", ""), ("総務部", "部長"), ("施設管理課", "課長"), ("", "代表取締役"), ("経理部", "")]
# Spelled as another rep would type it: half-width katakana and (株) behind, or the legal form in front.
VARIANTS = {"みなと工務店": "ﾐﾅﾄ工務店(株)", "さくら商事": "ｻｸﾗ商事(株)"}
MERGE_PAIRS = 3


def _parts(base: str) -> tuple[str, str]:
    for kind in sorted(INDUSTRY, key=len, reverse=True):
        if base.endswith(kind):
            return base[: -len(kind)], kind
    return base, ""


def _corporate_number(rnd: random.Random) -> str:
    base = "".join(str(rnd.randint(0, 9)) for _ in range(12))
    return f"{corporate_number_check_digit(base)}{base}"


def seed_directory(prospects: list) -> None:
    """Companies and contacts for the (unsaved) demo prospects, linked on them before they are saved.
    A prospect named "みなと工務店 012" belongs to 株式会社みなと工務店; "さくら 様邸" is a household: a
    contact without a company. For a few companies another rep's deals sit on a variant spelling."""
    rnd = random.Random(19)  # its own: the rest of the demo draws the same numbers as before
    by_base: dict[str, list] = defaultdict(list)
    for p in prospects:
        base = p.name.rsplit(" ", 1)[0]
        by_base[base].append(p)
    # The pairs to merge: the two spellings above when their companies have deals, then the busiest.
    busiest = sorted((b for b in by_base if "様邸" not in b), key=lambda b: (-len(by_base[b]), b))
    pairs = [b for b in VARIANTS if len(by_base.get(b, ())) >= 2]
    pairs += [b for b in busiest if b not in pairs and len(by_base[b]) >= 2][: MERGE_PAIRS - len(pairs)]
    for base, deals in sorted(by_base.items()):
        if "様邸" in base:
            for p in deals:
                p.contact = _contact(rnd, p, None, base.split(" ")[0])
            continue
        part, kind = _parts(base)
        company = _company(rnd, f"株式会社{base}", part, kind, deals[0].phone)
        variant = None
        if base in pairs:
            name = VARIANTS.get(base) or f"{base}(株)"
            variant = _company(rnd, name, part, kind, "", furigana=False)
        contacts: dict[str, Contact] = {}
        other_owner = deals[-1].owner_id
        one_owner = len({p.owner_id for p in deals}) == 1
        for n, p in enumerate(deals):
            # The variant holds the deals of one rep who never saw the other record.
            on_variant = n % 2 == 1 if one_owner else p.owner_id == other_owner
            target = variant if variant is not None and on_variant else company
            surname = p.contact_person.replace("様", "").strip()
            key = f"{target.pk}:{surname}"
            if key not in contacts:
                contacts[key] = _contact(rnd, p, target, surname)
            p.company, p.contact = target, contacts[key]


def _company(
    rnd: random.Random, name: str, part: str, kind: str, phone: str, *, furigana: bool = True
) -> Company:
    return Company.objects.create(
        name=name,
        furigana=f"{FURIGANA.get(part, '')}{FURIGANA.get(kind, '')}" if furigana else "",
        corporate_number=_corporate_number(rnd) if furigana and rnd.random() < 0.4 else "",
        phone=phone,
        address=f"東京都{rnd.choice(WARDS)}{rnd.randint(1, 5)}-{rnd.randint(1, 20)}-{rnd.randint(1, 9)}",
        industry=INDUSTRY.get(kind, ""),
    )


def _contact(rnd: random.Random, p, company: Company | None, surname: str) -> Contact:
    given, given_kana = rnd.choice(GIVEN)
    department, title = rnd.choice(TITLES) if company is not None else ("", "")
    return Contact.objects.create(
        name=f"{surname} {given}",
        furigana=f"{SURNAMES.get(surname, FURIGANA.get(surname, ''))} {given_kana}".strip(),
        department=department,
        title=title,
        phone=p.phone,
        company=company,
    )


def merge_candidates() -> list[tuple[Company, list[Company]]]:
    """The demo's companies that 名寄せ finds under more than one record (for its test and its README)."""
    seen: set[int] = set()
    found = []
    for company in Company.objects.current().order_by("pk"):
        if company.pk in seen:
            continue
        same = [c for c in likely_companies(company.name) if c.pk != company.pk]
        if same:
            seen.update(c.pk for c in same)
            found.append((company, same))
    return found
