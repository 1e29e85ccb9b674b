"""Accounts, as chief editors manage them: only the newsroom's two roles can be granted."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User

from tracker.core.services.roles import CHIEF_EDITOR, EDITOR


class NewsroomUserAdmin(UserAdmin):
    """Django's user admin; a chief editor who is not a superuser cannot raise anyone above
    主編: no superuser flag, no single permissions, no other groups, no superuser accounts."""

    def get_queryset(self, request):
        users = super().get_queryset(request)
        if not request.user.is_superuser:
            users = users.filter(is_superuser=False)
        return users

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ("is_superuser", "user_permissions", "last_login", "date_joined")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=(EDITOR, CHIEF_EDITOR))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


admin.site.unregister(User)
admin.site.register(User, NewsroomUserAdmin)
