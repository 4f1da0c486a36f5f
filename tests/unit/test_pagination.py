from datetime import UTC, datetime

import pytest

from aksio.errors import InvalidInput
from aksio.pagination import decode_cursor, encode_cursor

PREFIX = "users/u1/activity"


def test_cursor_round_trips_values_and_datetimes() -> None:
    values = (datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=UTC), 3, f"{PREFIX}/a1")
    assert decode_cursor(encode_cursor(values), path_prefix=PREFIX) == values


@pytest.mark.parametrize("bad", ["", "!!!", "bm90IGpzb24", encode_cursor(("x",))[:-2] + "%%"])
def test_garbage_cursor_is_invalid_input(bad: str) -> None:
    with pytest.raises(InvalidInput):
        decode_cursor(bad, path_prefix=PREFIX)


def test_cursor_into_another_users_collection_is_refused() -> None:
    foreign = encode_cursor(("2026-01-01", "users/u2/activity/a1"))
    with pytest.raises(InvalidInput):
        decode_cursor(foreign, path_prefix=PREFIX)


def test_cursor_of_the_wrong_length_is_refused() -> None:
    short = encode_cursor((f"{PREFIX}/a1",))
    with pytest.raises(InvalidInput):
        decode_cursor(short, path_prefix=PREFIX, length=2)
