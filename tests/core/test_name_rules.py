"""Golden cases for each token rewrite of service.core.name_rules, including what must stay untouched."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.core.name_rules import rewrite_tokens
from service.core.names import latin_tokens

PERSON = True
ORG = False
UNKNOWN = None
Case = tuple[str, bool | None, str]  # (space-separated input tokens, person, space-separated expected tokens)


def check(cases: list[Case]) -> None:
    for given_tokens, person, expected in cases:
        assert rewrite_tokens(given_tokens.split(), person) == expected.split(), (given_tokens, person)


@pytest.mark.parametrize(
    ("text", "person", "expected"),
    [
        ("brigade forty four", ORG, "brigade 44"),
        ("brigade fourty four", ORG, "brigade 44"),  # the common misspelling
        ("brigade forty 4", ORG, "brigade 44"),
        ("three percenters", ORG, "3 percenters"),
        ("three percenters", UNKNOWN, "3 percenters"),
        ("first international bank", ORG, "1 international bank"),
        ("1st international bank", ORG, "1 international bank"),
        ("second", ORG, "2"),
        ("2nd", ORG, "2"),
        ("3rd ocean", ORG, "3 ocean"),
        ("twelfth ocean", ORG, "12 ocean"),
        ("11th 12th 13th", ORG, "11 12 13"),
        ("21st century", ORG, "21 century"),
        ("twenty first century", ORG, "21 century"),
        ("558th aircraft repair plant", ORG, "558 aircraft repair plant"),
        ("one hundred", ORG, "100"),
        ("one hundred twenty first", ORG, "121"),  # "and" is already dropped by the tokeniser
        ("nineteen hundred", ORG, "1900"),
        ("two thousand five", ORG, "2005"),
        ("one belt one road", ORG, "1 belt 1 road"),  # both sides get it, so "One" stays comparable
        ("one two", ORG, "1 2"),  # two numbers, not a compound
        ("two hundred three", ORG, "203"),
        ("hundred hundred", ORG, "100 100"),  # a hundred cannot multiply a hundred
        ("forty 44", ORG, "40 44"),  # only a single digit completes a tens word
        ("ten sergey yuryevich", ORG, "10 sergey yuryevich"),
    ],
)
def test_numbers_in_words_become_digits(text: str, person: bool | None, expected: str) -> None:
    check([(text, person, expected)])


def test_numbers_untouched() -> None:
    check(
        [
            ("4st 1th 12st", ORG, "4st 1th 12st"),  # not ordinals
            ("three percenters", PERSON, "three percenters"),
            ("first secretary smith", PERSON, "first secretary smith"),
            ("one", PERSON, "one"),
            ("1st smith jones", PERSON, "1st smith jones"),
            ("ten sergey yuryevich", UNKNOWN, "ten sergey yuryevich"),  # Korean-Russian surname Ten
            ("ten thousand trading", UNKNOWN, "10000 trading"),  # part of a longer number it is one
            ("2004 1", ORG, "2004 1"),
        ]
    )


def test_roman_numerals_become_numbers_for_organisations() -> None:
    check(
        [
            ("apollo investment fund viii lp", ORG, "apollo investment fund 8 lp"),
            ("apollo investment fund ix lp", ORG, "apollo investment fund 9 lp"),
            ("bowne global solutions ii", ORG, "bowne global solutions 2"),
            ("citigroup capital trust xv", ORG, "citigroup capital trust 15"),
            ("trust xx xxxix", ORG, "trust 20 39"),
            ("iii iv vii xiv", UNKNOWN, "3 4 7 14"),
            ("xi trading", ORG, "11 trading"),
        ]
    )


def test_roman_numerals_untouched() -> None:
    check(
        [
            ("partners v x i", ORG, "partners v x i"),  # single letters stay letters
            ("iiii vx iix xl lx xxxx", ORG, "iiii vx iix xl lx xxxx"),  # not canonical, or 40 and above
            ("li mix civic", ORG, "li mix civic"),
            ("xi jinping", UNKNOWN, "xi jinping"),  # may be the person Xi
            ("vi nguyen", UNKNOWN, "vi nguyen"),
            ("xi jinping", PERSON, "xi jinping"),
            ("louis xiv bourbon", PERSON, "louis xiv bourbon"),
        ]
    )


def test_generational_suffixes_dropped_for_persons() -> None:
    check(
        [
            ("john smith jr", PERSON, "john smith"),
            ("knowles jr samuel", PERSON, "knowles samuel"),
            ("del rosario santos iii hilarion", PERSON, "del rosario santos hilarion"),
            ("ivanov sr sergey", PERSON, "ivanov sergey"),
            ("smith jr", PERSON, "smith jr"),  # too little name left
            ("ii naosuke tanaka", PERSON, "ii naosuke tanaka"),  # Japanese surname Ii
            ("john smith jr", UNKNOWN, "john smith jr"),
            ("del rosario santos iii", UNKNOWN, "del rosario santos 3"),
        ]
    )


def test_organisation_abbreviations_expanded() -> None:
    check(
        [
            ("1 bank intl", ORG, "1 bank international"),
            ("us department of state", ORG, "united states department of state"),
            ("tabacos usa inc", ORG, "tabacos united states inc"),
            ("petropars uk limited", ORG, "petropars united kingdom limited"),
            ("uae natl oil", ORG, "united arab emirates national oil"),
            ("dept assn assoc univ inst", ORG, "department association association university institute"),
            ("bestop mfg", ORG, "bestop manufacturing"),
            ("mehdi bros svcs svc govt", UNKNOWN, "mehdi brothers services service government"),
        ]
    )


def test_abbreviations_untouched() -> None:
    check(
        [
            ("iskra co ltd", ORG, "iskra co ltd"),  # legal forms are service.core.legal_forms' business
            ("acme corp inc llc", ORG, "acme corp inc llc"),
            ("first bank intl", PERSON, "first bank intl"),
            ("pae won uk", PERSON, "pae won uk"),  # Korean given name
            ("pae won uk", UNKNOWN, "pae won uk"),
        ]
    )


@pytest.mark.parametrize(
    ("text", "person", "expected"),
    [
        ("dr rami makhlouf", PERSON, "rami makhlouf"),
        ("mr recep tayyip erdogan", PERSON, "recep tayyip erdogan"),
        ("mrs ms miss jane ann doe", PERSON, "jane ann doe"),
        ("shaikh isa bin tarif al bin ali", PERSON, "isa bin tarif al bin ali"),
        ("haji mullah mohammad omar", PERSON, "mohammad omar"),
        ("ashraf haji muhammad", PERSON, "ashraf muhammad"),
        ("maulawi ahmed shah", PERSON, "ahmed shah"),
        ("ayatollah ali khamenei", PERSON, "ali khamenei"),
        ("general qassem soleimani", PERSON, "qassem soleimani"),
        ("kasmuri lt col rtd abdul manaf", PERSON, "kasmuri abdul manaf"),
        ("major general john smith", PERSON, "john smith"),
        ("major john smith", PERSON, "john smith"),
        ("dr rami makhlouf", UNKNOWN, "rami makhlouf"),
        ("sheikh ahmed ismail yassin", UNKNOWN, "ahmed ismail yassin"),
    ],
)
def test_titles_dropped(text: str, person: bool | None, expected: str) -> None:
    check([(text, person, expected)])


def test_titles_untouched() -> None:
    check(
        [
            ("dr makhlouf", PERSON, "dr makhlouf"),  # two tokens: too little name left
            ("mr dr", PERSON, "mr dr"),
            ("john major", PERSON, "john major"),
            ("john roy major", PERSON, "john roy major"),  # a surname, not a title, after the name
            ("ito gen taro", PERSON, "ito gen taro"),
            # Also given names: never dropped.
            ("amir khan muttaqi", PERSON, "amir khan muttaqi"),
            ("emir abdul kader", PERSON, "emir abdul kader"),
            ("sayed mohammad agha", PERSON, "sayed mohammad agha"),
            ("sayyid ali hosseini", PERSON, "sayyid ali hosseini"),
            ("hafiz muhammad saeed", PERSON, "hafiz muhammad saeed"),
            ("imam ali hassan", PERSON, "imam ali hassan"),
            ("king charles smith", PERSON, "king charles smith"),
            ("prince yormie johnson", PERSON, "prince yormie johnson"),
            # Organisations keep every word; unknown types keep the office titles that open organisation names.
            ("haji basir hawala", ORG, "haji basir hawala"),
            ("general dynamics corporation", UNKNOWN, "general dynamics corporation"),
            ("admiral makarov vessel", UNKNOWN, "admiral makarov vessel"),
            ("president hotel group", ORG, "president hotel group"),
        ]
    )


@pytest.mark.parametrize(
    ("token", "expected"),
    [("ig0r", "igor"), ("sech1n", "sechin"), ("i9or", "igor"), ("g4zpr0m", "gazprom"), ("m3rk5l", "merksl")],
)
def test_digits_used_as_letters(token: str, expected: str) -> None:
    for person in (PERSON, ORG, UNKNOWN):
        assert rewrite_tokens([token, "name"], person) == [expected, "name"]


@pytest.mark.parametrize(
    "token",
    [
        "2004",
        "ahl1",  # tranche marker: digit at the end
        "ar16",
        "4x4",
        "t3",
        "1ab",
        "a1b",  # fewer than three letters
        "b2b",  # 2 and 6 look like no letter
        "x6ab",
        "ab12cd",  # a run of digits is a number, not a letter
    ],
)
def test_digits_untouched(token: str) -> None:
    assert rewrite_tokens(["trust", token], PERSON) == ["trust", token]


def test_arabic_name_forms() -> None:
    check(
        [
            ("abd al aziz al nuristani", PERSON, "abdul aziz al nuristani"),
            ("abd el kader mahmoud", PERSON, "abdul kader mahmoud"),
            ("abd ul haq", PERSON, "abdul haq"),
            ("abd ar rahman", PERSON, "abdul rahman"),
            ("abd ur rahman", PERSON, "abdul rahman"),
            ("abd er rahman", PERSON, "abdul rahman"),
            ("abd as salam", PERSON, "abdul salam"),
            ("abd ash shakur", PERSON, "abdul shakur"),
            ("abd az zahra", PERSON, "abdul zahra"),
            ("abd ad daim", UNKNOWN, "abdul daim"),
            ("abdelkader abdelaziz", PERSON, "abdul kader abdul aziz"),  # as "abd al-kader" is written
            ("abdallah abdolreza abdilahi abdallahi", PERSON, "abdullah abdul reza abdulahi abdullahi"),
            ("abdurrahman abdurahim abdessamad", PERSON, "abdul rahman abdul rahim abdul samad"),  # assimilated "al"
            ("abdur rehman abdon", PERSON, "abdur rehman abdon"),  # written apart, the "ur" stays as written
            ("abdoulaye wade", PERSON, "abdulaye wade"),
            ("abdel fattah al sisi", PERSON, "abdul fattah al sisi"),
            ("bachar el assad", PERSON, "bachar al assad"),
            ("al ben ali isa ben tarif", PERSON, "al bin ali isa bin tarif"),
            ("usama ibn laden", PERSON, "usama bin laden"),
            ("muhammad bn salman", PERSON, "muhammad bin salman"),
            ("mahfouz ould al walid", PERSON, "mahfouz bin al walid"),  # Mauritanian "son of"
            ("sirajuddin noureddine salahaldin", PERSON, "siraj al din nour al din salah al din"),  # X al-Din
            ("borodin aladdin", PERSON, "borodin aladdin"),  # one d, or too short a stem: no compound
            # The d written once: after a "u" (Malay, South Asian), before a French "dine" (Maghreb).
            ("saifudin jallaloudine nourredine", PERSON, "saif al din jallal al din nourr al din"),
            ("claudine giroudin", PERSON, "claudine giroudin"),  # French "-udine" and "-oudin": no compound
            ("nasr ed deen siraj ud din", PERSON, "nasr al din siraj al din"),  # written apart: article and Din
            ("mohamed el", PERSON, "mohamed al"),  # wherever it stands (word order never changes a score)
            ("beit el mal holdings", ORG, "beit al mal holdings"),
        ]
    )


def test_arabic_forms_untouched() -> None:
    check(
        [
            ("abd rabbuh mansur hadi", PERSON, "abd rabbuh mansur hadi"),  # no article: a name of its own
            ("samir abd al", PERSON, "samir abd al"),  # nothing after the article
            ("abdul aziz", PERSON, "abdul aziz"),
            ("abdi ahmed", PERSON, "abdi ahmed"),
            ("al assad bashar", PERSON, "al assad bashar"),
        ]
    )


def test_initials_clusters_split_for_persons() -> None:
    check(
        [
            ("jc juncker", PERSON, "j c juncker"),
            ("al bani sulaiman abdulkhaliq rh", PERSON, "al bani sulaiman abdul khaliq r h"),
            ("jfk kennedy", PERSON, "j f k kennedy"),
        ]
    )


def test_initials_untouched() -> None:
    check(
        [
            ("ng wai kit", PERSON, "ng wai kit"),
            ("mh chan", PERSON, "mh chan"),
            ("md abdul karim", PERSON, "md abdul karim"),
            ("mhd hamsho", PERSON, "mhd hamsho"),
            ("swe khin mg", PERSON, "swe khin mg"),
            ("siti bt ahmad", PERSON, "siti bt ahmad"),
            ("li wei", PERSON, "li wei"),  # has a vowel
            ("ly wei", PERSON, "ly wei"),  # "y" counts as a vowel
            ("nicolas maduro llc", PERSON, "nicolas maduro llc"),  # a legal form, not three initials
            ("smith jr", PERSON, "smith jr"),
            # Transliterations of scripts without written vowels: every word is vowel-less.
            ("brk wbm", PERSON, "brk wbm"),
            ("rf ly zrdry", PERSON, "rf ly zrdry"),
            ("jc penney", ORG, "jc penney"),
            ("jc juncker", UNKNOWN, "jc juncker"),
        ]
    )


@pytest.mark.parametrize(
    ("a", "b", "person"),
    [
        ("Brigade Forty-Four", "Brigade 44", ORG),
        ("Brigade Fourty-four", "BRIGADE 44", ORG),
        ("1st International Bank", "First International Bank", ORG),
        ("3 Percenters", "Three Percenters", UNKNOWN),
        ("First Bank Int'l", "1st Bank International", ORG),
        ("U.S. Department of State", "United States Department of State", ORG),
        ("Dr. Rami Makhlouf", "Rami Makhlouf", PERSON),
        ("'Abd al-Aziz", "Abdul Aziz", PERSON),
        ("Abd-el-Kader", "Abdul Kader", PERSON),
        ("Ig0r Sech1n", "Igor Sechin", PERSON),
        ("J.C. Juncker", "JC Juncker", PERSON),
    ],
)
def test_variants_meet_from_raw_text(a: str, b: str, person: bool | None) -> None:
    assert sorted(rewrite_tokens(latin_tokens(a), person)) == sorted(rewrite_tokens(latin_tokens(b), person))


@pytest.mark.parametrize(
    ("a", "b", "person"),
    [
        ("Apollo Investment Fund VIII", "Apollo Investment Fund IX", ORG),
        ("One Bank", "Two Bank", ORG),
        ("Abd Rabbuh Mansur", "Abdul Rabbuh Mansur", PERSON),
    ],
)
def test_different_names_stay_different(a: str, b: str, person: bool | None) -> None:
    assert sorted(rewrite_tokens(latin_tokens(a), person)) != sorted(rewrite_tokens(latin_tokens(b), person))


def test_empty_stays_empty() -> None:
    for person in (PERSON, ORG, UNKNOWN):
        assert rewrite_tokens([], person) == []


# Tokens that trigger every rule, mixed with ordinary ones.
_VOCABULARY = (
    "mr dr sheikh haji general major jr sr ii iii iv viii xi x v i one forty four fourty hundred thousand first "
    "21st 4 2004 ahl1 ig0r sech1n abd al el ben ibn bn abdelkader intl us uk uae jc ng brk llc ltd co smith ali"
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_VOCABULARY.split()), min_size=1, max_size=8), st.sampled_from([PERSON, ORG, UNKNOWN]))
def test_never_empty_and_always_tokens(tokens: list[str], person: bool | None) -> None:
    out = rewrite_tokens(tokens, person)
    assert out
    assert all(re.fullmatch(r"[a-z0-9]+", t) for t in out)
    if person is not None:
        # One pass reaches the canonical form. Not for unknown types: "Mr US" keeps its title (one other token) and
        # only its expansion "united states" would let a second pass drop it.
        assert rewrite_tokens(out, person) == out
