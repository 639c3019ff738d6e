from django.urls import path

from . import views

urlpatterns = [
    path("me/suggestions/", views.my_suggestions, name="my_suggestions"),
    path("me/suggestions/accept/", views.suggestion_accept, name="suggestion_accept"),
    path("me/suggestions/decline/", views.suggestion_decline, name="suggestion_decline"),
    path("groups/<uuid:group_id>/allocation/", views.group_allocation, name="group_allocation"),
    path("groups/<uuid:group_id>/allocation/work-out/", views.group_allocation_work_out,
         name="group_allocation_work_out"),
    path("groups/<uuid:group_id>/allocation/send/", views.group_allocation_send, name="group_allocation_send"),
    path("allocation/", views.network_allocation, name="network_allocation"),
    path("allocation/work-out/", views.network_allocation_work_out, name="network_allocation_work_out"),
]
