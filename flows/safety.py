"""Emergency numbers and a screen for words of immediate danger in what a resident types.

`mentions_danger` is a screening aid, not a classifier: it looks for explicit word stems
(Ukrainian, Russian, a few English) so that a request about violence, fire, explosives or
self-harm shows the emergency numbers at once and reaches staff flagged urgent. It misses
what is said in other words and now and then flags a harmless question; a false alarm costs
one extra screen, so the lists lean towards catching. Words that are common in ordinary
service questions are deliberately left out or pinned to exact forms: "мін" (it is inside
"зміна"), "кров" (a blood test, "без крову"), "помер" (benefits after a death), "пожежна
безпека", "зарезервировать".

Matching: Unicode NFC, case-folded, "ё" read as "е", every apostrophe variant (’ ʼ ‘ ` ´)
read as "'", invisible format characters dropped, and the Latin "i" accepted for the
Ukrainian "і"/"ї" (people on Russian keyboards type it). Every entry must start a word, so
"змін" never matches a stem "мін"; `_WORDS` must also end one.
"""

from __future__ import annotations

import re
import unicodedata

from locales import n_

EMERGENCY_NUMBERS: tuple[tuple[str, str], ...] = (
    ("102", n_("police")),
    ("103", n_("ambulance")),
    ("101", n_("rescue service")),
    ("112", n_("single emergency number")),
)

# Word beginnings (any ending may follow) and whole words, by what they are about.
_STEMS = " ".join(
    (
        "вбив вбил вбит вб' убив убил убит уб' убий убь застрел застріл",  # killing
        "заріжу зарізав зарізал зарежу зарезал",
        "стріля стрілян постріл вистріл стреля стрельб выстрел обстрілю обстрелива",  # shots
        "підпал поджог поджег вибух взрыв взорв",  # arson, explosions
        "снаряд нерозірван нерозірвав неразорвав боєприпас боеприпас розтяжк замінов заминир",
        "насильств насилл насили насилую насилуе зґвалт згвалт гвалтув гвалтує гвалтую",
        "изнасил избива избил побив побил побої побои напад",  # violence, rape
        "погрожу погроз угрожа угроз",  # threats
        "суїцид суицид самогубств самогубц самоубийств самоубийц",  # self-harm
        "помира умира вмира кровотеч кровоточ знепритомн рятуйт спасите",  # dying, help
        "kill murder shoot suicid explosi bomb threat danger",
    )
).split()
_WORDS = " ".join(
    (
        "б'є б'ють бьет бьют напав напала напали напал вдарив вдарила ударив ударила ударил",
        "душить душит душив душил",
        "пожежа пожежі пожежу пожежею пожеж",  # not "пожежна безпека"
        "пожар пожара пожаре пожару пожаром пожары пожаров",  # not "пожарная инспекция"
        "міна міни міну міною мина мины мину миной",  # not "зміна", "мін." or "5 мин"
        "граната гранати гранату гранатою гранаты гранатой",
        "fire rape raped bleeding sos",
    )
).split()

# Phrases, as regular expressions over the normalised text (they start a word).
_PHRASES = (
    r"по(?:кінч|конч)\w*\s+(?:з|із|зі|с)\s+собо[юй]",  # покінчити з собою / покончить с собой
    r"на\s+себе\s+руки|на\s+себя\s+руки",  # накласти на себе руки / наложить на себя руки
    r"не\s+хочу\s+(?:більше\s+|больше\s+)?жит[иь]",  # не хочу (більше) жити / жить
    r"(?:з|із|зі|с|со)\s+(?:ножем|ножом|сокирою|топором|пістолетом|пистолетом|автоматом"
    r"|зброєю|оружием|рушницею|ружьем)(?![\w'])",
    r"(?:запах|витік|витоку|пахне|пахнет|утечк\w*)\s+газ(?:у|ом|а)?(?![\w'])",
    r"без\s+(?:свідомост|сознани)",
    r"(?:втрат|потер)\w*\s+(?:свідом|сознани)",
    r"не\s+(?:диха|дыш)",
    r"(?:стіка|сходи|истека)\w*\s+кров",
    r"(?:у|в)\s+(?:небезпец|опасност)",
)

_NORMAL_FORMS = str.maketrans({c: "'" for c in "’ʼ‘`´ʹ′"} | {"ё": "е"})
_START = r"(?<![\w'])"
_END = r"(?![\w'])"


def _latin_i(pattern: str) -> str:
    """Accept a Latin "i" wherever the Ukrainian "і" or "ї" is written."""
    return pattern.replace("і", "[іi]").replace("ї", "[їi]")


_DANGER = re.compile(
    "|".join(
        [_START + _latin_i(re.escape(stem)) for stem in _STEMS]
        + [_START + _latin_i(re.escape(word)) + _END for word in _WORDS]
        + [_START + "(?:" + _latin_i(phrase) + ")" for phrase in _PHRASES]
    )
)


def normalize(text: str) -> str:
    """The form `mentions_danger` searches: see the module docstring."""
    text = unicodedata.normalize("NFC", text).replace("\u200b", " ")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return text.lower().translate(_NORMAL_FORMS)


def mentions_danger(text: str) -> bool:
    """Whether `text` contains a word of immediate danger (a screening aid, see above)."""
    return _DANGER.search(normalize(text)) is not None
