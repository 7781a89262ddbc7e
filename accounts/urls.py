from django.urls import path

from . import oidc, views, views_auth

app_name = "accounts"

urlpatterns = [
    path("settings/users/", views.users_index, name="users"),
    path("settings/users/<int:pk>/role/", views.user_role_view, name="user_role"),
    path("settings/users/<int:pk>/active/", views.user_active_view, name="user_active"),
    path("settings/users/<int:pk>/unlock/", views.user_unlock_view, name="user_unlock"),
    path("settings/users/invitations/<int:pk>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
    path("settings/users/invitations/<int:pk>/resend/", views.invitation_resend_view, name="invitation_resend"),
    path("settings/users/sign-in-policy/", views.access_policy_view, name="access_policy"),
    path("invitations/<str:token>/", views_auth.invitation_accept_view, name="invitation_accept"),
    path("oidc/authenticate/", oidc.SsoLoginView.as_view(), name="sso_login"),
    path("oidc/callback/", oidc.SsoCallbackView.as_view(), name="sso_callback"),
]
