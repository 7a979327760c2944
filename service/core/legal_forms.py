"""Company legal forms (OOO, LLC, d.o.o., GmbH, AO, JSC, PJSC...) mapped to a few generic classes.

Written for this service after consulting the public OpenSanctions rigour table of organisation types
(`shared/data/opensanctions/rigour_org_types.json`); only forms seen on sanctions lists and in trade paperwork are
kept. Aliases are written as the tokens `service.core.names` produces before skeleton folding: lowercase ASCII,
dots inside abbreviations removed ("d.o.o." → "doo", "Sp. z o.o." → "sp z oo"), Cyrillic in ICAO transliteration.
A legal form is weak evidence about the entity (its kind), never its identity.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from rapidfuzz.distance import Indel

from service.core.memo import memo
from service.core.translit import skeleton

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
        "societatea cu raspundere limitata",  # Romanian SRL
        "societate cu raspundere limitata",
        "societa a responsabilita limitata",  # Italian
        "sociedad de responsabilidad limitada",
        "sociedad limitada",
        "societe a responsabilite limitee",
        "sociedade limitada",
        "limited sirketi",  # Turkish
        "ltd sti",
        "aps",  # Danish anpartsselskab
        "anpartsselskab",
        "bvba",
        "sprl",
        "shpk",  # Albanian
        "tov",
        "pt",  # Indonesian perseroan terbatas
        "uab",  # Lithuanian
        "cong ty tnhh",  # Vietnamese: cong ty trach nhiem huu han (one member: mot thanh vien, MTV)
        "cong ty tnhh mot thanh vien",
        "tnhh",
        "tnhh mtv",
        "eireli",  # Brazil
        "osoo",  # Kyrgyz ОсОО
        "spe",  # Armenian ՍՊԸ
        "shps",  # Georgian შპს
        "zhshs",  # Kazakh ЖШС
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
        "societe anonyme",
        "sociedad anonima",
        "sociedade anonima",
        "societa per azioni",
        "naamloze vennootschap",
        "anonim sirketi",  # Turkish A.S.
        "aktieselskab",
        "aktiebolag",
        "spolka akcyjna",
        "akciova spolecnost",
        "dionicko drustvo",
        "aksjeselskap",
        "public company limited",
        "pcl",
        # Russian and Ukrainian banks: a joint-stock commercial bank (AKB), the form of their names, not the name.
        "joint stock commercial bank",
        "public joint stock commercial bank",
        "commercial joint stock bank",
        "joint stock bank",
        "jscb",
        "pjscb",
        "akb",
        "aktsionernyi kommercheskii bank",
        "cong ty co phan",  # Vietnamese
        "pbe",  # Armenian ՓԲԸ (closed joint-stock)
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
        "cong ty",  # Vietnamese
    ),
    "LP": (
        "lp",
        "limited partnership",
        "kg",
        "gmbh co kg",
        "ohg",
        "kd",
        "snc",
        "kommanditgesellschaft",
        "societe en commandite",
        "sociedad en comandita",
        "cv",  # Indonesian and Dutch commanditaire vennootschap
    ),
    "COOP": ("coop", "cooperative", "co operative"),
    # Russian autonomous non-profit organisations (ANO).
    "NGO": ("ano", "avtonomnaia nekommercheskaia organizatsiia", "autonomous non profit organization"),
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

# Forms written only after the name, never read at its head, where "SAS" or "CA" is the name: Latin American, Arab,
# Baltic, Iberian and Malaysian companies' abbreviations (those in Arabic letters as `names.latin_tokens` writes them,
# joined: "ذ.م.م" is "dhmm").
SUFFIX_FORMS: dict[str, tuple[str, ...]] = {
    "LLC": (
        "s de rl",  # Mexico: S. de R.L. (de C.V.: of variable capital), S.P.R. (rural production), S.C. de R.L.
        "s de rl de cv",
        "srl de cv",
        "spr de rl",
        "spr de rl de cv",
        "sc de rl de cv",
        "eirl",  # Peru
        "wll",  # with limited liability (Gulf states)
        "dmcc",  # registered in the Dubai Multi Commodities Centre free zone, as FZE and FZCO elsewhere
        "llc fz",
        "dhmm",  # ذ.م.م (UAE)
        "shdhmm",  # ش.ذ.م.م
        "mmh",  # م.م.ح (free zone establishment, FZE)
        "mdms",  # م.د.م.س (DMCC)
        "ou",  # Estonian OÜ
        "sia",  # Latvian
        "lda",  # Portuguese
        "slu",  # Spanish, one member
    ),
    "JSC": (
        "sa de cv",  # Mexico ("S.A.DE C.V." joins as "sade"), S.A.B. and S.A.P.I. too
        "sade cv",
        "sab de cv",
        "sapi de cv",
        "ca",  # Venezuela: compania anonima
        "sas",  # Colombia: simplified
        "sac",  # Peru: closed and open
        "saa",
        "pjs",  # Iranian joint-stock company
        "sal",  # societe anonyme libanaise
        "sal offshore",
        "offshore sal",
        "bsc",  # Bahrain
        "qsc",  # Qatar
        "qpsc",
        "ksc",  # Kuwait
        "kscc",
        "saog",  # Oman
        "saoc",
        "shml",  # ش.م.ل (Lebanon)
        "shm",  # ش.م.ع (public joint-stock)
        "shmq",  # ش.م.ع.ق (Qatar)
        "bhd",  # Malaysian berhad
        "dd",  # Slovenian and Croatian d.d.
        "sau",  # Spanish, one member
    ),
    "NGO": ("ev",),  # German eingetragener Verein
    "LP": (
        "s en c",  # Colombia: sociedad en comandita (simple, por acciones)
        "s en cs",
        "scs",
        "sca",
    ),
}

# Arab, Iranian and Chinese companies' forms in words, romanised and in Arabic letters as `names.latin_tokens` writes
# them. Each is listed in every spelling it takes: given names lie a letter from them ("Sharifa", "Sharik"), so they
# are never read misspelt or cut off.
TRANSLITERATED_FORMS: dict[str, tuple[str, ...]] = {
    "LLC": (
        "dhat mswwlya mhdwda",  # ذات مسؤولية محدودة
        "dhat al mswwlya al mhdwda",
        "al mhdwda al mswwlya",  # المحدودة المسؤولية
        "mhdwda",  # محدودة (limited)
        "ba msywlyt mhdwd",  # Persian با مسئولیت محدود
        "ba mswwlyt mhdwd",
        "youxian gongsi",  # Chinese pinyin: Co., Ltd.
        "youxian zeren gongsi",
    ),
    "JSC": (
        "sahami khass",  # Persian: private joint-stock
        "sahami khas",
        "sahami aam",  # public joint-stock
        "sherkat sahami",
        "sherkate sahami",
        "sherkat e sahami",
        "shamy has",  # سهامی خاص
        "shamy aam",  # سهامی عام
        "shrkt shamy",  # شرکت سهامی
        "shrka msahma",  # شركة مساهمة
        "msahma aama",  # مساهمة عامة
        "msahma hasa",  # مساهمة خاصة
        "gufen youxian gongsi",
    ),
    "CORP": (
        "sherkat",  # Persian: company
        "sherkate",
        "sherkat e",
        "shirkat",
        "sharikat",  # Arabic
        "sharika",
        "sharikah",
        "shrka",  # شركة
        "shrkh",  # شركه
        "shrkt",  # شرکت
        "gongsi",  # Chinese pinyin
    ),
}

# Forms written in Han, Kana or Hangul, replaced by a Latin alias of their class before the name is romanised: the
# syllables of "有限公司" would otherwise be four name parts ("you xian gong si"). Longest first.
NATIVE_FORMS: dict[str, str] = {
    "股份有限公司": "joint stock company",  # Chinese, traditional and simplified
    "有限责任公司": "limited liability company",
    "有限責任公司": "limited liability company",
    "有限公司": "co ltd",
    "公司": "company",
    "株式会社": "kabushiki kaisha",  # Japanese
    "有限会社": "limited liability company",
    "合同会社": "limited liability company",
    "주식회사": "joint stock company",  # Korean, also abbreviated (주)
    "(주)": "joint stock company",
    "유한책임회사": "limited liability company",
    "유한회사": "limited liability company",
}
_NATIVE_FORM = re.compile("|".join(re.escape(form) for form in sorted(NATIVE_FORMS, key=len, reverse=True)))


def latin_native_forms(text: str) -> str:
    """`text` with its Han, Kana and Hangul legal forms written as their Latin aliases ("华为技术有限公司" → "华为技术
    co ltd")."""
    return _NATIVE_FORM.sub(lambda m: f" {NATIVE_FORMS[m.group(0)]} ", unicodedata.normalize("NFKC", text))


# Alias token tuple → class; longest aliases are tried first so "public joint stock company" wins over "company".
_ALIASES: dict[tuple[str, ...], str] = {
    tuple(alias.split()): generic
    for table in (LEGAL_FORMS, SUFFIX_FORMS, TRANSLITERATED_FORMS)
    for generic, aliases in table.items()
    for alias in aliases
}
_SUFFIXES = frozenset(tuple(alias.split()) for aliases in SUFFIX_FORMS.values() for alias in aliases)
_MAX_LEN = max(len(key) for key in _ALIASES)
_FIRST_WORDS = frozenset(key[0] for key in _ALIASES)  # most tokens start no alias: one set lookup rules them out
# Short aliases that are also ordinary name words or particles ("as", "at", "co", "ad", "sa"): only recognised at the
# ends of a name, never in the middle, where they are much more likely to be part of the name itself.
_EDGE_ONLY_MAX_TOKENS = 1


# Words of the aliases long enough to be recognised misspelt ("aktiengeselschaft", "joynt") or cut off at the end of a
# name ("JOINT STOCK COMPAN"): lists and paperwork truncate and mistype the long legal-form words most.
_ALIAS_WORDS = frozenset(w for key in _ALIASES for w in key)
_LONG_WORDS = frozenset(
    w
    for table in (LEGAL_FORMS, SUFFIX_FORMS)
    for forms in table.values()
    for form in forms
    for w in form.split()
    if len(w) >= 5
)
_BY_START: dict[str, list[str]] = {}
for _word in sorted(_LONG_WORDS):
    _BY_START.setdefault(_word[:2], []).append(_word)
# The same word in another romanisation or spelling ("joynt" / "joint", "aktsionernoye" / "aktsionernoe").
_BY_SKELETON = {skeleton(w): w for w in sorted(_LONG_WORDS, reverse=True)}
_MISSPELT_MIN = 0.85  # Indel ratio of a misspelt alias word
_CUT_MIN = 4  # letters of a cut-off alias word


@memo(65_536)  # names repeat their words
def _alias_word(token: str, last: bool) -> str:
    """The alias word `token` stands for (itself when it is one or none is close)."""
    if len(token) < 5 or token in _LONG_WORDS:
        return token
    same = _BY_SKELETON.get(skeleton(token))
    if same is not None:
        return same
    for word in _BY_START.get(token[:2], ()):
        if Indel.normalized_similarity(token, word, score_cutoff=_MISSPELT_MIN):
            return word
        if last and len(token) >= _CUT_MIN and len(word) > len(token) and word.startswith(token):
            return word
    return token


def strip_legal_forms(tokens: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split ASCII name tokens into (identity tokens, legal-form classes found); never strips a name down to nothing.

    Misspelt or cut-off alias words are recognised as part of a form; a token that is not stripped keeps its own
    spelling."""
    words = [_alias_word(t, i == len(tokens) - 1) for i, t in enumerate(tokens)]
    if not any(w in _ALIAS_WORDS for w in words):
        return list(tokens), []  # the common case: no word of any legal form
    rest = list(range(len(tokens)))  # indexes of the tokens still in the name
    found: list[str] = []
    changed = True
    while changed and rest:
        changed = False
        for size in range(min(_MAX_LEN, len(rest) - 1), 0, -1):
            head = tuple(words[i] for i in rest[:size])
            if head in _ALIASES and head not in _SUFFIXES:
                found.append(_ALIASES[head])
                rest = rest[size:]
                changed = True
                break
            tail = tuple(words[i] for i in rest[-size:])
            if tail in _ALIASES:
                found.append(_ALIASES[tail])
                rest = rest[:-size]
                changed = True
                break
    # Multi-word forms are unambiguous anywhere ("Iskra joint stock company Technologies" is still a JSC).
    index = 0
    while index < len(rest) and len(rest) > 1:
        for size in range(min(_MAX_LEN, len(rest) - 1), _EDGE_ONLY_MAX_TOKENS, -1):
            window = tuple(words[i] for i in rest[index : index + size])
            if len(window) == size and window in _ALIASES:
                found.append(_ALIASES[window])
                del rest[index : index + size]
                break
        else:
            index += 1
    return [tokens[i] for i in rest], found


def legal_form_at(tokens: Sequence[str], index: int) -> tuple[str, int] | None:
    """The legal-form class and alias length starting at `tokens[index]` (longest alias first), or None."""
    if index >= len(tokens) or tokens[index] not in _FIRST_WORDS:
        return None
    for size in range(min(_MAX_LEN, len(tokens) - index), 0, -1):
        generic = _ALIASES.get(tuple(tokens[index : index + size]))
        if generic is not None:
            return generic, size
    return None
