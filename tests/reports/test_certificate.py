"""The certificate's French: « au Conservatoire », « à l'École », never « à Conservatoire »."""

from __future__ import annotations

import pytest

from registrar_tui.reports.certificate import at_institution


@pytest.mark.parametrize(
    ("name", "language", "expected"),
    [
        ("Conservatoire Laurentien de musique", "fr_CA", "au Conservatoire Laurentien de musique"),
        ("Le Conservatoire de Québec", "fr_CA", "au Conservatoire de Québec"),
        ("Collège Saint-Louis", "fr_CA", "au Collège Saint-Louis"),
        ("École de musique Vincent-d'Indy", "fr_CA", "à l’École de musique Vincent-d'Indy"),
        ("L'Harmonie", "fr_CA", "à L'Harmonie"),
        ("Maison de la culture", "fr_CA", "à la Maison de la culture"),
        ("Musique Plus", "fr_CA", "à Musique Plus"),
        ("Conservatoire Laurentien", "en", "at Conservatoire Laurentien"),
    ],
)
def test_the_institution_takes_the_right_preposition(
    name: str, language: str, expected: str
) -> None:
    assert at_institution(name, language) == expected
