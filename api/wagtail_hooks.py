"""Admin → Settings → API tokens (the views are in api/tokens.py), for administrators only."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .tokens import index, revoke


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path(
            "api-tokens/",
            (
                [
                    path("", index, name="index"),
                    path("<int:user_id>/revoke/", revoke, name="revoke"),
                ],
                "api_tokens",
                "api_tokens",
            ),
        )
    ]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def register_menu_item():
    return SuperuserMenuItem("API tokens", reverse("api_tokens:index"), icon_name="key", order=900)
