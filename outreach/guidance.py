"""The guidance library: articles written in Markdown and shown safely, searched, versioned, and loaded from
the files shipped in the package (`outreach/content/`)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

import markdown
import nh3
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .models import Contact, Material, MaterialVersion, utcnow

TOPICS = [
    ("program", _l("Desa Binaan and Pimpasa")),
    ("tppo", _l("Trafficking (TPPO)")),
    ("safe_migration", _l("Working abroad safely")),
    ("passports", _l("Passports")),
    ("report", _l("Where to report")),
]
ALLOWED_TAGS = {"h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "a", "blockquote", "br", "hr", "code"}
VERSIONED_FIELDS = (
    "slug", "kind", "topics", "published", "title_id", "title_en", "summary_id", "summary_en", "body_id",
    "body_en", "sources", "video_url", "reviewed_by",
)


def render_markdown(text: str) -> Markup:
    """Markdown to HTML with only plain text formatting and links: no author's HTML, script or style survives."""
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto", "tel"}, link_rel="noopener noreferrer",
    )
    return Markup(clean)


def published(session: Session):
    return session.scalars(select(Material).where(Material.published.is_(True)).order_by(Material.title_id))


def by_topic(session: Session) -> list[tuple[str, object, list[Material]]]:
    """Published materials grouped under the library's topics, in the topics' order."""
    materials = list(published(session))
    groups = []
    for code, label in TOPICS:
        members = [m for m in materials if code in (m.topics or [])]
        if members:
            groups.append((code, label, members))
    return groups


def search(session: Session, query: str) -> list[Material]:
    """Published materials whose title, summary or text contains every word of the query, in either language."""
    words = [w for w in query.split() if w][:8]
    statement = select(Material).where(Material.published.is_(True))
    for word in words:
        pattern = f"%{word}%"
        statement = statement.where(
            or_(*(getattr(Material, f"{field}_{lang}").ilike(pattern)
                  for field in ("title", "summary", "body") for lang in ("id", "en")))
        )
    return list(session.scalars(statement.order_by(Material.title_id)))


def snapshot(material: Material) -> dict:
    data = {field: getattr(material, field) for field in VERSIONED_FIELDS}
    data["reviewed_on"] = material.reviewed_on.isoformat() if material.reviewed_on else None
    return data


def save(session: Session, material: Material, *, by: str) -> MaterialVersion:
    """Keep the material's current content as a new version. The caller commits."""
    if material.id is None:
        session.add(material)
        session.flush()
    else:
        material.version = (material.version or 0) + 1
    material.updated_at = utcnow()
    version = MaterialVersion(material_id=material.id, version=material.version, snapshot=snapshot(material), saved_by=by)
    session.add(version)
    return version


def restore(session: Session, material: Material, version: MaterialVersion, *, by: str) -> MaterialVersion:
    """Bring back an earlier version's content, as a new version (history is never rewritten)."""
    for field in VERSIONED_FIELDS:
        setattr(material, field, version.snapshot[field])
    reviewed = version.snapshot.get("reviewed_on")
    material.reviewed_on = date.fromisoformat(reviewed) if reviewed else None
    return save(session, material, by=by)


def versions(session: Session, material: Material) -> list[MaterialVersion]:
    return list(session.scalars(
        select(MaterialVersion).where(MaterialVersion.material_id == material.id).order_by(MaterialVersion.version.desc())
    ))


@dataclass(frozen=True)
class Article:
    slug: str
    meta: dict
    body: str


def read_article(path: Path) -> Article:
    """Read `<slug>.<lang>.md`: TOML front matter between `+++` lines, then the Markdown body."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("+++\n", 2)
    return Article(slug=path.name.split(".")[0], meta=tomllib.loads(front), body=body.strip() + "\n")


@dataclass
class LoadReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    contacts: int = 0


def _sources(indonesian: Article, english: Article | None) -> list[dict]:
    """The Indonesian article's sources, each with the English wording of its fact when there is one."""
    sources = [dict(entry) for entry in indonesian.meta.get("sources", [])]
    for entry, translated in zip(sources, english.meta.get("sources", []) if english else []):
        entry["fact_en"] = translated.get("fact", "")
    return sources


def _edited_by_people(session: Session, material: Material, loader: str) -> bool:
    latest = session.scalar(
        select(MaterialVersion.saved_by).where(MaterialVersion.material_id == material.id)
        .order_by(MaterialVersion.version.desc()).limit(1)
    )
    return latest is not None and latest != loader


def content_dir() -> Path:
    return Path(str(resources.files("outreach").joinpath("content")))


@dataclass(frozen=True)
class SourceCheck:
    articles: int
    sources: int
    missing: list[tuple[str, str]]  # (article slug, source) of each source the facts file does not name


def check_sources(facts: str, directory: Path | None = None) -> SourceCheck:
    """Find the sources cited by the shipped articles that the facts file (FACTS.md, the program's checked
    facts) does not name word for word: an editor who adds or rewords a source sees it before it ships."""
    directory = directory or content_dir()
    articles = [read_article(path) for path in sorted((directory / "articles").glob("*.id.md"))]
    cited = [(article.slug, entry["source"]) for article in articles for entry in article.meta.get("sources", [])]
    missing = [(slug, source) for slug, source in cited if source.rstrip(".") not in facts]
    return SourceCheck(articles=len(articles), sources=len(cited), missing=missing)


def load(session: Session, directory: Path | None = None, *, by: str = "content files") -> LoadReport:
    """Create or update the articles and add the contacts shipped in `directory`. A second load changes
    nothing, and neither overwrites what the office has edited. The caller commits."""
    directory = directory or content_dir()
    report = LoadReport()
    for path in sorted((directory / "articles").glob("*.id.md")):
        indonesian = read_article(path)
        english_path = path.with_name(f"{indonesian.slug}.en.md")
        english = read_article(english_path) if english_path.exists() else None
        material = session.scalar(select(Material).where(Material.slug == indonesian.slug))
        fields = {
            "kind": "article", "topics": indonesian.meta.get("topics", []),
            "title_id": indonesian.meta["title"], "summary_id": indonesian.meta.get("summary", ""),
            "body_id": indonesian.body, "sources": _sources(indonesian, english),
            "title_en": english.meta["title"] if english else "", "summary_en": english.meta.get("summary", "") if english else "",
            "body_en": english.body if english else "",
        }
        if material is None:
            material = Material(slug=indonesian.slug, published=True, version=1, **fields)
            save(session, material, by=by)
            report.added += 1
        elif _edited_by_people(session, material, by):
            report.unchanged += 1  # the office's own edits win over the shipped text
        elif any(getattr(material, key) != value for key, value in fields.items()):
            for key, value in fields.items():
                setattr(material, key, value)
            save(session, material, by=by)
            report.updated += 1
        else:
            report.unchanged += 1
    contacts_file = directory / "contacts.toml"
    if contacts_file.exists():
        for order, entry in enumerate(tomllib.loads(contacts_file.read_text(encoding="utf-8")).get("contact", [])):
            contact = session.scalar(select(Contact).where(Contact.key == entry["key"]))
            if contact is None:
                contact = Contact(key=entry["key"])
                session.add(contact)
                for key, value in entry.items():
                    if hasattr(Contact, key) and key != "key":
                        setattr(contact, key, value)
                contact.sort_order = order
                report.contacts += 1
    return report
