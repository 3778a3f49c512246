from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import audit_views, forms, views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=forms.LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(form_class=forms.PasswordChangeForm),
        name="password_change",
    ),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
]

# Account administration (admins) and Django's own password reset (anyone, from the login page or an
# invitation mail).
urlpatterns += [
    path("users/", views.user_list, name="user_list"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("users/invite/", views.user_invite, name="user_invite"),
    path("users/<int:pk>/password-link/", views.user_password_reset, name="user_password_reset"),
    path("users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/reassign/", views.user_reassign, name="user_reassign"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(form_class=forms.PasswordResetForm),
        name="password_reset",
    ),
    path("password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=forms.SetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
