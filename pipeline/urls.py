from django.urls import path

from pipeline import views

app_name = "pipeline"
urlpatterns = [
    path("", views.board, name="board"),
    path("cards/more/", views.column_cards, name="column_cards"),
    path("cards/<int:pk>/move/", views.board_move, name="move"),
    path("cards/<int:pk>/edit/", views.card_edit, name="card_edit"),
    path("month/", views.month_list, name="month_list"),
    path("snapshots/", views.snapshot_create, name="snapshot_create"),
    path("snapshots/<int:pk>/", views.snapshot_detail, name="snapshot"),
    path("forecast/", views.forecast, name="forecast"),
    path("rank-bands/", views.rank_bands, name="rank_bands"),
]
