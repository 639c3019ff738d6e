from django.contrib.auth import views as auth_views
from django.urls import path

from .views import account as views
from .views import pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("map/", pages.map_page, name="map"),
    path("groups/<uuid:group_id>/", pages.group_detail, name="group_detail"),
    path("groups/<uuid:group_id>/board/", pages.group_board, name="group_board"),
    path("groups/<uuid:group_id>/leave/", pages.group_leave, name="group_leave"),
    path("account/data/", views.account_export, name="account_export"),
    path("account/delete/", views.account_delete, name="account_delete"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("account/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("account/password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("account/password/reset/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("account/tokens/", views.token_list, name="account_tokens"),
    path("account/tokens/<uuid:token_id>/revoke/", views.token_revoke, name="account_token_revoke"),
]
