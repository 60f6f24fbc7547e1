"""A CustomerInfo as the sync reads it (connectors/personify_records.to_record), for any values
a PDS may send; the sandbox's own customers are checked over HTTP in test_connector_personify.

Seed 001 ("Email Permissions in Customer Records"): "The Allow Solicitation flag will also
control the Allow Email flag" - a customer is mailable only with Allow Email and Allow
Solicitation both true and Do Not Solicit by Email not set; a flag that cannot be read counts
as not allowed.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from informz_console.connectors.personify_records import _CORE, _field_date, to_record

_FLAGS = ("AllowEmail", "AllowSolicitation", "DoNotSolicitByEmail")
_DATES = st.sampled_from(["/Date(946684800000)/", "/Date(961686000000)/", "/Date(x)/"])
_JSON_SCALAR = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                | st.text(max_size=8) | _DATES)  # fmt: skip
_VALUE = _JSON_SCALAR | st.lists(_JSON_SCALAR, max_size=2) | st.dictionaries(
    st.text(max_size=3), _JSON_SCALAR, max_size=2)
_NAME = st.sampled_from(sorted(_CORE) + list(_FLAGS) + ["City", "JoinDate"]) | st.text(max_size=6)


def _expected_field(value: object) -> str | None:
    """The module's rule, spelled out: scalars only, booleans as JSON says them, dates as ISO."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith("/Date("):
        return _field_date(value)
    return str(value)


@given(st.dictionaries(_NAME, _VALUE, max_size=12))
def test_every_other_scalar_property_is_a_field_as_text(info):
    record = to_record(info)
    expected = {name: _expected_field(value) for name, value in info.items()
                if name not in _CORE and _expected_field(value) is not None}  # fmt: skip
    assert record.fields == expected
    assert (record.email, record.status, record.first_name, record.last_name, record.company) == (
        info.get("PrimaryEmailAddress"), info.get("CustomerStatusCode"), info.get("FirstName"),
        info.get("LastName"), info.get("CompanyName"))


_FLAG_VALUES = [True, False, None, 1, 0, "Y", "N", "true", "false", " yes ", 2.5, [True]]


@given(*(st.sampled_from(_FLAG_VALUES) for _ in _FLAGS))
def test_email_is_allowed_only_when_both_flags_say_so_and_no_do_not_solicit(allow, solicit, dns):
    """Seed 001: Allow Solicitation = false forces Allow Email = false; a flag that is absent
    or unreadable is not allowed. PDS may say a flag as true/false, 1/0 or "Y"/"N"."""
    def says_yes(value: object) -> bool:
        if isinstance(value, bool | int):
            return bool(value)
        return isinstance(value, str) and value.strip().lower() in {"true", "t", "y", "yes", "1"}

    info = {"MasterCustomerId": "000000000042", "SubCustomerId": 0,
            "AllowEmail": allow, "AllowSolicitation": solicit, "DoNotSolicitByEmail": dns}
    record = to_record({k: v for k, v in info.items() if v is not None})
    assert record.ams_id == "000000000042-0"
    assert record.remote_opt_out is not (says_yes(allow) and says_yes(solicit)
                                         and not says_yes(dns))  # fmt: skip
