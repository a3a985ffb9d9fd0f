"""The guidance library: articles written in Markdown and shown safely, searched, versioned, and loaded from
the files shipped in the package (`outreach/content/`).

A leaflet's or poster's file is kept only when its bytes are a PDF, PNG or JPEG, whatever its name or the
browser says, and it is served as an attachment that no browser runs (`FILE_HEADERS`)."""

from __future__ import annotations

import io
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

import markdown
import nh3
from flask import Response, send_file
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from PIL import ImageFile, JpegImagePlugin, PngImagePlugin
from sqlalchemy import ScalarResult, func, or_, select

from . import photos
from .extensions import DbSession
from .models import Contact, Material, MaterialVersion, utcnow

TOPICS = [
    ("program", _l("Desa Binaan and Pimpasa")),
    ("tppo", _l("Trafficking (TPPO)")),
    ("safe_migration", _l("Working abroad safely")),
    ("passports", _l("Passports")),
    ("report", _l("Where to report")),
]
ALLOWED_TAGS = {
    "h2",
    "h3",
    "h4",
    "p",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "blockquote",
    "br",
    "hr",
    "code",
    "abbr",
}
VERSIONED_FIELDS = (
    "slug",
    "kind",
    "topics",
    "published",
    "title_id",
    "title_en",
    "summary_id",
    "summary_en",
    "body_id",
    "body_en",
    "sources",
    "video_url",
    "reviewed_by",
)


