"""Rewrites of name tokens that lists and counterparties write in different but equivalent ways.

`rewrite_tokens` runs on the tokens of `service.core.names.latin_tokens` (lowercase ASCII, punctuation split, "and" /
"the" dropped), before legal forms and seats are set aside and before skeleton folding. Every rule is applied to both
names of a comparison, so a rule only has to map equivalent spellings to one form; it never has to be a translation.
Rules depend on the entity type because the same word is identity in one kind of name and noise in another:

| rule                                 | person=True | person=None       | person=False |
|--------------------------------------|-------------|------------------|--------------|
| digits used as letters ("sech1n")    | yes         | yes              | yes          |
| Arabic abd-al / abdel / ibn / el     | yes         | yes              | yes          |
| number words and ordinals → digits   | no          | yes, but         | yes          |
| roman numerals 2..39 → digits        | no          | yes, but         | yes          |
| organisation abbreviations expanded  | no          | yes, but         | yes          |
| courtesy / religious titles dropped  | yes         | yes              | no           |
| military / office titles dropped     | yes         | no               | no           |
| generational suffixes dropped        | yes         | no               | no           |
| vowel-less clusters split (initials) | yes         | no               | no           |

An unknown type (None) is usually a query without a schema, compared with listed names rewritten under their own
type. So for None, "but" means: tokens that are also personal names ("xi", "vi", "uk", "ten") stay words, and only
titles that never open an organisation's name are dropped. Titles and suffixes go first, on the words as written,
so removing one never creates an "abd al" or a compound number that the written name did not have.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from service.core.legal_forms import legal_form_at

# --- digits used as letters ---------------------------------------------------------------------------------------
# The usual look-alikes; 2 and 6 have none, so a token containing them is left alone.
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g"})
# A lone digit between two letters; tokens that start or end with a digit ("ahl1", "4x4", "2004") are codes.
_LEET_TOKEN = re.compile(r"[a-z]+(?:[013457-9][a-z]+)+")
_LEET_MIN_LETTERS = 3

# --- Arabic name forms --------------------------------------------------------------------------------------------
# The article after "abd", with its sun-letter assimilations in a-, e- (Maghreb, Egypt) and u- (South Asia) spellings.
_ARTICLES = frozenset(
    f"{vowel}{consonant}" for vowel in "aeu" for consonant in ("l", "r", "s", "d", "n", "t", "z", "sh", "dh", "th")
)
# "Abdelkader", "Abdolreza", "Abdoulaye", "Abdilahi", "Abdurrahman", "Abdus Salam": abd + article written as one
# word, the article's l assimilated to a sun letter ("ur", "us") as it is pronounced.
_ABD_JOINED = re.compile(r"abd(?:(?:ou|[oi])(l)|[aeu](sh|dh|th|[lrsdntz]))")
_ABD_NAME_MIN = 4  # letters after "Abdel" that are a name of their own ("kader", "aziz", "reza")
# "Sirajuddin", "Noureddine", "Salahaldin": X al-Din written as one word, the article's l assimilated to the d
# ("ud-din"): a stem of three letters or more, the article ("ud", "ed", "oud", "al", "el"), and "din". A single d
# is left alone: "Borodin" is no compound.
_DIN_JOINED = re.compile(r"([a-z]{3,}?)(?:(?:ou|[aeiou])d|[aeiou]l)(din|dine|deen|dyn)")
# Maghrebi and French spellings may write the assimilated d once before a closing "dine" ("Ezzedine", "Nourredine",
# "Nasseredine" beside "Ezzeddine", "Noureddine"): the French ending keeps "Borodin" and "Fedin" apart.
_DIN_ONE_D = re.compile(r"([a-z]{3,}?)e(dine)")
# Malay, Indonesian and South Asian spellings write it once after a "u" ("Saifudin", "Salahudin", "Kamarudin",
# "Gulbudin"), French ones after an "ou" before "dine" ("Jallaloudine"); French names keep their own "-udine"
# ("Claudine") and "-oudin".
_DIN_ONE_D_U = re.compile(r"([a-z]{3,}?)(?:ou(dine)|(?<!o)u(din))")
# The spellings of that "Din" (الدين romanises "al dyn"): after the article, one word however spelled.
DIN_SPELLINGS = frozenset({"din", "dine", "deen", "dyn"})
_DIN_ENDINGS = tuple(DIN_SPELLINGS)  # each of the three patterns ends in one of them
_SON_OF = frozenset({"ben", "ibn", "bn", "ould"})  # "ould": Mauritanian "son of"
# Words romanised from Arabic letters (before the skeleton's w → v): ولد "son of" and ابو, whose و is a vowel in
# every Latin spelling.
_ABJAD_WORDS = {"wld": "bin", "abw": "abu"}

# --- numbers ------------------------------------------------------------------------------------------------------
_UNIT_WORDS = "one two three four five six seven eight nine"
_TEEN_WORDS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
_TEN_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety"
_ORDINAL_UNIT_WORDS = "first second third fourth fifth sixth seventh eighth ninth"
_ORDINAL_TEEN_WORDS = (
    "tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"
)
_ORDINAL_TEN_WORDS = "twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth"
_DIGIT_ORDINAL = re.compile(r"(\d+)(st|nd|rd|th)")

# Word classes of the number reader.
_UNIT, _TEEN, _TEN, _HUNDRED, _THOUSAND, _DIGIT = range(6)


def _number_table(words: str, kind: int, first: int, step: int, ordinal: bool) -> dict[str, tuple[int, int, bool]]:
    """Consecutive number words with their values, so the tables stay one line of words each."""
    return {word: (kind, first + step * i, ordinal) for i, word in enumerate(words.split())}


# Word → (class, value, is an ordinal); an ordinal ends the number ("twenty first" = 21, "first" = 1).
_NUMBER_WORDS: dict[str, tuple[int, int, bool]] = {
    **_number_table(_UNIT_WORDS, _UNIT, 1, 1, False),
    **_number_table(_TEEN_WORDS, _TEEN, 10, 1, False),
    **_number_table(_TEN_WORDS, _TEN, 20, 10, False),
    **_number_table(_ORDINAL_UNIT_WORDS, _UNIT, 1, 1, True),
    **_number_table(_ORDINAL_TEEN_WORDS, _TEEN, 10, 1, True),
    **_number_table(_ORDINAL_TEN_WORDS, _TEN, 20, 10, True),
    "fourty": (_TEN, 40, False),  # the common misspelling
    "fourtieth": (_TEN, 40, True),
    "hundred": (_HUNDRED, 100, False),
    "hundredth": (_HUNDRED, 100, True),
    "thousand": (_THOUSAND, 1000, False),
    "thousandth": (_THOUSAND, 1000, True),
}
# Which word class may follow which: "forty four", "forty 4", "one hundred twenty", "two thousand five".
_FOLLOWS: dict[int | None, frozenset[int]] = {
    None: frozenset({_UNIT, _TEEN, _TEN, _HUNDRED, _THOUSAND}),
    _UNIT: frozenset({_HUNDRED, _THOUSAND}),
    _TEEN: frozenset({_HUNDRED, _THOUSAND}),
    _TEN: frozenset({_UNIT, _DIGIT, _THOUSAND}),
    _DIGIT: frozenset(),
    _HUNDRED: frozenset({_UNIT, _TEEN, _TEN, _THOUSAND}),
    _THOUSAND: frozenset({_UNIT, _TEEN, _TEN}),
}


def _roman(value: int) -> str:
    """The canonical (subtractive) roman numeral below 40, the only spelling accepted as a number."""
    out = ""
    for amount, letters in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        count, value = divmod(value, amount)
        out += letters * count
    return out


# Canonical numerals only ("iiii", "vx", "iix" are not numbers). 40 ("xl") and above would need l/c, which are far
# more often initials or words ("lc", "cc") than series numbers on lists; single letters stay letters.
_ROMAN = {numeral: str(n) for n in range(2, 40) if len(numeral := _roman(n)) > 1}

# --- organisation abbreviations -----------------------------------------------------------------------------------
# Only abbreviations with one reading in names; legal forms (co, corp, ltd, inc) belong to service.core.legal_forms.
_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "intl": ("international",),
    "natl": ("national",),
    "dept": ("department",),
    "assn": ("association",),
    "assoc": ("association",),
    "univ": ("university",),
    "inst": ("institute",),
    "mfg": ("manufacturing",),
    "bros": ("brothers",),
    "svc": ("service",),
    "svcs": ("services",),
    "govt": ("government",),
    "mgmt": ("management",),
    "hldg": ("holding",),
    "hldgs": ("holdings",),
    "us": ("united", "states"),
    "usa": ("united", "states"),
    "uk": ("united", "kingdom"),
    "uae": ("united", "arab", "emirates"),
}

# Also personal names (Chinese Xi, Vietnamese Vi, Korean Uk, Korean-Russian Ten): when the type is unknown the
# name may be a person's, compared with a listed person whose name was never rewritten, so these stay words.
_NAME_LIKE = frozenset({"xi", "vi", "uk", "ten"})

# --- titles -------------------------------------------------------------------------------------------------------
# Courtesy and religious titles: lists keep them apart from the name, counterparties write them in. Left out on
# purpose because they are also common given names: amir/emir, sayed/sayyid/syed, hafiz, king, imam, prince (the
# given name of e.g. Prince Yormie Johnson).
_HONORIFIC_WORDS = """
mr mrs ms miss dr prof sir dame reverend rev sheikh shaikh sheik shaykh haji hajji hadji alhaji
mullah mulla molla mollah mawlawi mawlavi maulawi maulvi moulavi moulvi molvi maulana mawlana
ayatollah ayatullah hojatoleslam hojjatoleslam
"""
_HONORIFICS = frozenset(_HONORIFIC_WORDS.split())
# Military and office titles: only for persons, because they also open organisation and vessel names ("General
# Motors", "President Hotel", "Admiral Makarov").
_OFFICE_WORDS = """
president minister senator princess general gen colonel col major captain capt lieutenant lt admiral commander
brigadier engineer retd rtd
"""
_OFFICE_TITLES = frozenset(_OFFICE_WORDS.split())
_PERSON_TITLES = _HONORIFICS | _OFFICE_TITLES
PERSON_TITLES = _PERSON_TITLES  # for service.core.names: a title is never a principal name part
# Also surnames or given names ("John Major", Japanese "Gen"): a title only at the start, before the name.
_LEADING_ONLY_TITLES = frozenset({"major", "gen"})
_TITLE_MIN_REST = 2  # "Dr. Makhlouf" keeps its "dr": two tokens are too little name to drop any of it

# --- persons ------------------------------------------------------------------------------------------------------
# Lists rarely carry generational suffixes; counterparties do ("John Smith Jr."). Never the first token (Japanese Ii).
_GENERATIONAL = frozenset({"jr", "jnr", "sr", "snr", "ii", "iii", "iv"})
_CLUSTER = re.compile(r"[b-df-hj-np-tv-xz]{2,3}")  # 2-3 letters, none of them a vowel (a, e, i, o, u, y)
_FULL_VOWELS = frozenset("aeiou")  # "y" also writes Arabic ي / Hebrew י, so it does not make a word vowelled
_WORD_MIN = 3  # the words that tell whether the name's script writes vowels
# Vowel-less short tokens that are names, not initials: Cantonese/Hokkien "Ng" and the syllabic nasal "Mh", the
# Muhammad abbreviations "Md"/"Mhd", Burmese "Mg" (Maung), Malay "bt" (binti), "St" (Saint). Titles and suffixes
# are never split either.
_NOT_INITIALS = frozenset({"ng", "mh", "md", "mhd", "mg", "bt", "st"}) | _PERSON_TITLES | _GENERATIONAL


def _digits_as_letters(token: str) -> str:
    """Obfuscation writes letters as look-alike digits ("Ig0r Sech1n"); codes keep their digits at an edge."""
    if not token.isalpha() and _LEET_TOKEN.fullmatch(token) and sum(ch.isalpha() for ch in token) >= _LEET_MIN_LETTERS:
        return token.translate(_LEET)
    return token


def _split_abd(tokens: Sequence[str], abjad: bool) -> list[str]:
    """Abd al-X written as one word ("Abdelkader") is "abdul" and the name, as written apart and in Arabic letters
    (`_arabic_forms`). Allah's name ("Abdallah") and remnants of it ("Abdoulaye") stay one word, written "abdul...".
    Arabic letters write no short vowels: three letters are a name there ("عبدالولی", Abd al-Wali). "Abdur" written
    apart stays as written."""
    least = _ABD_NAME_MIN - 1 if abjad else _ABD_NAME_MIN
    out: list[str] = []
    for token in tokens:
        joined = _ABD_JOINED.match(token) if token.startswith("abd") else None  # most words: no regex to run
        if joined is None:
            out.append(token)
            continue
        rest = token[joined.end() :]
        sun = joined.group(1) or joined.group(2)
        if rest and sun != "l" and not rest.startswith(sun):
            rest = sun + rest  # "Abdurahman": the assimilated letter opens the name (Rahman)
        if len(rest) >= least and not rest.startswith("lah"):
            out += ["abdul", rest]
        elif rest or sun == "l":
            out.append("abdul" + token[joined.end() :])  # "Abdel", "Abdallah"
        else:
            out.append(token)
    return out


def _split_din(tokens: Sequence[str]) -> list[str]:
    """X al-Din written as one word ("Sirajuddin") is the name, "al" and "din", as written apart and in Arabic
    letters ("سراج الدين")."""
    out: list[str] = []
    for token in tokens:
        if not token.endswith(_DIN_ENDINGS):  # most words: no regex to run
            out.append(token)
            continue
        joined = _DIN_JOINED.fullmatch(token) or _DIN_ONE_D.fullmatch(token) or _DIN_ONE_D_U.fullmatch(token)
        out += [joined.group(1), "al", joined.group(2) or joined.group(3)] if joined else [token]
    return out


def _arabic_forms(tokens: Sequence[str], abjad: bool) -> list[str]:
    """Abd al-X and Abd-er-X are "abdul" and the name X (as `_split_abd` writes Abdel-X), ben/ibn/bn/ould one
    connector, el one article, and a compound's article and "Din" one spelling each ("ud-Deen" is "al din");
    `abjad`: the words Arabic letters write their own way (`_ABJAD_WORDS`)."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "abd" and i + 2 < len(tokens) and tokens[i + 1] in _ARTICLES:
            out.append("abdul")  # "abd al aziz" = "abdul aziz"; the next word follows on its own
            i += 2
            continue
        if token in _SON_OF:
            out.append("bin")
        elif abjad and token in _ABJAD_WORDS:
            out.append(_ABJAD_WORDS[token])
        elif token in _ARTICLES and i + 1 < len(tokens) and tokens[i + 1] in DIN_SPELLINGS:
            out.append("al")  # "Nasr ed-Din", "Siraj ud-Din": the article, its l assimilated to the d
        elif token in DIN_SPELLINGS and out and out[-1] == "al":
            out.append("din")  # "Nour al-Deen", "Noureddine", الدين: the compound's "Din", however spelled
        elif token == "el":
            out.append("al")  # wherever it stands: a word's place in the name never changes a score
        else:
            out.append(token)
        i += 1
    return out


