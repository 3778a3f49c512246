"""Write a realistic Japanese prospect CSV of N rows (for benchmarks and demos)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from django.core.management.base import BaseCommand

from accounts.models import User

COMPANIES = ["工務店", "設計事務所", "建設", "不動産", "商事", "製作所", "物産", "運輸", "電機", "食品"]
PLACES = ["山田", "佐藤", "鈴木", "高橋", "伊藤", "渡辺", "中村", "小林", "加藤", "吉田", "山本", "松本"]
CITIES = [
    "東京都千代田区",
    "大阪府大阪市北区",
    "愛知県名古屋市中区",
    "福岡県福岡市博多区",
    "北海道札幌市中央区",
]
SOURCES = ["飛び込み", "反響", "展示会", "チラシ", "紹介"]
HORIZONS = ["短期", "中期", "長期"]
REASONS = ["価格", "競合", "延期", "予算なし", "連絡なし", "社内事情"]
HEADER = [
    "会社名",
    "担当者",
    "確度",
    "見込金額",
    "受注予定月",
    "見込み区分",
    "ステータス",
    "流入経路",
    "電話",
    "メール",
    "住所",
    "先方担当者",
    "次回アクション",
    "登録日",
    "完了日",
    "受注金額",
    "失注理由",
    "競合他社",
]


# --stage: one column says status and horizon, as a CRM's deal stage does (one column, two fields).
STAGES = {"短期": "Engaging", "中期": "Engaging", "長期": "Prospecting"}
# What a mapping's value table ("also") says each stage sets besides the status: the bench saves it.
STAGE_ALSO = {"status": {"Engaging": {"horizon": "mid"}, "Prospecting": {"horizon": "long"}}}


def header(*, stage: bool = False) -> list[str]:
    return [h for h in HEADER if not (stage and h == "見込み区分")]


def rows(n: int, owners: list[str], seed: int = 1, *, stage: bool = False):
    rng = random.Random(seed)
    for i in range(1, n + 1):
        status = rng.choices(["商談中", "受注", "失注"], weights=[70, 15, 15])[0]
        year, month = rng.choice([2025, 2026]), rng.randint(1, 12)
        amount = rng.randint(10, 3000) * 10_000
        created = f"{year - 1}/{rng.randint(1, 12)}/{rng.randint(1, 28)}"
        closed = won = reason = competitor = ""
        if status != "商談中":
            closed = f"{year}年{month}月{rng.randint(1, 28)}日"
        if status == "受注":
            won = f"{amount // 10_000}万"
        if status == "失注":
            reason = rng.choice(REASONS)
            competitor = "競合商事" if reason == "競合" else ""
        row = [
            f"{rng.choice(PLACES)}{rng.choice(COMPANIES)} {i}号店",
            rng.choice(owners),
            f"{rng.choice([10, 30, 50, 70, 90])}%",
            f"￥{amount:,}",  # full-width: encodable in CP932 too
            f"{year}-{month:02d}",
            rng.choice(HORIZONS),
            status,
            rng.choice(SOURCES),
            f"03-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
            f"info{i}@example.jp",
            f"{rng.choice(CITIES)}{rng.randint(1, 9)}-{rng.randint(1, 30)}",
            f"{rng.choice(PLACES)} 様",
            rng.choice(["見積提出", "デモ訪問", "電話フォロー", ""]),
            created,
            closed,
            won,
            reason,
            competitor,
        ]
        if stage:  # the stage replaces the status, and the horizon column goes
            horizon = row.pop(5)
            row[5] = STAGES[horizon] if status == "商談中" else status
        yield row


class Command(BaseCommand):
    help = "Generate a realistic N-row Japanese prospect CSV (UTF-8 with BOM, or --encoding cp932)."

    def add_arguments(self, parser):
        parser.add_argument("n", type=int)
        parser.add_argument("out")
        parser.add_argument("--owners", default="", help="comma-separated usernames (default: active reps)")
        parser.add_argument("--encoding", default="utf-8-sig", choices=["utf-8-sig", "utf-8", "cp932"])
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--stage",
            action="store_true",
            help="one stage column for status and horizon (Prospecting, Engaging)",
        )

    def handle(
        self, *args, n: int, out: str, owners: str, encoding: str, seed: int, stage: bool = False, **options
    ):
        names = [o for o in owners.split(",") if o] or list(
            User.objects.filter(is_active=True).values_list("username", flat=True)[:20]
        )
        if not names:
            names = ["rep1"]
        with Path(out).open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header(stage=stage))
            writer.writerows(rows(n, names, seed, stage=stage))
        self.stdout.write(f"{n} rows -> {out}")
