"""The values that flow between pipeline stages.

Frozen dataclasses only: a stage takes one of these and returns another. Nothing here knows about the
database, the web or the network.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class SourceKind(enum.StrEnum):
    """How a source is read."""

    RSS = "rss"
    ATOM = "atom"
    JSON = "json"  # JSON Feed
    HTML = "html"  # a listing page whose links are articles
    SITEMAP = "sitemap"
    FILE = "file"  # a local file or folder: feed, HTML page(s) or JSONL archive


@dataclass(frozen=True, slots=True)
class Source:
    """One entry of the source registry."""

    name: str
    url: str
    kind: SourceKind
    region: str = ""
    country: str = ""  # ISO 3166-1 alpha-2, upper case
    language: str = ""  # ISO 639-1 the source mostly publishes in
    organisation: str = ""
    selector: str = ""  # HTML listing pages: CSS selector of article links
    url_pattern: str = ""  # HTML listing pages and sitemaps: regex an article URL must match
    interval_s: int = 3600  # how often the source is checked
    enabled: bool = True
    id: int | None = None


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """Fetch bookkeeping of one source, as stored."""

    source_id: int
    next_check_at: datetime | None = None
    last_checked_at: datetime | None = None
    last_success_at: datetime | None = None
    error_count: int = 0
    last_error: str = ""


@dataclass(frozen=True, slots=True)
class Fetched:
    """The outcome of one HTTP request (or file read). Never raised on 404: look at ``status``."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    fetched_at: datetime
    encoding: str | None = None  # detected charset of ``body`` (BOM, HTTP, meta, then detection)
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def text(self) -> str:
        return self.body.decode(self.encoding or "utf-8", errors="replace")


@dataclass(frozen=True, slots=True)
class Entry:
    """One item a source points at: a feed entry, a link of a listing page, a sitemap URL."""

    url: str
    title: str = ""
    published: datetime | None = None
    author: str = ""
    summary: str = ""  # plain text or HTML as the feed gave it
    content_html: str = ""  # full content when the feed carries it
    guid: str = ""


@dataclass(frozen=True, slots=True)
class RawDocument:
    """What the extract stage reads: a page's HTML, or text from an archive, with hints from the source."""

    url: str
    fetched_at: datetime
    html: str | None = None
    text: str | None = None
    title: str = ""
    published: datetime | None = None
    author: str = ""
    language_hint: str = ""  # the source's declared language, used only when detection cannot decide
    source_id: int | None = None
    supplement: str = ""  # the release's official participant list, where it is published on its own page
    source_country: str = ""  # the source's configured country (ISO 3166-1): its own officials' country


@dataclass(frozen=True, slots=True)
class Segment:
    """The title or one paragraph of an article, with its own language."""

    position: int
    kind: str  # "title" | "paragraph" | "participants" (the official participant list)
    text: str
    language: str


