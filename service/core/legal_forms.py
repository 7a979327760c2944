"""Company legal forms (OOO, LLC, d.o.o., GmbH, AO, JSC, PJSC...) mapped to a few generic classes.

Written for this service after consulting the public OpenSanctions rigour table of organisation types
(`shared/data/opensanctions/rigour_org_types.json`); only forms seen on sanctions lists and in trade paperwork are
kept. Aliases are written as the tokens `service.core.names` produces before skeleton folding: lowercase ASCII,
dots inside abbreviations removed ("d.o.o." → "doo", "Sp. z o.o." → "sp z oo"), Cyrillic in ICAO transliteration.
A legal form is weak evidence about the entity (its kind), never its identity.
"""

from __future__ import annotations

from collections.abc import Sequence

# Generic class → aliases. Classes follow rigour's generic codes where they exist.
LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    # Limited liability / private limited companies.
    "LLC": (
        "llc",
        "l l c",
        "limited liability company",
        "limited liability co",
        "limited liability partnership company",
        "ooo",
        "obshchestvo s ogranichennoi otvetstvennostiu",
        "obshchestvo s ogranichennoy otvetstvennostyu",
        "tov",  # Ukrainian ТОВ
        "tovarystvo z obmezhenoiu vidpovidalnistiu",
        "too",  # Kazakh ТОО
        "mchj",  # Uzbek
        "doo",  # Serbian, Croatian, Slovenian, Bosnian d.o.o.
        "dooel",
        "drushtvo so ogranichena odgovornost",
        "drustvo s ogranicenom odgovornoscu",
        "drustvo sa ogranicenom odgovornoscu",
        "gmbh",
        "gesellschaft mit beschrankter haftung",
        "sp z oo",
        "spolka z ograniczona odpowiedzialnoscia",
        "sro",
        "spol s ro",
        "srl",
        "sarl",
        "sl",
        "ltd",
        "ltda",
        "limited",
        "pty ltd",
        "pte ltd",
        "private limited",
        "private limited company",
        "pvt ltd",
        "bv",
        "besloten vennootschap",
        "ood",  # Bulgarian
        "eood",
        "kft",
        "oy",
        "fze",
        "fzco",
        "fz llc",
        "fzllc",
        "sdn bhd",
        "co ltd",
        "company limited",
        "llp",
    ),
    # Joint-stock / public companies.
    "JSC": (
        "jsc",
        "joint stock company",
        "jointstock company",
        "joint stock co",
        "ao",
        "aktsionernoe obshchestvo",
        "aktsionernoye obshchestvo",
        "pjsc",
        "pao",
        "public joint stock company",
        "publichnoe aktsionernoe obshchestvo",
        "ojsc",
        "oao",
        "open joint stock company",
        "otkrytoe aktsionernoe obshchestvo",
        "cjsc",
        "zao",
        "closed joint stock company",
        "zakrytoe aktsionernoe obshchestvo",
        "nao",
        "pat",  # Ukrainian ПАТ
        "prat",
        "at",
        "ad",  # Serbian / Bulgarian a.d.
        "akcionarsko drustvo",
        "ag",
        "aktiengesellschaft",
        "sa",
        "spa",
        "plc",
        "public limited company",
        "nv",
        "as",
        "asa",
        "oyj",
        "ab",
        "kk",
        "kabushiki kaisha",
        "tbk",
    ),
    # Corporations without a more precise class (US and generic English usage).
    "CORP": (
        "corp",
        "corporation",
        "inc",
        "incorporated",
        "co",
        "company",
        "cia",
    ),
    "LP": (
        "lp",
        "limited partnership",
        "kg",
        "gmbh co kg",
        "ohg",
        "kd",
        "snc",
    ),
    "COOP": ("coop", "cooperative", "co operative"),
    # State-owned: Russian federal/state/municipal unitary enterprises.
    "SOE": (
        "fgup",
        "gup",
        "mup",
        "fsue",
        "sue",
        "federal state unitary enterprise",
        "state unitary enterprise",
        "federalnoe gosudarstvennoe unitarnoe predpriiatie",
        "gosudarstvennoe unitarnoe predpriiatie",
        "fgbu",
        "fgbou",
    ),
}

# Alias token tuple → class; longest aliases are tried first so "public joint stock company" wins over "company".
_ALIASES: dict[tuple[str, ...], str] = {
    tuple(alias.split()): generic for generic, aliases in LEGAL_FORMS.items() for alias in aliases
}
_MAX_LEN = max(len(key) for key in _ALIASES)
# Short aliases that are also ordinary name words or particles ("as", "at", "co", "ad", "sa"): only recognised at the
# ends of a name, never in the middle, where they are much more likely to be part of the name itself.
_EDGE_ONLY_MAX_TOKENS = 1


def strip_legal_forms(tokens: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split ASCII name tokens into (identity tokens, legal-form classes found); never strips a name down to nothing."""
    rest = list(tokens)
    found: list[str] = []
    changed = True
    while changed and rest:
        changed = False
        for size in range(min(_MAX_LEN, len(rest) - 1), 0, -1):
            head = tuple(rest[:size])
            if head in _ALIASES:
                found.append(_ALIASES[head])
                rest = rest[size:]
                changed = True
                break
            tail = tuple(rest[-size:])
            if tail in _ALIASES:
                found.append(_ALIASES[tail])
                rest = rest[:-size]
                changed = True
                break
    # Multi-word forms are unambiguous anywhere ("Iskra joint stock company Technologies" is still a JSC).
    index = 0
    while index < len(rest) and len(rest) > 1:
        for size in range(min(_MAX_LEN, len(rest) - 1), _EDGE_ONLY_MAX_TOKENS, -1):
            window = tuple(rest[index : index + size])
            if len(window) == size and window in _ALIASES:
                found.append(_ALIASES[window])
                del rest[index : index + size]
                break
        else:
            index += 1
    return rest, found


def legal_form_at(tokens: Sequence[str], index: int) -> tuple[str, int] | None:
    """The legal-form class and alias length starting at `tokens[index]` (longest alias first), or None."""
    for size in range(min(_MAX_LEN, len(tokens) - index), 0, -1):
        generic = _ALIASES.get(tuple(tokens[index : index + size]))
        if generic is not None:
            return generic, size
    return None
