"""The program's codes and the words for them, each list defined once.

A warning's urgency, its follow-up status, a village's risk level, the state of a record on the phone, a
period preset: each is stored and sent as a short code, and people see its label in their language. Each list
is here, in the order people see it (for urgency: the order warnings are dealt with), with the deadlines that
hang on a code, so that the forms, the managers' pages, the monthly report and the phone (which gets every
list from `field.views.client_codes`) say the same words and cannot drift apart. A code added or renamed here
is added or renamed everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice


@dataclass(frozen=True)
class Code:
    """A code as stored and sent, the words people see for it, how long something with this code may wait
    before it stands out (None: it does not wait for anything), and a sentence for the officer's phone where
    the label alone would not say who acts (a warning's status: the office)."""

    value: str
    label: LazyString  # translated when shown
    within: timedelta | None = None
    sentence: LazyString | None = None


@dataclass(frozen=True)
class Vocabulary:
    """A list of codes in the order people see them; `name` is the list's name on the phone."""

    name: str
    codes: tuple[Code, ...]

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __contains__(self, value: object) -> bool:
        return value in self.values

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(code.value for code in self.codes)

    def _code(self, value: str) -> Code | None:
        return next((code for code in self.codes if code.value == value), None)

    def label(self, value: str) -> str:
        """The words for a code in the current language; a code the program does not know, as it is."""
        code = self._code(value)
        return str(code.label) if code else value

    def labels(self) -> dict[str, str]:
        """Each code's words in the current language, in order."""
        return {code.value: str(code.label) for code in self.codes}

    def sentences(self) -> dict[str, str]:
        """Each code's sentence for the phone (its label where it has none), in the current language."""
        return {code.value: str(code.sentence or code.label) for code in self.codes}

    def choices(self) -> list[SelectChoice]:
        """The codes as the choices of a form's select field, labels translated when the form is shown."""
        return [SelectChoice(code.value, code.label) for code in self.codes]

    def order(self, value: str) -> int:
        """A code's place in the list, for sorting; a code the program does not know comes last."""
        return self.values.index(value) if value in self.values else len(self.codes)

    def within(self, value: str) -> timedelta | None:
        code = self._code(value)
        return code.within if code else None


# How long a new warning may wait for the office, by its urgency.
URGENCY = Vocabulary(
    "urgency",
    (
        Code("segera", _l("Immediate (segera)"), within=timedelta(days=1)),
        Code("tinggi", _l("High (tinggi)"), within=timedelta(days=3)),
        Code("biasa", _l("Normal (biasa)"), within=timedelta(days=7)),
    ),
)

# Where the office's follow-up of a warning stands, as managers see it and as the reporting officer's phone
# says it. A new one waits as long as its urgency allows (URGENCY); one in follow-up may wait two weeks for
# its next step; a closed one waits for nothing.
WARNING_STATUS = Vocabulary(
    "warning_status",
    (
        Code("new", _l("New"), sentence=_l("The office has not followed this up yet.")),
        Code(
            "follow_up",
            _l("In follow-up"),
            within=timedelta(days=14),
            sentence=_l("The office is following this up"),
        ),
        Code("closed", _l("Closed"), sentence=_l("Closed by the office")),
    ),
)

WARNING_CATEGORY = Vocabulary(
    "warning_category",
    (
        Code("recruiter", _l("Illegal recruiter or calo")),
        Code("fake_job", _l("Fake job offer")),
        Code("non_procedural_departure", _l("Non-procedural departure")),
        Code("tppo_victim", _l("Suspected or returning victim of TPPO")),
        Code("suspicious_foreigner", _l("Suspicious foreigner")),
        Code("other", _l("Other")),
    ),
)

WARNING_SOURCE = Vocabulary(
    "warning_source",
    (
        Code("seen", _l("Seen by the officer")),
        Code("villager", _l("A villager")),
        Code("village_official", _l("A village official")),
        Code("family", _l("A family member")),
        Code("social_media", _l("Social media")),
        Code("other", _l("Other")),
    ),
)

# The agencies an office refers a warning to.
AGENCY = Vocabulary(
    "agency",
    (
        Code("timpora", _l("Timpora")),
        Code("police", _l("Police")),
        Code("labour_office", _l("Labour office")),
        Code("other", _l("Another agency")),
    ),
)

# How risky a desa binaan is: the values of `models.RiskLevel`, most risky first.
RISK_LEVEL = Vocabulary(
    "risk_level",
    (
        Code("tinggi", _l("High")),
        Code("sedang", _l("Medium")),
        Code("rendah", _l("Low")),
    ),
)

# Where a record stands on the phone: kept in its outbox (`waiting`, `rejected` by the server with errors to
# fix, or `failed`: set aside after the server kept failing on it), being sent now (`sending`, shown while a
# sync runs), or `confirmed` by the server.
SYNC_STATE = Vocabulary(
    "sync_state",
    (
        Code("waiting", _l("waiting")),
        Code("sending", _l("sending")),
        Code("confirmed", _l("confirmed by the server")),
        Code("rejected", _l("Needs fixing")),
        Code("failed", _l("Failed to send")),
    ),
)

# The periods a manager picks from on the dashboard; `periods.period` turns each into days.
PERIOD_PRESET = Vocabulary(
    "period_preset",
    (
        Code("month", _l("This month")),
        Code("30", _l("Last 30 days")),
        Code("90", _l("Last 90 days")),
        Code("quarter", _l("This quarter")),
    ),
)

# The time zones of Indonesia's offices (IANA names, as stored on an office), with the names people use for
# them. An office's zone decides its days: what "today", "this month" and a report's days are, and how times
# are shown to its users (`outreach.clock`). The labels are the same in both languages.
TIME_ZONE = Vocabulary(
    "time_zone",
    (
        Code("Asia/Jakarta", _l("WIB (western Indonesia, UTC+7)")),
        Code("Asia/Makassar", _l("WITA (central Indonesia, UTC+8)")),
        Code("Asia/Jayapura", _l("WIT (eastern Indonesia, UTC+9)")),
    ),
)

# The short names shown after a time ("14:05 WITA"); the same in every language.
ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}

# Every list, as the phone gets them.
ALL = (
    URGENCY,
    WARNING_STATUS,
    WARNING_CATEGORY,
    WARNING_SOURCE,
    AGENCY,
    RISK_LEVEL,
    SYNC_STATE,
    PERIOD_PRESET,
)
