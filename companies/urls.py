from django.urls import path

from companies import views

app_name = "companies"

urlpatterns = [
    path("", views.company_list, name="list"),
    path("search/", views.search_view, name="search"),
    path("<int:pk>/", views.company_detail, name="detail"),
    path("<int:pk>/merge/", views.company_merge_view, name="merge"),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/merge/", views.contact_merge_view, name="contact_merge"),
]
