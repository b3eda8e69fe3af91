"""Demo content for the source library: the taxonomy, the two corpus papers and the demo
accounts. Everything here is idempotent: running it twice changes nothing."""

import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from sources import services
from sources.models import Source, SourceAuthor
from taxonomy.models import Country, Topic

CORPUS_DIR = Path(settings.BASE_DIR) / "demo" / "corpus"

COUNTRIES = [
    ("Kazakhstan", "KZ", "Central Asia's largest economy, on a key overland Belt and Road route."),
    ("China", "CN", "The People's Republic of China."),
    ("United States", "US", "The United States of America."),
]
TOPICS = [
    ("Digital trade", "Cross-border data flows, e-commerce rules and digital services."),
    ("Soft power", "Attraction and persuasion: culture, education, media and diplomacy."),
    ("Belt and Road Initiative", "China's programme of infrastructure and connectivity."),
    ("Foreign investment", "Joint ventures, FDI and the expectations around them."),
    ("Environment and water", "Transboundary rivers and environmental impacts."),
    ("Security and extremism", "Counter-terrorism, Xinjiang and regional security."),
]

SOURCES = [
    {
        "file": "chinas-image-in-kazakhstan.pdf",
        "title": "China's Image in Kazakhstan",
        "publication_date": datetime.date(2019, 2, 1),
        "date_precision": Source.DatePrecision.MONTH,
        "document_type": Source.DocumentType.REPORT,
        "abstract": (
            "China's image and soft power in Kazakhstan: the economic agenda (joint ventures, "
            "agriculture, the Khorgos transport hub, expectations of Chinese FDI), Chinese soft "
            "power (scholarships, Confucius Institutes, entertainment, tourism), thorny issues "
            "(the Xinjiang camps, the environment, extremism) and an assessment."
        ),
        "authors": [
            ("Davarinou, Polyxeni", SourceAuthor.Role.EDITOR),
            ("Cocali, Ilia", SourceAuthor.Role.AUTHOR),
            ("Saouach, Michael", SourceAuthor.Role.AUTHOR),
            ("Hutras, Wills, II", SourceAuthor.Role.AUTHOR),
        ],
        "countries": ["KZ", "CN"],
        "topics": [
            "soft-power",
            "belt-and-road-initiative",
            "foreign-investment",
            "environment-and-water",
            "security-and-extremism",
        ],
    },
    {
        "file": "china-soft-power-digital-trade.pdf",
        "title": "China's Soft Power and Digital Trade",
        "subtitle": "Working title: the paper carries none",
        "publication_date": datetime.date(2021, 1, 1),
        "date_precision": Source.DatePrecision.YEAR,
        "document_type": Source.DocumentType.PAPER,
        "abstract": (
            "China's domestic restrictiveness on digital trade against its international "
            "liberalisation, the Digital Silk Road, 5G and Huawei, the e-commerce chapters of "
            "RCEP and the CPTPP, the film industry, and policy recommendations for China and for "
            "the United States. Undated; it cites the signing of RCEP on 15 November 2020."
        ),
        "authors": [],
        "countries": ["CN", "US"],
        "topics": ["digital-trade", "soft-power"],
    },
]

# Demo accounts: username → (password, group, superuser). The README prints them.
ACCOUNTS = {
    "analyst": ("analyst-demo-2026", "Analysts", False),
    "reviewer": ("reviewer-demo-2026", "Reviewers", False),
    "editor": ("editor-demo-2026", "Editors", False),
    "admin": ("admin-demo-2026", "Administrators", True),
}


def load_taxonomy():
    for name, code, description in COUNTRIES:
        Country.objects.update_or_create(
            iso_code=code, defaults={"name": name, "description": description}
        )
    for name, description in TOPICS:
        Topic.objects.get_or_create(name=name, defaults={"description": description})


def load_sources(log=print):
    """Add the corpus papers (ingested in the foreground, so they are ready at once)."""
    loaded = []
    for spec in SOURCES:
        path = CORPUS_DIR / spec["file"]
        with path.open("rb") as fileobj:
            sha256 = services.sha256_of(fileobj)
        source = Source.objects.filter(file_sha256=sha256).first()
        fields = {
            k: v for k, v in spec.items() if k not in {"file", "authors", "countries", "topics"}
        }
        if source is None:
            source = services.create_source_from_path(path, **fields)
            log(f"Added source “{source.title}”")
        else:
            Source.objects.filter(pk=source.pk).update(**fields)
        source.authors.all().delete()
        for order, (name, role) in enumerate(spec["authors"]):
            SourceAuthor.objects.create(source=source, name=name, role=role, sort_order=order)
        source.countries.set(Country.objects.filter(iso_code__in=spec["countries"]))
        source.topics.set(Topic.objects.filter(slug__in=spec["topics"]))
        source.save()  # ParentalManyToManyField changes are written on save
        if not source.is_ready:
            source = services.ingest_source(source.pk)
            log(f"Ingested “{source.title}”: {source.status_message or source.error}")
        loaded.append(source)
    return loaded


def load_accounts(log=print):
    """The demo users, put into the groups that review/migrations/0002 creates with their
    permissions."""
    User = get_user_model()
    for username, (password, group_name, is_superuser) in ACCOUNTS.items():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@briefdesk.example",
                "first_name": username.capitalize(),
                "last_name": "Demo",
            },
        )
        if created:
            user.set_password(password)
        user.is_staff = is_superuser
        user.is_superuser = is_superuser
        user.save()
        user.groups.add(Group.objects.get(name=group_name))
        if created:
            log(f"Created demo account {username}")
