"""Charset detection on real feeds (miniflux, feedparser test data) and hostile labels."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from osiwire.collect.charset import decode, detect_charset

MINIFLUX = Path("feeds") / "miniflux"
FEEDPARSER = Path("feeds") / "feedparser" / "encoding"

RUSSIAN = "Министерство иностранных дел Российской Федерации сообщает о встрече министров."


def _same_codec(a: str, b: str) -> bool:
    return codecs.lookup(a).name == codecs.lookup(b).name


@pytest.mark.parametrize(
    ("name", "content_type", "encoding", "words"),
    [
        ("encoding_WINDOWS-1251.xml", None, "cp1251", ["Цитата", "Новый цитатник Рунета"]),
        ("encoding_WINDOWS-1251.xml", "application/rss+xml; charset=utf-8", "cp1251", ["Цитата"]),
        ("encoding_WINDOWS-1251.xml", "text/xml; charset=koi8-r", "cp1251", ["Цитата"]),
        ("encoding_WINDOWS-1251.xml", "text/xml; charset=iso-8859-1", "cp1251", ["Цитата"]),
        ("koi8r.xml", None, "koi8-r", ["Пример RSS ленты", "Тестовая лента"]),
        ("koi8r.xml", "text/xml; charset=windows-1251", "koi8-r", ["Пример RSS ленты"]),
        ("koi8r.xml", "text/xml; charset=UTF-8", "koi8-r", ["Пример RSS ленты"]),
        ("windows-1252.xml", None, "cp1252", ["Euro €"]),
        ("windows-1252-incorrect-prolog.xml", None, "utf-8", ["Euro €"]),
        ("iso-8859-1.xml", None, "cp1252", ["Café", "Présentation"]),
        ("iso-8859-1.html", "text/html", "cp1252", ["Frédéric", "Café"]),
        ("iso-8859-1-meta-after-1024.html", "text/html", "cp1252", ["Frédéric", "Café"]),
        ("iso88591.xml", None, "cp1252", ["Anaïs", "Jürgen"]),
        ("iso88591_utf8_mismatch.xml", None, "cp1252", ["Anaïs", "Jürgen"]),
        ("encoding_ISO-8859-1.xml", "application/rss+xml", "cp1252", ["Übertragungen", "wünschen"]),
        ("no_encoding_ISO-8859-1.xml", None, "cp1252", ["développementaux", "études"]),
        ("utf8.xml", None, "utf-8", ["테스트 피드", "Café"]),
        ("utf8-incorrect-prolog.xml", None, "utf-8", ["테스트 피드", "Café"]),
        ("utf8-incorrect-prolog.xml", "text/xml; charset=iso-8859-1", "utf-8", ["Café"]),
        ("invalid-prolog.xml", None, "utf-8", ["테스트 피드"]),
        ("utf8.html", None, "utf-8", ["Café"]),
        ("utf8-meta-after-1024.html", "text/html", "utf-8", ["Frédéric", "Café"]),
        ("urdu_UTF8.xml", "application/rss+xml; charset=utf-8", "utf-8", ["اردو", "پاکستان"]),
        ("rdf_UTF8.xml", None, "utf-8", ["Vorsichtsmaßnahmen", "Trägerrakete"]),
    ],
)
def test_miniflux_samples(
    shared_data: Path, name: str, content_type: str | None, encoding: str, words: list[str]
) -> None:
    body = (shared_data / MINIFLUX / name).read_bytes()
    assert _same_codec(detect_charset(body, content_type), encoding)
    text = decode(body, content_type)
    for word in words:
        assert word in text


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("utf-8-bom.xml", "utf-8-sig"),
        ("utf-16be-bom.xml", "utf-16"),
        ("utf-16le-bom.xml", "utf-16"),
        ("utf-32be-bom.xml", "utf-32"),
        ("utf-32le-bom.xml", "utf-32"),
        ("utf-16be-autodetect.xml", "utf-16-be"),
        ("utf-16le-autodetect.xml", "utf-16-le"),
        ("utf-32be-autodetect.xml", "utf-32-be"),
        ("utf-32le-autodetect.xml", "utf-32-le"),
        ("u16.xml", "utf-16-be"),
    ],
)
def test_byte_order_marks_and_xml_signatures(shared_data: Path, name: str, encoding: str) -> None:
    body = (shared_data / FEEDPARSER / name).read_bytes()
    assert detect_charset(body) == encoding
    # The BOM is consumed, so the text starts with the XML prolog.
    assert decode(body).startswith('<?xml version="1.0"')


@pytest.mark.parametrize(
    ("name", "header", "encoding", "expected"),
    [
        ("euc-kr.xml", None, "cp949", "\ub144"),
        ("big5.xml", None, "big5", "<rss>"),
        (
            "http_application_atom_xml_gb2312_charset.xml",
            "application/atom+xml;charset='gb2312'",
            "gb18030",
            "<feed",
        ),
        (
            "http_text_xml_charset_2.xml",
            "text/xml; charset=windows-1252",
            "cp1252",
            "This is a \xa3\u201ctest.\u201d",
        ),
        ("http_text_xml_charset_overrides_encoding.xml", "text/xml;charset = us-ascii", "cp1252", "<rss"),
        ("http_text_xml_bogus_param.xml", "text/xml; charset:iso-8859-1", "utf-8", "<rss"),
        (
            "http_i18n.xml",
            "application/xml",
            "utf-8",
            "I\u00f1t\u00ebrn\u00e2ti\u00f4n\u00e0liz\u00e6ti\u00f8n",
        ),
    ],
)
def test_feedparser_samples(
    shared_data: Path, name: str, header: str | None, encoding: str, expected: str
) -> None:
    body = (shared_data / FEEDPARSER / name).read_bytes()
    assert _same_codec(detect_charset(body, header), encoding)
    assert expected in decode(body, header)


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r"])
@pytest.mark.parametrize(
    "text",
    [
        RUSSIAN,
        "Привет",
        "Москва, 5 мая. ТАСС",
        "ЗАЯВЛЕНИЕ МИД РОССИИ",
        "<html><head><title>Новости</title></head><body><p>" + RUSSIAN * 20 + "</p></body></html>",
    ],
)
@pytest.mark.parametrize(
    "content_type", [None, "text/html", "text/html; charset=utf-8", "text/html; charset=iso-8859-1"]
)
def test_undeclared_or_mislabelled_russian(text: str, encoding: str, content_type: str | None) -> None:
    body = text.encode(encoding)
    assert decode(body, content_type) == text


@pytest.mark.parametrize(
    "text",
    [
        "Міністерство закордонних справ України повідомляє про зустріч",
        "Министерството на външните работи на Република България съобщава",
        "Министарство спољних послова Републике Србије",
    ],
)
def test_other_cyrillic_languages_in_cp1251(text: str) -> None:
    assert decode(text.encode("cp1251")) == text


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Le ministère des Affaires étrangères annonce la réunion à Genève.", "cp1252"),
        ("Das Auswärtige Amt grüßt öffentlich.", "cp1252"),
        ("“Smart quotes” – and a dash…", "cp1252"),
        ("Το Υπουργείο Εξωτερικών της Ελλάδας ανακοινώνει τη συνάντηση.", "cp1253"),
        ("Ministerstwo Spraw Zagranicznych ogłasza spotkanie, źródło żółć.", "cp1250"),
    ],
)
def test_western_and_other_single_byte_text_is_not_taken_for_russian(text: str, encoding: str) -> None:
    body = text.encode(encoding)
    assert _same_codec(detect_charset(body), encoding)
    assert decode(body) == text
    # A correct label on such text is never overruled.
    assert decode(body, f"text/plain; charset={encoding}") == text


@pytest.mark.parametrize(
    "label",
    [
        "utf-7",
        "unicode_escape",
        "raw_unicode_escape",
        "base64",
        "rot13",
        "idna",
        "punycode",
        "no-such-charset",
        "",
    ],
)
def test_hostile_or_unknown_labels_are_ignored(label: str) -> None:
    body = b'<?xml version="1.0" encoding="%s"?><p>plain +AGEAYgBj- \\u0041 text</p>' % label.encode()
    assert detect_charset(body, f"text/xml; charset={label}") == "utf-8"
    assert "+AGEAYgBj- \\u0041" in decode(body, f"text/xml; charset={label}")


def test_utf16_label_on_ascii_body_is_ignored() -> None:
    body = b'<html><head><meta charset="utf-16"></head><body>ascii only</body></html>'
    assert detect_charset(body, "text/html; charset=UTF-16") == "utf-8"


@pytest.mark.parametrize(
    ("content_type", "encoding"),
    [
        ('text/html; charset="windows-1251"', "cp1251"),
        ("text/html;charset='windows-1251'", "cp1251"),
        ("text/html; CHARSET = Windows-1251 ; foo=bar", "cp1251"),
        ("text/html; charset=cp1251", "cp1251"),
    ],
)
def test_http_charset_forms(content_type: str, encoding: str) -> None:
    assert detect_charset(RUSSIAN.encode("cp1251"), content_type) == encoding


def test_meta_http_equiv_and_late_meta() -> None:
    head = b"<!DOCTYPE html><html><head>" + b"<!-- padding -->" * 200
    body = (
        head
        + b'<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">'
        + RUSSIAN.encode("koi8-r")
    )
    assert len(head) > 1024
    assert detect_charset(body) == "koi8-r"


@pytest.mark.parametrize(
    ("text", "encoding", "label"),
    [
        ("<p>新华社北京5月5日电 国家主席习近平</p>", "gbk", "gb2312"),  # GBK characters under a GB2312 label
        ("<p>東京都は5日、新型の発表を行った。</p>", "shift_jis", None),
    ],
)
def test_east_asian_text(text: str, encoding: str, label: str | None) -> None:
    content_type = f"text/html; charset={label}" if label else None
    assert decode(text.encode(encoding), content_type) == text


def test_latin1_label_with_c1_bytes_keeps_latin1() -> None:
    body = b"caf\xe9 \x81 control"  # 0x81 is undefined in windows-1252
    assert detect_charset(body, "text/plain; charset=iso-8859-1") == "iso8859-1"


@pytest.mark.parametrize("body", [b"", b"plain ascii", bytes(range(256)), b"\xff\xfe\xfd" * 100])
def test_any_bytes_give_a_usable_codec(body: bytes) -> None:
    name = detect_charset(body)
    codecs.lookup(name)
    assert isinstance(decode(body), str)
