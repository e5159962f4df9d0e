"""Topics: the bundled taxonomy, lemma matching in Russian and English, rules and their explanation."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from osiwire.enrich.lexicon import Lemmas
from osiwire.enrich.topics import TopicMatcher, explain_topics, load_taxonomy, match_topics
from osiwire.errors import ConfigError

REQUIRED_TOPICS = {
    "terrorism",
    "foreign-terrorist-fighters",
    "drug-trafficking",
    "cyber",
    "military-cooperation",
    "peacekeeping",
    "border-security",
    "migration",
    "health",
    "sanctions",
    "energy",
    "economy-trade",
    "elections",
}


@functools.cache
def matcher() -> TopicMatcher:
    return TopicMatcher()


def ids(text: str, lang: str = "ru") -> set[str]:
    return {t.id for t in matcher().match(text, lang)}


def test_bundled_taxonomy_covers_the_required_topics_in_both_languages() -> None:
    topics = load_taxonomy()
    assert {t.id for t in topics} >= REQUIRED_TOPICS
    for topic in topics:
        assert topic.label and topic.rules["terms"].get("ru") and topic.rules["terms"].get("en"), topic.id


@pytest.mark.parametrize(
    ("text", "lang", "topic"),
    [
        ("Стороны обсудили борьбу с терроризмом и экстремизмом.", "ru", "terrorism"),
        ("Предотвращены теракты, задержаны члены террористических ячеек.", "ru", "terrorism"),
        ("The ministers condemned terrorist attacks.", "en", "terrorism"),
        (
            "Обсуждена угроза возвращения иностранных террористов-боевиков из зон конфликтов.",
            "ru",
            "foreign-terrorist-fighters",
        ),
        ("Measures against foreign terrorist fighters returning home.", "en", "foreign-terrorist-fighters"),
        ("Пресечён канал наркотрафика, изъято 200 кг героина.", "ru", "drug-trafficking"),
        ("Cooperation against drug trafficking and synthetic drugs.", "en", "drug-trafficking"),
        ("Обеспечение международной информационной безопасности и отражение кибератак.", "ru", "cyber"),
        ("A ransomware cyberattack hit the ministry.", "en", "cyber"),
        ("Начались совместные учения вооружённых сил ОДКБ.", "ru", "military-cooperation"),
        ("Joint exercises of the CSTO Collective Rapid Reaction Forces.", "en", "military-cooperation"),
        ("Российские миротворцы обеспечивают режим прекращения огня.", "ru", "peacekeeping"),
        ("Peacekeepers will monitor the ceasefire.", "en", "peacekeeping"),
        ("Пограничники усилили охрану государственной границы.", "ru", "border-security"),
        ("Border guards reported an illegal crossing.", "en", "border-security"),
        ("Мигранты получают патент на работу; незаконная миграция снизилась.", "ru", "migration"),
        ("Labour migration and migrants' residence permits.", "en", "migration"),
        ("Эпидемия гриппа: вакцинация и меры Роспотребнадзора.", "ru", "health"),
        ("The epidemic slowed as vaccination spread.", "en", "health"),
        ("Евросоюз ввёл новые санкции против российских банков.", "ru", "sanctions"),
        ("New sanctions and an oil price cap.", "en", "sanctions"),
        ("Поставки нефти и газа, строительство газопровода и АЭС.", "ru", "energy"),
        ("Gas pipeline and nuclear power plant projects.", "en", "energy"),
        ("Товарооборот вырос, экспорт и инвестиции растут, экономика устойчива.", "ru", "economy-trade"),
        ("Trade turnover, investment and economic growth; the economy is strong.", "en", "economy-trade"),
        ("На выборах губернатора явка составила 60%, голосование прошло спокойно.", "ru", "elections"),
        ("Voters went to the polls; the election turnout was high.", "en", "elections"),
    ],
)
def test_topic_fires(text: str, lang: str, topic: str) -> None:
    assert topic in ids(text, lang)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Экономика.", "economy-trade"),  # below min_hits
        ("Он уехал за границу в отпуск.", "border-security"),  # "граница" without a security context
        ("Кандидат наук выступил с докладом.", "elections"),  # "кандидат" without an election
        ("Вербовка персонала в компанию продолжается.", "foreign-terrorist-fighters"),
        ("Учения о природе вещей.", "military-cooperation"),  # excluded phrase
        ("The talks were extremely constructive.", "terrorism"),  # "extremely" is not extremism
        ("It is important to import nothing.", "economy-trade"),
    ],
)
def test_topic_does_not_fire(text: str, topic: str) -> None:
    assert topic not in ids(text)


def test_evidence_is_the_words_that_fired() -> None:
    (match,) = [
        t for t in match_topics("Санкции, санкционное давление и эмбарго.", "ru") if t.id == "sanctions"
    ]
    assert match.label == "Sanctions"
    assert {"санкции", "санкционное давление", "эмбарго"} <= set(match.evidence)


def test_explain_says_why() -> None:
    by_id = {e.id: e for e in explain_topics("Экономика. Пограничный и приграничный районы.", "ru")}
    assert not by_id["economy-trade"].fired and "needs 3" in by_id["economy-trade"].reason
    assert by_id["economy-trade"].found["terms"]["экономика"] == ("Экономика",)
    assert not by_id["border-security"].fired and "required" in by_id["border-security"].reason
    fired = {e.id: e for e in explain_topics("Теракт предотвращён.", "ru")}["terrorism"]
    assert fired.fired and fired.hits == 1 and fired.found["terms"]["теракт"] == ("Теракт",)


TAXONOMY = """
[[topic]]
id = "space"
label = "Space"
min_hits = 2
[topic.ru]
terms = ["космос", "ракета-носитель", "косм*"]
require = ["запуск"]
exclude = ["космос на Земле"]
[topic.en]
terms = ["spacecraft", "launch vehicle"]
"""


@pytest.fixture
def custom(tmp_path: Path) -> TopicMatcher:
    path = tmp_path / "topics.toml"
    path.write_text(TAXONOMY, encoding="utf-8")
    return TopicMatcher.from_file(path, Lemmas())


def test_custom_taxonomy_rules(custom: TopicMatcher) -> None:
    assert [t.id for t in custom.match("Запуск ракеты-носителя с космодрома.", "ru")] == ["space"]
    assert custom.match("Ракета-носитель на космодроме.", "ru") == []  # no required term
    assert custom.match("Запуск: космос.", "ru") == []  # one hit, needs two
    assert custom.match("Запуск ракеты-носителя: космос на Земле.", "ru") == []  # excluded
    assert [t.id for t in custom.match("The launch vehicle and the spacecraft", "en")] == ["space"]


@pytest.mark.parametrize(
    "content",
    [
        '[[topic]]\nlabel = "No id"\n[topic.ru]\nterms = ["x"]',
        '[[topic]]\nid = "a"\n[topic.ru]\nterms = ["x"]\n[[topic]]\nid = "a"\n[topic.ru]\nterms = ["y"]',
        '[[topic]]\nid = "a"\n[topic.ru]\nrequire = ["x"]',
        '[[topic]]\nid = "a"\n[topic.ru]\nterms = "x"',
        '[[topic]]\nid = "a"\n[topic.ru]\nwords = ["x"]',
        '[[topic]]\nid = "a"\nmin_hits = 0\n[topic.ru]\nterms = ["x"]',
        '[[topic]]\nid = "a"\nweight = 2\n[topic.ru]\nterms = ["x"]',
        "topic = [",
    ],
)
def test_bad_taxonomies_are_config_errors(tmp_path: Path, content: str) -> None:
    path = tmp_path / "topics.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError):
        load_taxonomy(path)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "ТЕРРОРИЗМ И САНКЦИИ",
        "террор-терроризм-теракт",
        "Пyтин (Latin y) и тeррор",
        "| a | b |\n|---|",
        "*",
    ],
)
def test_odd_text_never_crashes(text: str) -> None:
    matcher().match(text, "ru")
    matcher().explain(text, "xx")
