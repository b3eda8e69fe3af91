from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo content (the data files of this folder) and `manage.py load_demo`, which loads
    it through the domain apps' services. No domain app imports this one."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
    verbose_name = "Demo content"
