"""Permission-aware reads of the pipeline pages, one module per question they answer:

- rules: the weighted amount, the card order, the month list's membership and order (each once);
- scope: whose prospects a page shows and which scopes a viewer may pick;
- board: the columns and their cards; month_list: the forecast meeting's list and totals;
- forecast: amounts by expected month; snapshots: forecast accuracy; home: a rep's counts.
Every read costs a constant number of queries whatever the number of prospects."""

from pipeline.selectors.board import (
    CARDS_PER_OWNER_MAX_OWNERS,
    BoardFilters,
    CardCursor,
    Column,
    board_columns,
    column_cards,
    column_headers,
)
from pipeline.selectors.forecast import FORECAST_MONTHS, ForecastMonth, forecast
from pipeline.selectors.home import horizon_counts
from pipeline.selectors.month_list import MonthList, Totals, month_list, month_list_rows
from pipeline.selectors.rows import CARD_FIELDS, MONTH_ROW_FIELDS, STALE_DAYS, ProspectRow, decorate
from pipeline.selectors.rules import (
    CARD_ORDER,
    HORIZONS,
    MONTH_LIST_ORDER,
    ZERO,
    carried_q,
    listed,
    month_list_q,
    round_money,
    weight,
    weighted_expr,
    won_in_month,
    yen,
)
from pipeline.selectors.scope import (
    Scope,
    all_scope,
    default_scope,
    resolve_scope,
    scope_choices,
    snapshot_scope,
    team_scope,
    user_scope,
)
from pipeline.selectors.snapshots import Accuracy, snapshot_accuracy

__all__ = [
    "CARDS_PER_OWNER_MAX_OWNERS",
    "CARD_FIELDS",
    "CARD_ORDER",
    "FORECAST_MONTHS",
    "HORIZONS",
    "MONTH_LIST_ORDER",
    "MONTH_ROW_FIELDS",
    "STALE_DAYS",
    "ZERO",
    "Accuracy",
    "BoardFilters",
    "CardCursor",
    "Column",
    "ForecastMonth",
    "MonthList",
    "ProspectRow",
    "Scope",
    "Totals",
    "all_scope",
    "board_columns",
    "carried_q",
    "column_cards",
    "column_headers",
    "decorate",
    "default_scope",
    "forecast",
    "horizon_counts",
    "listed",
    "month_list",
    "month_list_q",
    "month_list_rows",
    "resolve_scope",
    "round_money",
    "scope_choices",
    "snapshot_accuracy",
    "snapshot_scope",
    "team_scope",
    "user_scope",
    "weight",
    "weighted_expr",
    "won_in_month",
    "yen",
]
