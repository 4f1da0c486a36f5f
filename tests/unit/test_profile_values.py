import pytest
from pydantic import ValidationError

from aksio.accounts.models import ProfileUpdate


@pytest.mark.parametrize("tz", ["Europe/Oslo", "America/Argentina/Buenos_Aires", "UTC"])
def test_iana_time_zones_are_accepted(tz: str) -> None:
    assert ProfileUpdate(timezone=tz).timezone == tz


@pytest.mark.parametrize("tz", ["Mars/Olympus", "GMT+25", "europe/oslo", ""])
def test_unknown_time_zones_are_refused(tz: str) -> None:
    with pytest.raises(ValidationError, match="IANA"):
        ProfileUpdate(timezone=tz)


@pytest.mark.parametrize("retention", [0.69, 0.98, 1.5])
def test_desired_retention_is_bounded(retention: float) -> None:
    with pytest.raises(ValidationError, match="desired_retention"):
        ProfileUpdate(desired_retention=retention)


def test_plan_cannot_be_set_by_the_client() -> None:
    with pytest.raises(ValidationError, match="plan"):
        ProfileUpdate.model_validate({"plan": "pro"})


def test_null_clears_university_but_not_timezone() -> None:
    assert ProfileUpdate.model_validate({"university": None}).model_fields_set == {"university"}
    with pytest.raises(ValidationError, match="timezone cannot be null"):
        ProfileUpdate.model_validate({"timezone": None})
