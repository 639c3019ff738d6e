from django.urls import path

from . import views

# The home page ("/") and a group's own page ("/groups/<uuid>/") are the front's: they show other apps' parts.
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("settings/", views.settings_page, name="settings"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<uuid:group_id>/join/", views.group_join, name="group_join"),
    path("groups/<uuid:group_id>/apply/", views.group_apply, name="group_apply"),
    path("groups/<uuid:group_id>/members/", views.group_members, name="group_members"),
    path("groups/<uuid:group_id>/members/<uuid:user_id>/trust/", views.member_trust, name="member_trust"),
    path("groups/<uuid:group_id>/applications/", views.group_applications, name="group_applications"),
    path("applications/<uuid:application_id>/decide/", views.application_decide, name="application_decide"),
    path("notifications/", views.notifications, name="notifications"),
    path("groups/<uuid:group_id>/areas/", views.group_areas, name="group_areas"),
    path("areas/<uuid:area_id>/edit/", views.area_edit, name="area_edit"),
    path("areas/<uuid:area_id>/remove/", views.area_remove, name="area_remove"),
    path("groups/<uuid:group_id>/members/<uuid:user_id>/suspend/", views.member_suspend, name="member_suspend"),
    path("suspensions/<uuid:suspension_id>/confirm/", views.suspension_confirm, name="suspension_confirm"),
]
