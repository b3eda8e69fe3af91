from .pages import BriefAuthor, BriefIndexPage, BriefPage, HomePage

__all__ = ["BriefAuthor", "BriefIndexPage", "BriefPage", "HomePage"]
