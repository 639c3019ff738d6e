from django.urls import path

from . import views

urlpatterns = [
    path("groups/<uuid:group_id>/members/<uuid:user_id>/resume-claims/", views.claims_resume, name="claims_resume"),
    path("groups/<uuid:group_id>/needs/new/", views.need_create, name="need_create"),
    path("groups/<uuid:group_id>/offers/new/", views.offer_create, name="offer_create"),
    path("needs/", views.need_list, name="need_list"),
    path("needs/<uuid:need_id>/", views.need_detail, name="need_detail"),
    path("needs/<uuid:need_id>/edit/", views.need_edit, name="need_edit"),
    path("needs/<uuid:need_id>/claim/", views.need_claim, name="need_claim"),
    path("needs/<uuid:need_id>/cancel/", views.need_cancel, name="need_cancel"),
    path("needs/<uuid:need_id>/duplicate/", views.need_duplicate, name="need_duplicate"),
    path("needs/<uuid:need_id>/refer/", views.need_refer, name="need_refer"),
    path("matches/<uuid:match_id>/", views.match_thread, name="match_thread"),
    path("matches/<uuid:match_id>/messages/", views.match_message_post, name="match_message_post"),
    path("matches/<uuid:match_id>/complete/", views.match_complete, name="match_complete"),
    path("matches/<uuid:match_id>/accept/", views.match_accept, name="match_accept"),
    path("matches/<uuid:match_id>/cancel/", views.match_cancel, name="match_cancel"),
    path("offers/<uuid:offer_id>/", views.offer_detail, name="offer_detail"),
    path("offers/<uuid:offer_id>/request/", views.offer_request, name="offer_request"),
    path("offers/<uuid:offer_id>/edit/", views.offer_edit, name="offer_edit"),
    path("offers/<uuid:offer_id>/status/", views.offer_status, name="offer_status"),
    path("me/matches/", views.my_matches, name="my_matches"),
    path("me/posts/", views.my_posts, name="my_posts"),
]
