from django.urls import path

from inbound import public, views
from inbound.embed import embed_js

app_name = "inbound"
urlpatterns = [
    path("forms/", views.form_list, name="forms"),
    path("forms/new/", views.form_edit, name="form_create"),
    path("forms/<str:pk>/", views.form_detail, name="form_detail"),
    path("forms/<str:pk>/edit/", views.form_edit, name="form_edit"),
    # Public: no login (inbound.guard).
    path("f/<str:key>/", public.public_form, name="public_form"),
    path("f/<str:key>/token/", public.public_token, name="public_token"),
    path("f/<str:key>/submit/", public.public_submit, name="public_submit"),
    path("embed.js", embed_js, name="embed_js"),
]
