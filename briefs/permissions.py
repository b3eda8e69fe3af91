"""Who may put a brief live: the permission rule behind every admin route.

Briefs go live only through the "Brief review" workflow (evidence check, peer review,
editorial sign-off; ``review``). Wagtail's views and actions (create, edit, revert, bulk
publish, copy, alias, ``PublishPageRevisionAction``) all ask the page's permission tester
before they publish, so the rule lives here rather than in each view:

- ``can_publish()`` on a brief is true for superusers only: an administrator's direct
  publication still passes the evidence check (``review.wagtail_hooks``). Editors publish by
  approving the sign-off; the workflow's finishing action publishes on their behalf.
- ``can_publish_subpage()`` on the brief index follows the same rule, so only an
  administrator may create and publish in one go (the new page is saved as a draft first, see
  ``BriefPage.save``, then published through the checked action). Copies of briefs are never
  published with the copy (``review.wagtail_hooks.gate_copy_and_publish``).

What editors may still do with the "publish" group permission (unpublish, schedule and
unschedule through the workflow, privacy, reordering) is unchanged: none of it puts unchecked
content live."""

from wagtail.models import PagePermissionTester


class BriefPermissionTester(PagePermissionTester):
    def can_publish(self):
        return self.user.is_superuser and super().can_publish()

    def can_manage_publication(self):
        """The group's "publish" permission (editors): act on what is already published or
        scheduled (unschedule, privacy, regenerate the PDF), none of which puts content live."""
        return super().can_publish()

    def can_unschedule(self):
        return self.can_manage_publication()

    def can_set_view_restrictions(self):
        return self.can_manage_publication()  # privacy only takes a brief out of public view


class BriefIndexPermissionTester(PagePermissionTester):
    def can_publish_subpage(self):
        return self.user.is_superuser and super().can_publish_subpage()