def _read_number(tokens: Sequence[str], start: int) -> tuple[int, int] | None:
    """The value of the number written in words from `tokens[start]` and the index after it, or None."""
    total = current = 0
    last: int | None = None
    i = start
    while i < len(tokens):
        token = tokens[i]
        word = _NUMBER_WORDS.get(token)
        if word is None and last == _TEN and len(token) == 1 and token in "123456789":
            word = (_DIGIT, int(token), False)  # "Forty 4" = "Forty-Four"
        if word is None or word[0] not in _FOLLOWS[last]:
            break
        kind, value, ordinal = word
        if kind == _HUNDRED:
            if current >= 100:
                break  # "two hundred three hundred" is two numbers
            current = (current or 1) * 100
        elif kind == _THOUSAND:
            if total:
                break
            total, current = (current or 1) * 1000, 0
        else:
            current += value
        last = kind
        i += 1
        if ordinal:
            break
    if last is None:
        return None
    return total + current, i


def _digit_ordinal(token: str) -> str | None:
    """'1st', '22nd', '113th' → the digits; None for anything else ('4st' is not an ordinal)."""
    found = _DIGIT_ORDINAL.fullmatch(token) if token[:1].isdigit() else None  # most words: no regex to run
    if found is None:
        return None
    digits, suffix = found.groups()
    n = int(digits)
    expected = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return digits if suffix == expected else None


