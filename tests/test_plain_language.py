"""The shipped guidance reads plainly at the first reading (issue 14): short sentences, every acronym explained
in words where a page first uses it (from the list kept in outreach/content/acronyms.toml), summaries that
say what the reader can do, no wording that reads the money message backwards, sources that link only to the
pages the facts file names."""

import html
import re

import markdown
import pytest
from sqlalchemy import select

from outreach import guidance
from outreach.extensions import db
from outreach.models import Material

ARTICLES = sorted((guidance.content_dir() / "articles").glob("*.md"))
LONGEST = 20  # words in a sentence
AVERAGE = 12  # words per sentence, at most on average in an article
# Wording that misleads or hurts a reader, each found once in the shipped articles before issue 14.
MISLEADING = [
    "tidak ditanggung PMI",  # reads "not covered"; the fact is "not charged to the worker"
    "biaya pendaftaran kepada perorangan",  # as if paying a company were fine
    "Anda akan tahu",  # the summaries' calque
    "You will know",
    "Desa Anda adalah Desa Binaan",  # not every reader's village is one
    "Pastikan nomor ini masih aktif",  # a check for the office, not the reader
    "Know Human Trafficking",
    "special job fair",
]


def article_id(path):
    return path.name.removesuffix(".md")


def language(path):
    return path.name.split(".")[1]


def blocks(text):
    """The text of a Markdown body, block by block (paragraphs, list items, headings), as a reader sees it;
    headings flagged so they count for acronyms but not as sentences."""
    rendered = markdown.markdown(text, extensions=["sane_lists"])
    rendered = re.sub(r"<(h[1-6])>(.*?)</\1>", r"\n#HEADING# \2\n", rendered)
    rendered = re.sub(r"</?(p|li|ul|ol|blockquote)\b[^>]*>|<br\s*/?>", "\n", rendered)
    plain = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    return [line.strip() for line in plain.splitlines() if line.strip()]


def split_sentences(block):
    # A sentence ends at . ! ? (or a closing quote or bracket after them) before a capital; "No. 18",
    # "Rp350.000" and "kemlu.go.id" stay whole.
    return [s for s in re.split(r"(?<=[.!?])[\"\u201d\u2019)]?\s+(?=[\"\u201c(]?[A-Z])", block) if s.strip()]


def words(sentence):
    return [w for w in sentence.split() if re.search(r"\w", w)]


def page(path):
    """The article as its page shows it: title, summary, then the body; and its sentences (headings left out)."""
    article = guidance.read_article(path)
    lines = [article.meta["title"], article.meta.get("summary", ""), *blocks(article.body)]
    sentences = []
    for index, line in enumerate(lines):
        if index == 0 or line.startswith("#HEADING#"):
            continue
        sentences += split_sentences(line)
    return [line.removeprefix("#HEADING# ") for line in lines], sentences


@pytest.mark.parametrize("path", ARTICLES, ids=article_id)
def test_every_sentence_is_short_and_the_average_under_twelve_words(path):
    _, sentences = page(path)
    lengths = [len(words(s)) for s in sentences]
    too_long = [s for s in sentences if len(words(s)) > LONGEST]
    assert not too_long, too_long
    assert sum(lengths) / len(lengths) < AVERAGE


@pytest.mark.parametrize("path", ARTICLES, ids=article_id)
def test_every_acronym_is_explained_where_the_page_first_uses_it(path):
    known = guidance.glossary()
    pattern = guidance.acronym_pattern(known.acronyms)
    by_short = {a.short: a for a in known.acronyms}
    lines, _ = page(path)
    title, rest = lines[0], lines[1:]  # the summary under the title explains what the title names
    sentences = [title] + [s for line in rest for s in split_sentences(line)]
    explained_in = sentences[1:]
    unexplained, unknown = [], set()
    for short, acronym in by_short.items():
        first = next((s for s in explained_in if short in pattern.findall(s)), None)
        if first and acronym.expansion(language(path)).casefold() not in first.casefold():
            unexplained.append((short, first))
    for sentence in sentences:
        for word in re.findall(r"\b\w*[A-Z]\w*[A-Z]\w*\b", pattern.sub(" ", sentence)):
            if word not in known.names:
                unknown.add(word)
    assert not unexplained, unexplained
    assert not unknown, f"acronyms missing from outreach/content/acronyms.toml: {sorted(unknown)}"


@pytest.mark.parametrize("path", ARTICLES, ids=article_id)
def test_no_wording_that_misleads_or_hurts_and_a_summary_that_says_what_the_reader_can_do(path):
    text = path.read_text(encoding="utf-8")
    assert not [phrase for phrase in MISLEADING if phrase.casefold() in text.casefold()]
    summary = guidance.read_article(path).meta["summary"]
    assert not summary.startswith(("Anda akan", "You will")), summary


@pytest.mark.parametrize("path", ARTICLES, ids=article_id)
def test_a_source_links_only_to_the_page_its_own_entry_names(path):
    """An address is never invented: it is written in the source entry, which `check-sources` finds in the
    facts file word for word."""
    for entry in guidance.read_article(path).meta.get("sources", []):
        if "url" in entry:
            assert entry["url"].startswith("https://"), entry
            assert (
                entry["url"].removeprefix("https://").removeprefix("www.").rstrip("/") in entry["source"]
            ), entry


def test_the_acronym_check_fails_on_an_unexplained_acronym(tmp_path):
    article = tmp_path / "contoh.id.md"
    article.write_text(
        '+++\ntitle = "Contoh"\nsummary = "Pelajari jalurnya."\n+++\nHubungi BP3MI sekarang.\n'
    )
    with pytest.raises(AssertionError, match="BP3MI"):
        test_every_acronym_is_explained_where_the_page_first_uses_it(article)
    article.write_text('+++\ntitle = "Contoh"\nsummary = "Pelajari jalurnya."\n+++\nHubungi XYZQ sekarang.\n')
    with pytest.raises(AssertionError, match="XYZQ"):
        test_every_acronym_is_explained_where_the_page_first_uses_it(article)


def test_an_article_marks_its_first_acronym_and_links_the_glossary_in_both_languages(app, client):
    with app.app_context():
        guidance.load(db.session, publish=True)
        db.session.commit()
        slugs = [m.slug for m in db.session.scalars(select(Material))]
    page_id = client.get("/panduan/langkah-pmi-resmi").get_data(as_text=True)
    assert page_id.count('<abbr title="Pekerja Migran Indonesia">PMI</abbr>') == 1
    assert 'href="/panduan/istilah"' in page_id
    assert (
        '<a href="https://id.m.wikisource.org" rel="noopener">id.m.wikisource.org</a>' in page_id
    )  # the law
    glossary = client.get("/panduan/istilah").get_data(as_text=True)
    assert "Daftar istilah dan singkatan" in glossary and "Lembaga Perlindungan Saksi dan Korban" in glossary
    for acronym in guidance.glossary().acronyms:
        assert f">{acronym.short}</abbr>" in glossary
    client.set_cookie("lang", "en")
    page_en = client.get("/panduan/langkah-pmi-resmi").get_data(as_text=True)
    assert '<abbr title="Indonesian migrant worker">PMI</abbr>' in page_en
    assert "Witness and Victim Protection Agency" in client.get("/panduan/istilah").get_data(as_text=True)
    assert "istilah" not in slugs  # no article hides behind the glossary's address
