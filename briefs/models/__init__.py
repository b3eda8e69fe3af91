from .listings import BriefIndexPage, HomePage
from .pages import BriefAuthor, BriefPage
from .versions import BriefVersion, BriefWithdrawal, NoticeType, RevisionNotice

__all__ = [
    "BriefAuthor",
    "BriefIndexPage",
    "BriefPage",
    "BriefVersion",
    "BriefWithdrawal",
    "HomePage",
    "NoticeType",
    "RevisionNotice",
]
