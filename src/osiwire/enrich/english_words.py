"""The English words ``english`` reads titles and names with: what may join a title phrase, and what no name
has (function words, places, bodies), so a run of capitalised words can be cut down to the name at its end."""

from __future__ import annotations

CONNECTORS = frozenset({"of", "the", "for", "to", "and", "on"})
# Short words headline case may leave in lower case ("Talks with Armenian Counterpart").
HEADLINE_LOWER = CONNECTORS | frozenset(
    {"a", "an", "at", "in", "by", "as", "vs", "with", "from", "into", "over", "after", "s"}
)
ARTICLES = frozenset({"the", "a", "an"})
# Words after which an apposition with an article goes on ("Karolina Galetcka, a representative from ...").
PREPOSITIONS = frozenset({"from", "at", "in", "with", "of", "for", "on", "to", "since", "under", "who"})
LOCATIVES = frozenset({"in", "at", "from", "near"})  # "in Moscow Foreign Minister ...": Moscow is no body
PARTICLES = frozenset(
    {
        "bin", "bint", "ibn", "al", "el", "ad", "de", "da", "di", "del", "della", "dos", "das", "du", "la",
        "le", "van", "von", "der", "den", "ten", "ter", "ul", "oglu", "ogly", "kyzy", "uly", "uulu"
    }
)  # fmt: skip
# Capitalised words that open sentences or headlines and never belong to a person's name.
STOP_WORDS = frozenset(
    {
        "a", "an", "this", "that", "these", "those", "he", "she", "it", "they", "we", "i", "you", "his",
        "her", "its", "their", "our", "my", "in", "at", "by", "from", "with", "without", "or", "but", "as",
        "after", "before", "during", "since", "until", "when", "while", "where", "if", "although", "though",
        "because", "according", "also", "however", "meanwhile", "earlier", "later", "then", "now", "today",
        "yesterday", "tomorrow", "tonight", "last", "next", "mr", "mrs", "ms", "miss", "dr", "sir", "lord",
        "lady", "madam", "mister", "prof", "professor", "excellency", "monday", "tuesday", "wednesday",
        "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december", "day", "week", "year", "news",
        "said", "says", "told", "editor's", "note", "source", "photo", "video", "read", "more", "see", "all",
        "both", "each", "every", "other", "some", "such", "no", "not", "like", "unlike",
        # verbs of headlines glued to the text ("GOP Senator Asks Trump To ...")
        "asks", "calls", "tells", "urges", "slams", "meets", "holds", "visits", "warns", "announces", "signs",
        "wants", "seeks", "names", "vows", "backs", "denies", "rejects", "praises", "hails", "dies", "quits",
        "resigns", "wins", "loses", "faces", "launches", "opens", "joins", "leaves", "returns", "arrives"
    }
)  # fmt: skip
# Words of place names, never of a person's, which may sit in a title phrase ("Western Military District").
GEO_WORDS = frozenset(
    {
        "new", "west", "east", "south", "north", "western", "eastern", "southern", "northern", "central",
        "saint", "st", "mount", "lake", "white", "asian", "pacific", "atlantic", "arctic", "caucasus",
        # second words of countries' names ("Saudi Arabia Mohammed bin Salman")
        "arabia", "lanka", "zealand", "rica", "africa", "leone", "salvador", "verde", "timor", "marino",
        "herzegovina", "faso", "islands"
    }
)  # fmt: skip
# Words of bodies' names, never of a person's; they may sit in a title phrase in either case ("the head of
# the region", "Health Ministry head"). The plurals close company and media names ("British Travel Agents").
ORG_WORDS = frozenset(
    {
        "council", "ministry", "committee", "department", "office", "service", "agency", "commission", "bank",
        "fund", "union", "organization", "organisation", "federation", "republic", "kingdom", "emirates",
        "states", "state", "government", "parliament", "assembly", "duma", "senate", "congress", "court",
        "courts", "police", "army", "navy", "forces", "force", "fleet", "guard", "party", "institute",
        "university", "academy", "center", "centre", "foundation", "corporation", "company", "group",
        "association", "house", "administration", "krai", "oblast", "okrug", "raion", "autonomous", "region",
        "district", "province", "city", "territory", "county", "municipality", "country", "security",
        "affairs", "internal", "development", "economic", "social", "protection", "natural", "resources",
        "ecology", "environment", "care", "communications", "digital", "media", "mass", "treasury", "staff",
        "armed", "national", "international", "federal", "collective", "treaty", "eurasian", "commonwealth",
        "independent", "united", "nations", "european", "cooperation", "directorate", "inspectorate",
        "investigative", "intelligence", "border", "customs", "tax", "bureau", "board", "chamber", "cabinet",
        "presidium", "secretariat", "mission", "embassy", "consulate", "delegation", "kremlin",
        "headquarters", "church", "policy", "relations", "management", "planning", "construction", "housing",
        "communal", "services", "technology", "technologies", "information", "youth", "family", "women",
        "veterans", "migration", "agents", "workers", "employers", "industries", "airlines", "airways",
        "railways", "systems", "partners", "holdings", "enterprises", "times", "post", "herald", "journal",
        "telegraph", "gazette", "tribune", "magazine", "channel", "radio", "television", "network", "studios",
        "club", "team", "league", "festival", "society", "alliance", "coalition", "front", "movement",
        "rights", "research", "airbase", "airport", "base", "station", "square", "street", "avenue", "road",
        "bridge", "stadium", "hospital", "school", "college", "museum", "park", "palace", "hall", "building",
        "tower", "hotel", "prize", "award", "cup", "capital", "index", "markets", "securities", "capitol",
        "nation", "command", "conference", "summit", "forum", "convention"
    }
)  # fmt: skip
# Titles that are surnames too: after a first name they are the name ("Kevin King", "Larry Speaker").
SURNAME_TITLES = frozenset({"king", "queen", "prince", "marshal", "judge", "bishop", "chancellor", "speaker"})
NOT_NAMES = STOP_WORDS | GEO_WORDS | ORG_WORDS | CONNECTORS
