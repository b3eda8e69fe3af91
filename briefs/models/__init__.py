from .listings import BriefIndexPage, HomePage
from .pages import BriefAuthor, BriefPage

__all__ = ["BriefAuthor", "BriefIndexPage", "BriefPage", "HomePage"]
