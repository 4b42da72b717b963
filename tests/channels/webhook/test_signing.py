"""The signing scheme on its own: what verifies, what is refused and with which code."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kefu.channels.webhook.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    new_secret,
    signature,
    signed_headers,
    verify,
)
from kefu.shared.errors import NotAuthenticated

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SECRET = "whsec_test"
BODY = '{"event_id":"e-1","text":"你好"}'.encode()


def check(
    *,
    timestamp: str | None,
    signature_header: str | None,
    body: bytes = BODY,
    secrets: tuple[str, ...] = (SECRET,),
) -> None:
    verify(secrets, timestamp=timestamp, signature_header=signature_header, body=body, now=NOW)


def code_of(**kw: object) -> str:
    with pytest.raises(NotAuthenticated) as raised:
        check(**kw)  # type: ignore[arg-type]
    return raised.value.code


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    ts = int(NOW.timestamp())
    expected = hmac.new(SECRET.encode(), f"{ts}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert signature(SECRET, ts, BODY) == f"sha256={expected}"
    headers = signed_headers(SECRET, BODY, now=NOW)
    assert headers == {TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: f"sha256={expected}"}


def test_signed_headers_verify() -> None:
    headers = signed_headers(SECRET, BODY, now=NOW - timedelta(seconds=299))
    check(timestamp=headers[TIMESTAMP_HEADER], signature_header=headers[SIGNATURE_HEADER])


def test_upper_case_hex_and_surrounding_spaces_verify() -> None:
    headers = signed_headers(SECRET, BODY, now=NOW)
    sent = " " + headers[SIGNATURE_HEADER].upper().replace("SHA256=", "sha256=") + " "
    check(timestamp=headers[TIMESTAMP_HEADER], signature_header=sent)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"body": BODY + b" "}, "bad_signature"),
        ({"secrets": ("whsec_other",)}, "bad_signature"),
        ({"signature_header": None}, "missing_signature"),
        ({"signature_header": "md5=abc"}, "bad_signature"),
        ({"timestamp": None}, "missing_timestamp"),
        ({"timestamp": "yesterday"}, "bad_timestamp"),
        ({"timestamp": "-5"}, "bad_timestamp"),
        ({"timestamp": "１２３"}, "bad_timestamp"),
        ({"timestamp": "9" * 40}, "bad_timestamp"),
        ({"timestamp": str(int(NOW.timestamp()) - 301)}, "stale_timestamp"),
        ({"timestamp": str(int(NOW.timestamp()) + 301)}, "stale_timestamp"),
    ],
)
def test_refusals_have_specific_codes(change: dict[str, object], code: str) -> None:
    headers = signed_headers(SECRET, BODY, now=NOW)
    kw: dict[str, object] = {
        "timestamp": headers[TIMESTAMP_HEADER],
        "signature_header": headers[SIGNATURE_HEADER],
        **change,
    }
    assert code_of(**kw) == code


def test_a_signature_made_for_another_timestamp_is_refused() -> None:
    earlier = signed_headers(SECRET, BODY, now=NOW - timedelta(seconds=10))
    later = signed_headers(SECRET, BODY, now=NOW)
    assert (
        code_of(timestamp=later[TIMESTAMP_HEADER], signature_header=earlier[SIGNATURE_HEADER])
        == "bad_signature"
    )


def test_any_of_several_secrets_verifies_during_a_rotation() -> None:
    headers = signed_headers("whsec_old", BODY, now=NOW)
    check(
        timestamp=headers[TIMESTAMP_HEADER],
        signature_header=headers[SIGNATURE_HEADER],
        secrets=(SECRET, "whsec_old"),
    )


def test_new_secrets_are_long_random_and_prefixed() -> None:
    secrets = {new_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(s.startswith("whsec_") and len(s) > 40 for s in secrets)


@given(body=st.binary(max_size=500), flip=st.integers(min_value=0, max_value=499))
def test_changing_any_byte_breaks_the_signature(body: bytes, flip: int) -> None:
    headers = signed_headers(SECRET, body, now=NOW)
    check(
        body=body, timestamp=headers[TIMESTAMP_HEADER], signature_header=headers[SIGNATURE_HEADER]
    )
    if body:
        i = flip % len(body)
        tampered = body[:i] + bytes([body[i] ^ 1]) + body[i + 1 :]
        with pytest.raises(NotAuthenticated):
            check(
                body=tampered,
                timestamp=headers[TIMESTAMP_HEADER],
                signature_header=headers[SIGNATURE_HEADER],
            )
