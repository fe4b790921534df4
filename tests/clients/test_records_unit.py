"""Case-insensitive Dinero records."""

from __future__ import annotations

import pytest

from rackdinero_app.clients.records import Record
from rackdinero_app.clients.records import wrap


def test_keys_match_regardless_of_case_and_underscores():
    record = Record({"ContactGuid": "g", "TimeStamp": "t"})
    assert record["contactguid"] == record["CONTACTGUID"] == record.contact_guid == "g"
    assert record.timestamp == record["Timestamp"] == "t"
    assert list(record) == ["ContactGuid", "TimeStamp"]
    assert record.to_dict() == {"ContactGuid": "g", "TimeStamp": "t"}


def test_missing_keys_raise_the_usual_errors():
    record = Record({"Name": "x"})
    with pytest.raises(KeyError):
        record["Number"]
    with pytest.raises(AttributeError):
        _ = record.number
    assert record.get("Number") is None


def test_wrap_reaches_into_lists():
    wrapped = wrap([{"Lines": [{"AccountNumber": 1000}]}])
    assert wrapped[0].lines[0].account_number == 1000