def _numbers_as_digits(tokens: Sequence[str], keep: frozenset[str]) -> list[str]:
    """'Forty-Four', 'Fourty Four', 'First' and '1st' are the numbers 44 and 1, and numbers are identity."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        read = _read_number(tokens, i)
        if read is not None and not (read[1] == i + 1 and tokens[i] in keep):
            value, i = read
            out.append(str(value))
            continue
        out.append(_digit_ordinal(tokens[i]) or tokens[i])
        i += 1
    return out


def _roman_numerals(tokens: Sequence[str], keep: frozenset[str]) -> list[str]:
    """Series markers ('Fund VIII', 'Solutions II') are numbers: 'VIII' and 'IX' must differ as numbers do."""
    return [token if token in keep else _ROMAN.get(token, token) for token in tokens]


def _expand_abbreviations(tokens: Sequence[str], keep: frozenset[str]) -> list[str]:
    """'Intl', 'Natl', 'U.S.' are written out by other sources; both sides then meet on the full words."""
    return [word for token in tokens for word in ((token,) if token in keep else _ABBREVIATIONS.get(token, (token,)))]


def _drop_titles(tokens: Sequence[str], titles: frozenset[str]) -> list[str]:
    """Titles are not part of the name ('Dr. Rami Makhlouf' = 'Rami Makhlouf'); kept when little else is left."""
    leading = 0
    while leading < len(tokens) and tokens[leading] in titles:
        leading += 1
    drop = [i < leading or (token in titles and token not in _LEADING_ONLY_TITLES) for i, token in enumerate(tokens)]
    rest = [token for token, dropped in zip(tokens, drop, strict=True) if not dropped]
    return rest if len(rest) >= _TITLE_MIN_REST else list(tokens)


def _drop_generational(tokens: Sequence[str]) -> list[str]:
    """'Jr.', 'Sr.', 'III' after a person's name: lists rarely carry them, so they only cost the match."""
    rest = [token for i, token in enumerate(tokens) if i == 0 or token not in _GENERATIONAL]
    return rest if len(rest) >= _TITLE_MIN_REST else list(tokens)


