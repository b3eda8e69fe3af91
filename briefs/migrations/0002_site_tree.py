"""Create the site tree: the home page at the root of the default site (replacing Wagtail's
welcome page) and the brief index at /briefs/. As in Wagtail's project template."""

from django.db import migrations


def create_site_tree(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("briefs.HomePage")
    BriefIndexPage = apps.get_model("briefs.BriefIndexPage")

    if HomePage.objects.exists():
        return
    locale = Locale.objects.order_by("pk").first()
    if locale is None:
        locale = Locale.objects.create(language_code="en")
    # Wagtail's initial migration makes a "Welcome to your new Wagtail site!" page at /home/.
    Page.objects.filter(depth=2, slug="home", title__startswith="Welcome").delete()
    root = Page.objects.get(depth=1)
    siblings = Page.objects.filter(depth=2).count()
    home_ct, _ = ContentType.objects.get_or_create(model="homepage", app_label="briefs")
    index_ct, _ = ContentType.objects.get_or_create(model="briefindexpage", app_label="briefs")
    home_path = root.path + f"{siblings + 1:04d}"
    home = HomePage.objects.create(
        title="Briefdesk",
        draft_title="Briefdesk",
        slug="home",
        content_type=home_ct,
        path=home_path,
        depth=2,
        numchild=1,
        url_path="/home/",
        locale=locale,
        live=True,
        intro="Policy briefs in which every claim leads to an exact quote in its source.",
    )
    BriefIndexPage.objects.create(
        title="Briefs",
        draft_title="Briefs",
        slug="briefs",
        content_type=index_ct,
        path=home_path + "0001",
        depth=3,
        numchild=0,
        url_path="/home/briefs/",
        locale=locale,
        live=True,
        intro="Country and topic briefs, newest first.",
    )
    root.numchild = siblings + 1
    root.save(update_fields=["numchild"])
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(hostname="localhost", root_page_id=home.pk, is_default_site=True,
                        site_name="Briefdesk")


class Migration(migrations.Migration):
    dependencies = [
        ("briefs", "0001_initial"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_site_tree, migrations.RunPython.noop)]
