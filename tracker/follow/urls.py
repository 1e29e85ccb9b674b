"""The follow feature's addresses (under /follow/, in Chinese and under /en/)."""

from django.urls import path

from tracker.follow import views

app_name = "follow"

urlpatterns = [
    path("", views.follow_new, name="new"),
    path("sent/", views.follow_sent, name="sent"),
    path("confirm/<str:token>/", views.follow_confirm, name="confirm"),
    path("manage/<str:token>/", views.follow_manage, name="manage"),
    path("unsubscribe/<str:token>/", views.follow_unsubscribe, name="unsubscribe"),
    path("unsubscribed/", views.follow_unsubscribed, name="unsubscribed"),
]