def _initials_cluster(token: str) -> bool:
    """A 2-3 letter token without vowels that is not a known short name, title, suffix or legal form."""
    return (
        _CLUSTER.fullmatch(token) is not None
        and token not in _NOT_INITIALS
        and legal_form_at((token,), 0) is None  # "Nicolas Maduro LLC": a stray legal form is not three initials
    )


def _split_initials(tokens: Sequence[str]) -> list[str]:
    """'JC Juncker': a short vowel-less token is a cluster of initials, one per letter, like 'J.-C.'."""
    clusters = [_initials_cluster(t) for t in tokens]
    if not any(clusters):
        return list(tokens)
    words = [
        t
        for t, cluster in zip(tokens, clusters, strict=True)
        if not cluster and len(t) >= _WORD_MIN and t not in _NOT_INITIALS  # titles are not the name's words
    ]
    # Scripts that do not write short vowels (Arabic, Persian, Hebrew) come out of transliteration as vowel-less
    # words ("brk wbm" for باراك أوباما, "rf ly zrdry"): there a short vowel-less token is a name, not initials.
    if 2 * sum(1 for t in words if _FULL_VOWELS & set(t)) <= len(words):
        return list(tokens)
    return [part for t, cluster in zip(tokens, clusters, strict=True) for part in (t if cluster else (t,))]


def rewrite_tokens(tokens: Sequence[str], person: bool | None, abjad: bool = False) -> list[str]:
    """Equivalent spellings of `tokens` mapped to one form; `person` is True, False (organisation, vessel...) or None;
    `abjad`: romanised from Arabic, Persian or Hebrew letters, which write no initials.

    Never empties a non-empty name: if the rules leave nothing, the input comes back unchanged.
    """
    out = _split_abd([_digits_as_letters(t) for t in tokens], abjad)
    if person is not False:
        out = _split_din(out)
        # First, on the words as written: removing a title or suffix must not create an "abd al" or a number later.
        out = _drop_titles(out, _PERSON_TITLES if person else _HONORIFICS)
    if person is True:
        out = _drop_generational(out)
    out = _arabic_forms(out, abjad)
    if person is not True:
        keep = _NAME_LIKE if person is None else frozenset()
        out = _numbers_as_digits(out, keep)
        out = _roman_numerals(out, keep)
        out = _expand_abbreviations(out, keep)
    if person is True and not abjad:
        out = _split_initials(out)
    return out or list(tokens)
