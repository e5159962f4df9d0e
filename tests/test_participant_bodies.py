"""The organisation column: bodies that are organisations, the office of a head of state, nothing else."""

from __future__ import annotations

import pytest

from osiwire.enrich.participant_bodies import as_body
from osiwire.enrich.positions import organisation_of


@pytest.mark.parametrize(
    ("position", "organisation"),
    [
        ("Министр транспорта Республики Казахстан", "Министерство транспорта Республики Казахстан"),
        ("советник Президента Республики Узбекистан", "Администрация Президента Республики Узбекистан"),
        ("председатель правления ПАО «Камский завод»", "ПАО «Камский завод»"),
        ("директор Федеральной службы по тарифам", "Федеральная служба по тарифам"),
        ("ректор Томского государственного университета", "Томский государственный университет"),
        ("губернатор Пермского края", ""),  # a region is a place
        ("мэр Казани", ""),
        ("участник освобождения Праги", ""),  # a description, no post of a body
        ("Президент Республики Гана", ""),  # a head of state's own title; Ghana is the row's country
        ("Посол Российской Федерации в Республике Гана", ""),  # a country: the country column
        ("Генеральный секретарь ШОС", "ШОС"),
        ("председатель Всемирной федерации профсоюзов", "Всемирная федерация профсоюзов"),
    ],
)
def test_only_organisations_fill_the_column(position: str, organisation: str) -> None:
    assert organisation_of(position) == organisation


@pytest.mark.parametrize("body", ["", "Российская Федерация", "Республика Крым", "оборона Москвы", "дела"])
def test_places_countries_and_descriptions_are_no_bodies(body: str) -> None:
    assert as_body(body) == ""
