"""The code format: every single-symbol mistake and every swap of neighbours is caught."""

import itertools
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samverkan.referrals import codes
from samverkan.referrals.codes import (
    ALPHABET,
    LENGTH,
    MalformedCode,
    MistypedCode,
    check_symbol,
    display,
    is_well_formed,
    new_code,
    normalise,
    parse,
)

payloads = st.text(alphabet=ALPHABET, min_size=LENGTH - 1, max_size=LENGTH - 1)
valid_codes = payloads.map(lambda payload: payload + check_symbol(payload))


def test_the_alphabet_has_no_symbol_that_reads_as_another():
    assert len(ALPHABET) == 31 == len(set(ALPHABET))
    assert not set("0O1IL") & set(ALPHABET)
    assert set(ALPHABET) == set("23456789") | (set(string.ascii_uppercase) - set("ILO"))


def test_new_codes_are_valid_and_differ():
    made = {new_code() for _unused in range(200)}
    assert len(made) == 200
    assert all(is_well_formed(code) and len(code) == LENGTH for code in made)


@given(valid_codes)
def test_every_code_made_from_a_payload_is_well_formed(code):
    assert is_well_formed(code)
    assert parse(display(code).lower()) == code


def _single_changes(code: str):
    for position in range(LENGTH):
        for symbol in ALPHABET:
            if symbol != code[position]:
                yield code[:position] + symbol + code[position + 1 :]


def _neighbour_swaps(code: str):
    for position in range(LENGTH - 1):
        a, b = code[position], code[position + 1]
        if a != b:
            yield code[:position] + b + a + code[position + 2 :]


@given(valid_codes)
def test_every_single_symbol_mistake_is_detected(code):
    for wrong in _single_changes(code):
        assert not is_well_formed(wrong), (code, wrong)
        with pytest.raises(MistypedCode):
            parse(wrong)


@given(valid_codes)
def test_every_swap_of_neighbouring_symbols_is_detected(code):
    for wrong in _neighbour_swaps(code):
        assert not is_well_formed(wrong), (code, wrong)


def test_every_mistake_is_detected_for_every_position_and_pair_of_symbols():
    """Exhaustive, not sampled: the check is linear, so a mistake changes the weighted sum by
    an amount that depends only on the position and the two symbols involved, never on the rest
    of the code. Checking that amount for every position and every pair of symbols therefore
    covers every valid code (31**7 of them)."""
    value = codes.VALUE
    for position, (a, b) in itertools.product(
        range(1, LENGTH + 1), itertools.permutations(ALPHABET, 2)
    ):
        # A single substitution of a by b at `position`.
        assert position * (value[b] - value[a]) % 31 != 0
        if position < LENGTH:
            # a at `position` and b after it, swapped.
            before = position * value[a] + (position + 1) * value[b]
            after = position * value[b] + (position + 1) * value[a]
            assert (after - before) % 31 != 0


def test_the_exhaustive_argument_matches_the_implementation():
    """The same, through is_well_formed, on a few concrete codes including extremes."""
    for payload in ["2222222", "ZZZZZZZ", "K7QP4XM", "23456789"[:7]]:
        code = payload + check_symbol(payload)
        assert is_well_formed(code)
        assert not any(is_well_formed(wrong) for wrong in _single_changes(code))
        assert not any(is_well_formed(wrong) for wrong in _neighbour_swaps(code))


@given(valid_codes, st.lists(st.sampled_from([" ", "-", "  ", "\t"]), max_size=LENGTH + 1))
def test_case_spaces_and_hyphens_do_not_matter(code, separators):
    typed = "".join(
        symbol.lower() + (separators[i] if i < len(separators) else "")
        for i, symbol in enumerate(code)
    )
    assert normalise(typed) == code


def test_display_groups_in_fours():
    assert display("K7QP4XMC") == "K7QP-4XMC"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("K7QP-0XMC", "“0” (character 6)"),
        ("k7qp-4xmo", "“o” (character 9)"),
        ("K7QP 4XM1", "“1” (character 9)"),
        ("K7QP-4XM!", "“!” (character 9)"),
        ("K7QP-ÅXMC", "“Å” (character 6)"),
        ("  K7QP-0XMC", "“0” (character 8)"),  # the place in what was typed, spaces included
    ],
)
def test_a_character_outside_the_alphabet_is_named_with_its_place(typed, says):
    with pytest.raises(MalformedCode) as error:
        normalise(typed)
    assert says in str(error.value)


def test_wrong_length_and_empty_are_malformed():
    with pytest.raises(MalformedCode, match="8 characters; this has 7"):
        normalise("K7QP-4XM")
    with pytest.raises(MalformedCode, match="Enter a code"):
        normalise(" - ")


@given(st.text(max_size=30))
def test_normalise_accepts_or_refuses_cleanly(text):
    try:
        code = normalise(text)
    except MalformedCode as error:
        assert str(error)
    else:
        assert len(code) == LENGTH and set(code) <= set(ALPHABET)
