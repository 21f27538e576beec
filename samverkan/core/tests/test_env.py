import pytest
from django.core.exceptions import ImproperlyConfigured

from samverkan.core.env import env_bool, env_choice, env_int, env_list


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("off", False), ("", False)]
)
def test_env_bool(monkeypatch, raw, expected):
    monkeypatch.setenv("X", raw)
    assert env_bool("X", not expected) is expected


def test_bad_values_fail_loudly_naming_the_variable(monkeypatch):
    monkeypatch.setenv("X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X='maybe'"):
        env_bool("X", False)
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("X", 5)
    monkeypatch.setenv("X", "2")
    with pytest.raises(ImproperlyConfigured, match="at least 3"):
        env_int("X", 5, minimum=3)
    with pytest.raises(ImproperlyConfigured, match="one of sv, en"):
        env_choice("X", "sv", ["sv", "en"])


def test_defaults_need_no_configuration(monkeypatch):
    monkeypatch.delenv("X", raising=False)
    assert env_int("X", 5) == 5
    assert env_list("X", ["a"]) == ["a"]
    assert env_choice("X", "sv", ["sv", "en"]) == "sv"
    monkeypatch.setenv("X", " a, b ,,")
    assert env_list("X", []) == ["a", "b"]
