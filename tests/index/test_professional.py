"""Which pages the index counts as health-professional versions (patient pages come first)."""

from __future__ import annotations

import pytest

from cancerinfo.index.loading import is_professional


@pytest.mark.parametrize(
    ("url", "audience", "professional"),
    [
        ("https://www.cancer.gov/types/breast/hp/breast-treatment-pdq", "patient", True),
        ("https://www.cancer.gov/about-cancer/treatment/side-effects/lymphedema/lymphedema-hp-pdq", "patient", True),
        ("https://www.cancer.gov/about-cancer/coping/feelings/depression-hp-pdq", "patient", True),
        ("https://www.cancer.gov/about-cancer/coping/feelings/depression-pdq", "patient", False),
        ("https://www.cancer.gov/about-cancer/treatment/side-effects/lymphedema", "patient", False),
        ("https://www.cancer.gov/types/breast/hp-summary", "patient", False),
        ("https://www.cancer.gov/about-cancer/causes-prevention/risk/hpv", "patient", False),
        ("https://www.cancer.gov/types/breast/patient/breast-treatment-pdq", "health_professional", True),
    ],
)
def test_a_professional_version_by_its_url_or_its_audience(url: str, audience: str, professional: bool) -> None:
    assert is_professional(url, audience) is professional