# A leaflet's or poster's file: the allowed types and their extension, the bytes each starts with.
FILE_TYPES: dict[str | None, str] = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
SIGNATURES = {b"%PDF-": "application/pdf", b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
IMAGE_FILES: dict[str | None, type[ImageFile.ImageFile]] = {
    "image/png": PngImagePlugin.PngImageFile,
    "image/jpeg": JpegImagePlugin.JpegImageFile,
}
FILE_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox; default-src 'none'"}


@dataclass(frozen=True)
class Acronym:
    """An acronym or short name the articles use, as `content/acronyms.toml` explains it (one definition for
    the articles' markup, the glossary page and the plain-language test)."""

    short: str
    id: str
    en: str
    plain_id: str
    plain_en: str

    def expansion(self, lang: str) -> str:
        return self.en if lang == "en" else self.id

    def plain(self, lang: str) -> str:
        return self.plain_en if lang == "en" else self.plain_id


@dataclass(frozen=True)
class Term:
    """A word that is not an acronym but that a villager may not know, explained in plain words."""

    id: str
    en: str
    plain_id: str
    plain_en: str

    def word(self, lang: str) -> str:
        return self.en if lang == "en" else self.id

    def plain(self, lang: str) -> str:
        return self.plain_en if lang == "en" else self.plain_id


@dataclass(frozen=True)
class Glossary:
    acronyms: list[Acronym]
    terms: list[Term]
    names: list[str]  # words in capitals that are names, not acronyms (WhatsApp)


@cache
def glossary(directory: Path | None = None) -> Glossary:
    data = tomllib.loads(((directory or content_dir()) / "acronyms.toml").read_text(encoding="utf-8"))
    return Glossary(
        acronyms=[Acronym(**entry) for entry in data.get("acronym", [])],
        terms=[Term(**entry) for entry in data.get("term", [])],
        names=list(data.get("names", {}).get("words", [])),
    )


def acronym_pattern(acronyms: list[Acronym]) -> re.Pattern[str]:
    """Any of the acronyms as a word of its own (KTP in e-KTP too, not BP2MI inside KP2MI), longest first."""
    shorts = sorted((re.escape(a.short) for a in acronyms), key=len, reverse=True)
    return re.compile(r"(?<![\w])(" + "|".join(shorts) + r")(?![\w])")


def mark_abbreviations(html: str, lang: str) -> str:
    """Mark each known acronym's first use in the text as an abbreviation, its expansion as the title that a
    screen reader or a pointer shows; the sentence around it explains it in words for everyone else."""
    acronyms = {a.short: a for a in glossary().acronyms}
    if not acronyms:
        return html
    pattern = acronym_pattern(list(acronyms.values()))
    seen: set[str] = set()

    def first_use(match: re.Match[str]) -> str:
        short = match.group(1)
        if short in seen:
            return short
        seen.add(short)
        return f'<abbr title="{escape(acronyms[short].expansion(lang))}">{short}</abbr>'

    parts = re.split(r"(<[^>]*>)", html)
    inside_code = False
    for index, part in enumerate(parts):
        if part.startswith("<"):
            if re.match(r"</?(code|abbr)\b", part):
                inside_code = not part.startswith("</")
        elif not inside_code:
            parts[index] = pattern.sub(first_use, part)
    return "".join(parts)


@lru_cache(maxsize=256)
def render_markdown(text: str, lang: str = "id") -> Markup:
    """Markdown to HTML with only plain text formatting, links and abbreviations: no author's HTML, script or
    style survives. The first use of each acronym the glossary knows is marked up with its expansion in `lang`.
    Kept for the texts made last (the HTML follows from the text and the language alone): making it was half
    of what a villager's article cost the server, each time it was read."""
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        mark_abbreviations(html, lang),
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "abbr": {"title"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
    return Markup(clean)


def published(session: DbSession) -> ScalarResult[Material]:
    return session.scalars(select(Material).where(Material.published.is_(True)).order_by(Material.title_id))


def by_topic(session: DbSession) -> list[tuple[str, object, list[Material]]]:
    """Published materials grouped under the library's topics, in the topics' order, each material once: under
    the first of its own topics (the editor's main one) that the library knows."""
    materials = list(published(session))
    known = {code for code, _ in TOPICS}
    main_topic = {m.id: next((t for t in m.topics or [] if t in known), None) for m in materials}
    groups = []
    for code, label in TOPICS:
        members = [m for m in materials if main_topic[m.id] == code]
        if members:
            groups.append((code, label, members))
    return groups


# How much a query's word found in each part of a material counts, in either language.
SEARCH_WEIGHTS = {"title": 4, "summary": 2, "body": 1}


def search(session: DbSession, query: str) -> list[Material]:
    """Published materials holding the most of the query's words (every word, when any material holds them all;
    a villager's sentence still finds something), in either language, the most relevant first: a word in the
    title counts more than in the summary, which counts more than in the text."""
    words = list(dict.fromkeys(w.casefold() for w in query.split()))[:8]
    if not words:
        return []
    statement = select(Material).where(
        Material.published.is_(True),
        or_(
            *(
                getattr(Material, f"{field}_{lang}").ilike(f"%{word}%")
                for word in words
                for field in SEARCH_WEIGHTS
                for lang in ("id", "en")
            )
        ),
    )
    ranked = []
    for material in session.scalars(statement):
        texts = {
            field: f"{getattr(material, f'{field}_id') or ''}\n{getattr(material, f'{field}_en') or ''}".casefold()
            for field in SEARCH_WEIGHTS
        }
        found = [word for word in words if any(word in text for text in texts.values())]
        score = sum(
            weight for word in found for field, weight in SEARCH_WEIGHTS.items() if word in texts[field]
        )
        if found:
            ranked.append((len(found), score, material))
    most = max((count for count, _, _ in ranked), default=0)
    best = sorted((r for r in ranked if r[0] == most), key=lambda r: (-r[1], r[2].title_id))
    return [material for _, _, material in best]


# A contact the program fills in for its own area (contacts.toml): its Pimpasa, its Kanim, the regency's offices.
PROGRAM_FILLS_IN = "isi-oleh-program"
# A contact whose number FACTS.md found in a single or older source only: the office should check it still works.
SINGLE_SOURCE = "sebagian"
KEY_NATIONAL_HOTLINES = 3  # on the home page and the leaflet; the rest are on /kontak
KEY_LOCAL_NUMBERS = 2


def is_local(contact: Contact) -> bool:
    """Kept by an office, or filled in by the program for its area: what a villager most needs, before the
    national hotlines."""
    return contact.office_id is not None or contact.status == PROGRAM_FILLS_IN


def villagers_contacts(session: DbSession) -> tuple[list[Contact], list[Contact]]:
    """The contacts a villager sees, the local ones then the national ones, each in the office's order. An
    entry not yet filled in is left out: only managers see it, on /kelola/kontak."""
    rows = [
        contact
        for contact in session.scalars(select(Contact).order_by(Contact.sort_order, Contact.name_id))
        if contact.filled
    ]
    return [c for c in rows if is_local(c)], [c for c in rows if not is_local(c)]


def key_numbers(session: DbSession) -> list[Contact]:
    """The numbers for the home page and the leaflet: the first local ones a villager can call or message (the
    Pimpasa, the office, once filled in), then the first national hotlines that two sources confirm (as shipped:
    Polri 110, SAPA 129, KP2MI 0800-1000)."""
    local, national = villagers_contacts(session)
    calls = [c for c in local if c.kind in ("hotline", "whatsapp")][:KEY_LOCAL_NUMBERS]
    hotlines = [c for c in national if c.kind == "hotline" and c.status == "terverifikasi"]
    return calls + hotlines[:KEY_NATIONAL_HOTLINES]


def needs_checking(contact: Contact) -> bool:
    """Whether a villager is told the office has not checked a contact: only a national number that FACTS.md
    has from a single or older source, until the office checks it. Never a number two sources confirm (Polri
    110), nor one the office filled in itself."""
    return contact.verified_on is None and contact.status == SINGLE_SOURCE and not is_local(contact)


def tel_url(number: str) -> str:
    """A `tel:` link: the number's digits, with its + when it has one."""
    return "tel:" + ("+" if number.strip().startswith("+") else "") + re.sub(r"\D", "", number)


def whatsapp_url(number: str) -> str:
    """A link that opens a chat in WhatsApp, which wants the international number's digits: 0811… is 62811…"""
    digits = re.sub(r"\D", "", number)
    return "https://wa.me/" + ("62" + digits[1:] if digits.startswith("0") else digits)


def snapshot(material: Material) -> dict[str, Any]:
    data = {field: getattr(material, field) for field in VERSIONED_FIELDS}
    data["reviewed_on"] = material.reviewed_on.isoformat() if material.reviewed_on else None
    return data


def save(session: DbSession, material: Material, *, by: str) -> MaterialVersion:
    """Keep the material's current content as a new version. The caller commits."""
    if material.id is None:
        session.add(material)
        session.flush()
    else:
        material.version = (material.version or 0) + 1
    material.updated_at = utcnow()
    version = MaterialVersion(
        material_id=material.id, version=material.version, snapshot=snapshot(material), saved_by=by
    )
    session.add(version)
    return version


def signature_type(data: bytes) -> str | None:
    """The allowed type a file's first bytes name, or None: what a stored file is served as."""
    return next((kind for start, kind in SIGNATURES.items() if data.startswith(start)), None)


def file_type(data: bytes) -> str | None:
    """The type of an uploaded file, decided by its bytes alone: a PDF by its header and end-of-file mark, a PNG
    or JPEG by its signature and an image that decodes whole. None for anything else (an HTML page named
    leaflet.pdf, say)."""
    kind = signature_type(data)
    if kind == "application/pdf" and b"%%EOF" not in data[-1024:]:
        return None
    if kind in IMAGE_FILES and not _whole_image(IMAGE_FILES[kind], data):
        return None
    return kind


def _whole_image(image_file: type[ImageFile.ImageFile], data: bytes) -> bool:
    try:
        photos.decoded(image_file, data)
    except photos.PhotoError:
        return False
    return True


def file_name(name: str, kind: str | None, *, default: str) -> str:
    """A file's name to keep and to send in a header: no folders, only letters, digits and `-_.() `, and the
    extension of the type its bytes are (`bin` for none)."""
    stem = PurePosixPath((name or "").replace("\\", "/")).name.rsplit(".", 1)[0]
    stem = re.sub(r"[^\w\-.() ]+", "_", stem).strip(" ._")[:100] or default
    return f"{stem}.{FILE_TYPES.get(kind, 'bin')}"


def keep_file(material: Material, data: bytes, name: str, kind: str) -> None:
    """Attach an uploaded file, of the type `file_type` found its bytes to be, to the material."""
    material.file_data, material.file_type = data, kind
    material.file_name = file_name(name, kind, default=material.slug)


def download(data: bytes, name: str, *, default: str) -> Response:
    """A stored file (a material's, or a proposal's) as a download of the type its bytes are (unknown bytes,
    kept before they were checked, as application/octet-stream), named `name` (`default`, the material's slug,
    when nothing is left of it), with FILE_HEADERS: no browser runs it as a page of this site."""
    kind = signature_type(data)
    response = send_file(
        io.BytesIO(data),
        mimetype=kind or "application/octet-stream",
        as_attachment=True,
        download_name=file_name(name, kind, default=default),
    )
    response.headers.update(FILE_HEADERS)
    return response


def restore(session: DbSession, material: Material, version: MaterialVersion, *, by: str) -> MaterialVersion:
    """Bring back an earlier version's content, as a new version (history is never rewritten)."""
    apply_snapshot(material, version.snapshot)
    return save(session, material, by=by)


def apply_snapshot(material: Material, data: Mapping[str, Any]) -> None:
    """Give the material the content a snapshot holds (an earlier version's, or a proposal's)."""
    for field in VERSIONED_FIELDS:
        setattr(material, field, data[field])
    reviewed = data.get("reviewed_on")
    material.reviewed_on = date.fromisoformat(reviewed) if reviewed else None


def versions(session: DbSession, material: Material) -> list[MaterialVersion]:
    return list(
        session.scalars(
            select(MaterialVersion)
            .where(MaterialVersion.material_id == material.id)
            .order_by(MaterialVersion.version.desc())
        )
    )


@dataclass(frozen=True)
class Article:
    slug: str
    meta: dict[str, Any]
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


def _sources(indonesian: Article, english: Article | None) -> list[dict[str, Any]]:
    """The Indonesian article's sources, each with the English wording of its fact when there is one."""
    sources = [dict(entry) for entry in indonesian.meta.get("sources", [])]
    for entry, translated in zip(sources, english.meta.get("sources", []) if english else [], strict=False):
        entry["fact_en"] = translated.get("fact", "")
    return sources


def _edited_by_people(session: DbSession, material: Material, loader: str) -> bool:
    latest = session.scalar(
        select(MaterialVersion.saved_by)
        .where(MaterialVersion.material_id == material.id)
        .order_by(MaterialVersion.version.desc())
        .limit(1)
    )
    return latest is not None and latest != loader


def review(session: DbSession, material: Material, *, by: str, on: date) -> MaterialVersion:
    """The office has read the material and stands behind it: reviewed by `by` on `on`, and published. The
    caller commits."""
    material.reviewed_on, material.reviewed_by, material.published = on, by, True
    return save(session, material, by=by)


def shipped_examples(session: DbSession) -> int:
    """How many published articles are still the demo's examples: loaded by the demo, never reviewed."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Material)
            .join(
                MaterialVersion,
                (MaterialVersion.material_id == Material.id) & (MaterialVersion.version == Material.version),
            )
            .where(
                Material.published.is_(True),
                Material.reviewed_on.is_(None),
                MaterialVersion.saved_by == EXAMPLES,
            )
        )
        or 0
    )


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
    cited = [
        (article.slug, entry["source"]) for article in articles for entry in article.meta.get("sources", [])
    ]
    missing = [(slug, source) for slug, source in cited if source.rstrip(".") not in facts]
    return SourceCheck(articles=len(articles), sources=len(cited), missing=missing)


# Who loaded the articles the demo publishes unreviewed: the about page says they are examples.
EXAMPLES = "demo"


def load(
    session: DbSession,
    directory: Path | None = None,
    *,
    by: str = "content files",
    publish: bool = False,
) -> LoadReport:
    """Create or update the articles and add the contacts shipped in `directory`. A new article arrives as a
    draft that an office reviews and publishes (`review`), unless `publish` (the demo's examples). A second
    load changes nothing, and neither overwrites what the office has edited or reviewed. The caller commits."""
    directory = directory or content_dir()
    report = LoadReport()
    for path in sorted((directory / "articles").glob("*.id.md")):
        indonesian = read_article(path)
        english_path = path.with_name(f"{indonesian.slug}.en.md")
        english = read_article(english_path) if english_path.exists() else None
        material = session.scalar(select(Material).where(Material.slug == indonesian.slug))
        fields = {
            "kind": "article",
            "topics": indonesian.meta.get("topics", []),
            "title_id": indonesian.meta["title"],
            "summary_id": indonesian.meta.get("summary", ""),
            "body_id": indonesian.body,
            "sources": _sources(indonesian, english),
            "title_en": english.meta["title"] if english else "",
            "summary_en": english.meta.get("summary", "") if english else "",
            "body_en": english.body if english else "",
        }
        if material is None:
            material = Material(slug=indonesian.slug, published=publish, version=1, **fields)
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
        for order, entry in enumerate(
            tomllib.loads(contacts_file.read_text(encoding="utf-8")).get("contact", [])
        ):
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
