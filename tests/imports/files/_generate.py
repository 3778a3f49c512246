"""Writes the English CRM export set (issue #20) and its known figures. Run it only to change the set:
`python tests/imports/files/_generate.py`. The figures are worked out here from the rows themselves,
not by the product, so the import test compares the product's statistics with an independent count.

The set imitates a raw export of an English-language CRM:
- crm_export_en.csv: the deals; English headers, month/day/year dates, a stage column that says both
  status and horizon (Won, Lost, Engaging, Prospecting), repeat customers (several deals of one
  account for one agent, even of one product), no deal-name column, the source's opportunity IDs,
  0 in close_value on every lost row, no value on open rows (their amount comes from the product list);
- products.csv: the product list with list prices;
- people.csv: the people (reps with and without deals, managers, teams), names in Western order.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path

HERE = Path(__file__).parent
PRODUCTS = {"Basic 550": 550, "Pro 4821": 4821, "Special 55": 55, "Premium 26768": 26768}
TEAMS = {"Central": "Dustin Brinkmann", "East": "Rocco Neubert"}
AGENTS = {
    "Moses Frase": "Central",
    "Darcel Schlecht": "Central",
    "Anna Snelling": "Central",
    "Vicki Laflamme": "East",
    "Kary Hendrixson": "East",
}
IDLE_AGENTS = {"Wilburn Farren": "East"}  # a rep without deals: only the people import brings them in
ACCOUNTS = [
    "Acme Corporation",
    "Bluth Company",
    "Cheers Ltd",
    "Dunder Mifflin",
    "Globex",
    "Initech",
    "Stark Industries",
    "Wayne Enterprises",
]
STAGES = ("Won", "Lost", "Engaging", "Prospecting")


def mdy(day: dt.date) -> str:
    return f"{day.month}/{day.day}/{day.year}"


def email(name: str) -> str:
    return name.lower().replace(" ", ".") + "@example.com"


def main() -> None:
    rng = random.Random(20)
    deals = []
    for number in range(1, 61):
        agent = rng.choice(sorted(AGENTS))
        account = rng.choice(ACCOUNTS[: 3 + number % 6])  # the first accounts repeat most
        product = rng.choice(sorted(PRODUCTS))
        stage = STAGES[rng.choices(range(4), weights=(5, 3, 3, 2))[0]]
        engage = dt.date(2016, 10, 20) + dt.timedelta(days=rng.randrange(0, 360))
        close = engage + dt.timedelta(days=rng.randrange(1, 120)) if stage in ("Won", "Lost") else None
        value = ""
        if stage == "Won":
            value = str(round(PRODUCTS[product] * rng.choice((0.9, 1, 1, 1.05))))
        elif stage == "Lost":
            value = "0"
        deals.append(
            {
                "opportunity_id": f"{rng.getrandbits(32):08X}",
                "sales_agent": agent,
                "product": product,
                "account": account,
                "deal_stage": stage,
                "engage_date": "" if stage == "Prospecting" else mdy(engage),
                "close_date": mdy(close) if close else "",
                "close_value": value,
                "_engage": engage,
                "_close": close,
            }
        )
    # Two deals of one account, one agent and one product: only their opportunity IDs tell them apart.
    twin = dict(deals[0], opportunity_id="0000BEEF")
    deals.append(twin)
    columns = [c for c in deals[0] if not c.startswith("_")]
    with (HERE / "crm_export_en.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for deal in deals:
            writer.writerow([deal[c] for c in columns])
    with (HERE / "products.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["product", "sales_price"])
        writer.writerows(sorted(PRODUCTS.items()))
    with (HERE / "people.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["name", "email", "role", "team", "manager"])
        for team, manager in TEAMS.items():
            writer.writerow([manager, email(manager), "manager", team, ""])
        for agent, team in {**AGENTS, **IDLE_AGENTS}.items():
            writer.writerow([agent, email(agent), "rep", team, TEAMS[team]])

    won = [d for d in deals if d["deal_stage"] == "Won"]
    lost = [d for d in deals if d["deal_stage"] == "Lost"]
    open_deals = [d for d in deals if d["deal_stage"] in ("Engaging", "Prospecting")]
    days_to_win = [(d["_close"] - d["_engage"]).days for d in won]
    figures = {
        "rows": len(deals),
        "won": len(won),
        "lost": len(lost),
        "won_total": sum(int(d["close_value"]) for d in won),
        "win_rate_percent": round(100 * len(won) / (len(won) + len(lost)), 1),
        "average_days_to_win": round(sum(days_to_win) / len(days_to_win), 1),
        "open_by_agent": {a: sum(d["sales_agent"] == a for d in open_deals) for a in sorted(AGENTS)},
        "open_mid_term": sum(d["deal_stage"] == "Engaging" for d in open_deals),
        "open_long_term": sum(d["deal_stage"] == "Prospecting" for d in open_deals),
        "open_amount_from_list_prices": sum(PRODUCTS[d["product"]] for d in open_deals),
        "accounts": len({d["account"] for d in deals}),
        "first_close": min(d["_close"] for d in won + lost).isoformat(),
        "last_close": max(d["_close"] for d in won + lost).isoformat(),
    }
    (HERE / "crm_export_en.figures.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
