"""The editorial groups with their permissions, and the "Brief review" workflow on the brief
index (evidence check → peer review → editorial sign-off).

Idempotent: groups and the workflow are looked up by name, permissions only added. The demo
accounts (demo.sources.load_accounts) are put into these groups; they create none."""

from django.db import migrations

# Model permissions per group ("app_label.codename").
GROUP_PERMISSIONS = {
    "Analysts": [
        "wagtailadmin.access_admin",
        "sources.add_source",
        "sources.change_source",
        "sources.view_source",
        "evidence.add_evidence",
        "evidence.change_evidence",
        "evidence.view_evidence",
        "taxonomy.view_country",
        "taxonomy.view_topic",
    ],
    "Reviewers": [
        "wagtailadmin.access_admin",
        "sources.view_source",
        "evidence.view_evidence",
        "taxonomy.view_country",
        "taxonomy.view_topic",
    ],
    "Editors": [
        "wagtailadmin.access_admin",
        "sources.add_source",
        "sources.change_source",
        "sources.view_source",
        "evidence.add_evidence",
        "evidence.change_evidence",
        "evidence.view_evidence",
        "taxonomy.add_country",
        "taxonomy.change_country",
        "taxonomy.view_country",
        "taxonomy.add_topic",
        "taxonomy.change_topic",
        "taxonomy.view_topic",
    ],
    # Administrators get every model permission (see below).
    "Administrators": [],
}
# Page permissions ("add", "change", "publish", "lock", "unlock", "bulk_delete") and where.
# Analysts write briefs but never publish; reviewers act through their workflow task only (it
# opens the editor to them while a brief waits for peer review); editors publish, unpublish
# and schedule.
PAGE_PERMISSIONS = {
    "Analysts": ("briefs", ["add", "change"]),
    "Editors": ("home", ["add", "change", "publish", "lock", "unlock"]),
    "Administrators": ("home", ["add", "change", "publish", "lock", "unlock", "bulk_delete"]),
}
# Images and documents (cover images, attachments) in the root collection.
COLLECTION_PERMISSIONS = {
    "Analysts": ["add_image", "change_image", "choose_image", "add_document", "choose_document"],
    "Editors": [
        "add_image",
        "change_image",
        "choose_image",
        "add_document",
        "change_document",
        "choose_document",
    ],
    "Administrators": [
        "add_image",
        "change_image",
        "delete_image",
        "choose_image",
        "add_document",
        "change_document",
        "delete_document",
        "choose_document",
    ],
}

WORKFLOW_NAME = "Brief review"


def _ensure_permissions(apps):
    """Model permissions are normally created after `migrate`; create them now."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True  # create_permissions skips None
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = original


def _task(apps, model_name, name, **fields):
    ContentType = apps.get_model("contenttypes.ContentType")
    Model = apps.get_model("review", model_name)
    content_type, _ = ContentType.objects.get_or_create(
        app_label="review", model=model_name.lower()
    )
    task = Model.objects.filter(name=name).first()
    if task is None:
        task = Model.objects.create(name=name, content_type=content_type, active=True, **fields)
    return task


def forwards(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    Page = apps.get_model("wagtailcore.Page")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    Collection = apps.get_model("wagtailcore.Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore.WorkflowPage")

    # Wagtail's initial data has a "Moderators" group and a "Moderators approval" workflow on
    # the root page; our four roles replace them (left alone when someone uses them).
    moderators = Group.objects.filter(name="Moderators", user__isnull=True).first()
    if moderators is not None:
        GroupPagePermission.objects.filter(group=moderators).delete()
        GroupCollectionPermission.objects.filter(group=moderators).delete()
        moderators.delete()
    default = Workflow.objects.filter(name="Moderators approval").first()
    if default is not None and not apps.get_model(
        "wagtailcore.WorkflowState"
    ).objects.filter(workflow=default).exists():
        tasks = [wt.task_id for wt in WorkflowTask.objects.filter(workflow=default)]
        default.delete()
        apps.get_model("wagtailcore.Task").objects.filter(
            pk__in=tasks, workflow_tasks__isnull=True
        ).delete()

    groups = {name: Group.objects.get_or_create(name=name)[0] for name in GROUP_PERMISSIONS}
    for name, dotted in GROUP_PERMISSIONS.items():
        perms = []
        for item in dotted:
            app_label, codename = item.split(".")
            perms.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        groups[name].permissions.add(*perms)
    groups["Administrators"].permissions.add(*Permission.objects.all())

    home = Page.objects.filter(depth=2, slug="home").order_by("path").first()
    index = (
        Page.objects.filter(depth=3, slug="briefs", path__startswith=home.path).first()
        if home
        else None
    )
    pages = {"home": home, "briefs": index}
    for name, (where, kinds) in PAGE_PERMISSIONS.items():
        page = pages[where]
        if page is None:
            continue
        for kind in kinds:
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=f"{kind}_page"
            )
            GroupPagePermission.objects.get_or_create(
                group=groups[name], page=page, permission=permission
            )

    root_collection = Collection.objects.filter(depth=1).first()
    if root_collection is not None:
        for name, codenames in COLLECTION_PERMISSIONS.items():
            for codename in codenames:
                app_label = "wagtailimages" if codename.endswith("_image") else "wagtaildocs"
                permission = Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
                GroupCollectionPermission.objects.get_or_create(
                    group=groups[name], collection=root_collection, permission=permission
                )

    # The workflow --------------------------------------------------------------------------
    check = _task(apps, "EvidenceCheckTask", "Evidence check")
    peer = _task(apps, "PeerReviewTask", "Peer review", required_approvals=1)
    peer.groups.add(groups["Reviewers"])
    sign_off = _task(apps, "EditorialSignOffTask", "Editorial sign-off")
    sign_off.groups.add(groups["Editors"])

    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
        for order, task in enumerate([check, peer, sign_off]):
            WorkflowTask.objects.create(workflow=workflow, task_id=task.pk, sort_order=order)
    if index is not None:
        WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})


def backwards(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore.Workflow")
    Workflow.objects.filter(name=WORKFLOW_NAME).delete()
    for model_name in ("EvidenceCheckTask", "PeerReviewTask", "EditorialSignOffTask"):
        apps.get_model("review", model_name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0001_initial"),
        ("briefs", "0002_site_tree"),
        ("sources", "0001_initial"),
        ("evidence", "0001_initial"),
        ("taxonomy", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