@dataclass(frozen=True, slots=True)
class Article:
    """An extracted release: the unit that is stored, versioned and searched."""

    url: str  # canonical URL: the release's key
    title: str
    language: str
    segments: tuple[Segment, ...]
    content_hash: str  # over the normalised title and body
    fetched_at: datetime
    published: datetime | None = None
    author: str = ""
    original_url: str = ""  # the URL it was fetched from, when the canonical one differs
    source_id: int | None = None
    source_country: str = ""  # the source's configured country (not stored: the source holds it)

    @property
    def body(self) -> str:
        return "\n".join(s.text for s in self.segments if s.kind == "paragraph")


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What storing an article did."""

    release_id: int
    version_no: int
    created: bool  # a new release
    new_version: bool  # a new version of it (True for a new release too)


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Filters shared by search, the latest list, the web UI and the API."""

    language: str | None = None
    region: str | None = None
    source: str | None = None  # source name or id
    country: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    # Enrichment of each release's current version:
    topic: str | None = None  # a topic id of the taxonomy
    person: str | None = None  # a person's id or key ("patrushev:np")
    organisation: str | None = None  # an ORG entity's normal form, any case
    mentions_country: str | None = None  # ISO 3166-1 alpha-2 of a country the release mentions
    said_by: str | None = None  # a person's id or key: releases that quote them


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result (also the row of the latest-releases list)."""

    id: int
    url: str
    title: str
    published: datetime | None
    language: str
    source: str
    region: str
    snippet: str  # plain text
    source_id: int | None = None
    first_seen_at: datetime | None = None
    highlights: tuple[tuple[int, int], ...] = ()  # (start, end) of matched words in ``snippet``
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class Version:
    """One stored version of a release, with its segments."""

    version_no: int
    content_hash: str
    fetched_at: datetime
    title: str
    published: datetime | None
    author: str
    language: str
    segments: tuple[Segment, ...] = field(default_factory=tuple)
    original_url: str = ""  # the URL it was fetched from, when the canonical one differs


@dataclass(frozen=True, slots=True)
class Release:
    """A stored release with every version, newest last."""

    id: int
    url: str
    source: Source | None
    first_seen_at: datetime
    versions: tuple[Version, ...]

    @property
    def current(self) -> Version:
        return self.versions[-1]


# -- translation ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SentencePair:
    """One source sentence aligned with its translation."""

    segment: int  # position of the segment it belongs to (0 = the title)
    index: int  # its order within the segment
    source: str
    target: str  # equals ``source`` when not translated
    source_language: str
    engine: str  # "ctranslate2", "libretranslate", "openai", "none", "human" (TMX), or "" when kept as is
    model: str  # model id ("opus-mt-ru-en@1.9", "gpt-4o-mini", ...); a human translation's origin; or ""
    confidence: float | None = None  # 0..1 where the engine gives scores (CTranslate2), else None
    from_memory: bool = False  # served by the translation memory
    translated: bool = True  # False: kept as is (already in the target language, or no engine)


@dataclass(frozen=True, slots=True)
class Translation:
    """An article's translation into one target language, sentence by sentence."""

    target_language: str
    sentences: tuple[SentencePair, ...]
    status: str  # "complete" | "partial" (some sentences failed or untranslated) | "untranslated"
    error: str = ""  # why it is not complete, one line

    def segment_text(self, position: int) -> str:
        """The translated text of one segment (sentences joined by spaces)."""
        return " ".join(p.target for p in self.sentences if p.segment == position)


# -- enrichment -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mention:
    """A typed span in a segment's text, with its normal form."""

    segment: int  # segment position (0 = title)
    start: int  # offsets into that segment's text: text[start:end] == self.text
    end: int
    type: str  # "PER" | "ORG" | "LOC"
    text: str
    normal: str  # base form: "Москве" -> "Москва", "Патрушева" -> "Патрушев"


@dataclass(frozen=True, slots=True)
class PersonName:
    """A person's name in parts, with a canonical English form and the variants it is searched by."""

    first: str = ""  # in the original script, base form
    patronymic: str = ""
    last: str = ""
    initials: str = ""  # "Н.П." when only initials are given
    name_en: str = ""  # "Nikolai Platonovich Patrushev" (BGN/PCGN)
    variants: tuple[str, ...] = ()  # spellings in every script this person is found under

    @property
    def display(self) -> str:
        return " ".join(p for p in (self.first, self.patronymic, self.last) if p) or self.initials


@dataclass(frozen=True, slots=True)
class Participant:
    """One row of a meeting's participant list (or an apposition in running text)."""

    name: PersonName
    position: str = ""  # as written: "Секретарь Совета Безопасности Российской Федерации"
    organisation: str = ""  # "Совет Безопасности Российской Федерации"
    country: str = ""  # ISO 3166-1 alpha-2
    group: str = ""  # "С российской стороны", "Постоянные участники", ...
    source: str = (
        ""  # where it came from: "list" (a list row) | "sentence" (a meeting sentence) | "apposition"
    )
    kind: str = "participant"  # "participant" (listed, or named with meeting language) | "mentioned"
    # The name as this release writes it, when ``name`` is the stored person (known fuller, or in another
    # script, from other releases): "Sergei Lavrov" in an English release, whose person is "Сергей Викторович …".
    written: str = ""


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """A topic of the taxonomy that fired, with the words that made it fire."""

    id: str
    label: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Quote:
    """Words a person said, as the text gives them: a quotation or a transcript turn."""

    segment: int  # segment position, as in Mention
    start: int  # offsets into that segment's text: text[start:end] == self.text (the words, no quote marks)
    end: int
    text: str
    speaker: PersonName
    kind: str = "quote"  # "quote" (in quote marks) | "turn" (a transcript turn under the speaker's name)


@dataclass(frozen=True, slots=True)
class Enrichment:
    """What the enrich stage found in an article (run on the original text)."""

    mentions: tuple[Mention, ...] = ()
    people: tuple[PersonName, ...] = ()
    participants: tuple[Participant, ...] = ()
    topics: tuple[TopicMatch, ...] = ()
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2, most mentioned first
    quotes: tuple[Quote, ...] = ()
