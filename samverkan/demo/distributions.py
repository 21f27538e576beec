"""What the demo's records are drawn from: the figures of the source document for January-May
2022, which the records reproduce exactly, and the rhythms of ordinary months (seasons, weekdays,
hours, ages, genders, concerns, districts, referrals). Plain data; `records.py` draws from it."""

from datetime import date
from zoneinfo import ZoneInfo

from samverkan.records.models import (
    CameVia,
    ChatConcern,
    ClinicConcern,
    Gender,
    Resident,
    ScreeningAnswer,
    SupportCategory,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
FIRST_DAY = date(2021, 1, 1)
LAST_DAY = date(2022, 12, 31)
REPORT_FROM = date(2022, 1, 1)
REPORT_TO = date(2022, 5, 31)

GIRL, BOY, OTHER, UNKNOWN = Gender.GIRL, Gender.BOY, Gender.OTHER, Gender.UNKNOWN
VICTIM, PERPETRATOR = ChatConcern.VICTIM, ChatConcern.PERPETRATOR
FRIEND, OTHER_CONCERN = ChatConcern.FRIEND, ChatConcern.OTHER

# --- Figures of the source document (January-May 2022) -------------------------------------------

CHAT_REPORT_CONVERSATIONS = 612
# Residents' conversations by (gender, concern): 228 in all, 151 girls, 35 boys, 152 about being
# subjected to violence and 13 about using it. The document gives only the margins; this joint
# table is one believable way to fill them. "Övriga uppgav inte sådan information": the other 42
# gave no gender (none is made "another gender identity", which the document does not say).
CHAT_REPORT_RESIDENTS = {
    (GIRL, VICTIM): 118,
    (GIRL, PERPETRATOR): 2,
    (GIRL, FRIEND): 22,
    (GIRL, OTHER_CONCERN): 9,
    (BOY, VICTIM): 12,
    (BOY, PERPETRATOR): 9,
    (BOY, FRIEND): 9,
    (BOY, OTHER_CONCERN): 5,
    (UNKNOWN, VICTIM): 22,
    (UNKNOWN, PERPETRATOR): 2,
    (UNKNOWN, FRIEND): 11,
    (UNKNOWN, OTHER_CONCERN): 7,
}
# "Drygt 17 år", for girls and boys alike.
CHAT_REPORT_MEAN_AGE = {GIRL: 17.2, BOY: 17.25, UNKNOWN: 17.2}

# Support-centre cases by (category, gender): 813 in all, 389 girls, 413 boys; the document says
# nothing of the other 11's gender, so none is recorded.
SC = SupportCategory
SUPPORT_REPORT_CASES = {
    (SC.SUSPECT_INTERROGATION, GIRL): 45,
    (SC.SUSPECT_INTERROGATION, BOY): 185,
    (SC.SUSPECT_MEDIATION, GIRL): 20,
    (SC.SUSPECT_MEDIATION, BOY): 60,
    (SC.VICTIM, GIRL): 240,
    (SC.VICTIM, BOY): 125,
    (SC.VICTIM, UNKNOWN): 5,
    (SC.WITNESS, GIRL): 55,
    (SC.WITNESS, BOY): 40,
    (SC.WITNESS, UNKNOWN): 5,
    (SC.RELATIVE, GIRL): 29,
    (SC.RELATIVE, BOY): 3,
    (SC.RELATIVE, UNKNOWN): 1,
}
# "Knappt 16 år" for girls, "drygt 15 år" for boys.
SUPPORT_REPORT_MEAN_AGE = {GIRL: 15.8, BOY: 15.3}
# The ten persons subjected to violence in a close relationship, two of them boys, the youngest
# 13: (category, gender, age, answer). They are part of the table above.
SUPPORT_REPORT_PARTNER_VIOLENCE = [
    (SC.VICTIM, GIRL, 13, ScreeningAnswer.VICTIM),
    (SC.VICTIM, GIRL, 15, ScreeningAnswer.VICTIM),
    (SC.VICTIM, GIRL, 16, ScreeningAnswer.VICTIM),
    (SC.VICTIM, GIRL, 16, ScreeningAnswer.VICTIM),
    (SC.VICTIM, GIRL, 17, ScreeningAnswer.VICTIM),
    (SC.VICTIM, GIRL, 17, ScreeningAnswer.VICTIM),
    (SC.VICTIM, GIRL, 18, ScreeningAnswer.VICTIM),
    (SC.VICTIM, GIRL, 19, ScreeningAnswer.VICTIM),
    (SC.VICTIM, BOY, 16, ScreeningAnswer.VICTIM),
    (SC.SUSPECT_INTERROGATION, BOY, 17, ScreeningAnswer.BOTH),
]

# Clinic clients with a session in the period: 21, of whom 16 residents (12 girls subjected to
# violence, 4 boys using it), all of whose series are ongoing at the end of May.
CLINIC_REPORT_RESIDENTS = [(GIRL, ClinicConcern.VICTIM)] * 12 + [
    (BOY, ClinicConcern.PERPETRATOR)
] * 4
CLINIC_REPORT_OTHERS = [
    (GIRL, ClinicConcern.VICTIM, Resident.NO),
    (GIRL, ClinicConcern.VICTIM, Resident.UNKNOWN),
    (BOY, ClinicConcern.PERPETRATOR, Resident.NO),
    (BOY, ClinicConcern.PERPETRATOR, Resident.UNKNOWN),
    (GIRL, ClinicConcern.VICTIM, Resident.NO),
]

# --- Rhythms ------------------------------------------------------------------------------------

# Monthly volume relative to an ordinary month: summer holidays empty the chat in July, and
# Christmas weeks are quiet for every service.
CHAT_SEASON = {1: 1.0, 2: 1.05, 3: 1.05, 4: 0.95, 5: 1.0, 6: 0.85, 7: 0.5, 8: 0.8, 9: 1.05}
CHAT_SEASON |= {10: 1.1, 11: 1.1, 12: 0.8}
SUPPORT_SEASON = {1: 1.0, 2: 1.05, 3: 1.1, 4: 1.0, 5: 1.05, 6: 0.9, 7: 0.6, 8: 0.85, 9: 1.1}
SUPPORT_SEASON |= {10: 1.1, 11: 1.05, 12: 0.8}
# Conversations a month in an ordinary month: the chat grew in 2022 with the partnership.
CHAT_BASE = {2021: 108, 2022: 128}
SUPPORT_BASE = {2021: 158, 2022: 165}
# The autumn 2022 information campaign named in the document brings more visitors.
CHAT_CAMPAIGN = {(2022, 9): 1.15, (2022, 10): 1.25, (2022, 11): 1.2}

# Monday=0 .. Sunday=6. Young people chat on school nights; Friday and Saturday are spent out.
CHAT_WEEKDAY = [1.05, 1.05, 1.0, 1.0, 0.8, 0.75, 1.15]
# Cases come from police reports, registered on office days.
SUPPORT_WEEKDAY = [1.2, 1.1, 1.1, 1.1, 1.0, 0.12, 0.08]
# Hour of the day in Stockholm: evenings after school and homework, few at night.
CHAT_HOURS = [3, 2, 1, 0.5, 0.3, 0.3, 0.5, 1, 1.5, 2, 2.5, 3]
CHAT_HOURS += [3.5, 4, 4.5, 5.5, 6.5, 7.5, 10, 12, 13, 13, 10, 6]
SCHOOL_NIGHTS = {6, 0, 1, 2, 3}  # Sunday to Thursday evenings

CHAT_AGES = {13: 4, 14: 8, 15: 12, 16: 16, 17: 17, 18: 14, 19: 10, 20: 7, 21: 5, 22: 3, 23: 2}
CHAT_AGE_RANGE = (13, 23)
CHAT_GENDERS = {GIRL: 0.64, BOY: 0.15, OTHER: 0.03, UNKNOWN: 0.18}
CHAT_RESIDENT = {Resident.YES: 0.37, Resident.NO: 0.23, Resident.UNKNOWN: 0.40}
# Concern by gender; the perpetrator weight is halved in 2021, before the partnership worked to
# reach young people who use violence.
CHAT_CONCERNS = {
    GIRL: {VICTIM: 0.70, PERPETRATOR: 0.02, FRIEND: 0.18, OTHER_CONCERN: 0.10},
    BOY: {VICTIM: 0.35, PERPETRATOR: 0.25, FRIEND: 0.25, OTHER_CONCERN: 0.15},
    OTHER: {VICTIM: 0.60, PERPETRATOR: 0.05, FRIEND: 0.20, OTHER_CONCERN: 0.15},
    UNKNOWN: {VICTIM: 0.50, PERPETRATOR: 0.06, FRIEND: 0.28, OTHER_CONCERN: 0.16},
}
# Chance that a visitor says how old they are: those who keep their gender to themselves often
# keep their age too.
CHAT_AGE_GIVEN = {GIRL: 0.95, BOY: 0.95, OTHER: 0.9, UNKNOWN: 0.6}
# Probability of each form of violence being named, by concern.
CHAT_VIOLENCE = {
    VICTIM: {"psychological": 0.75, "physical": 0.38, "sexual": 0.22, "digital": 0.2},
    PERPETRATOR: {"psychological": 0.7, "physical": 0.55, "sexual": 0.08, "digital": 0.15},
}
CHAT_VIOLENCE_RARE = {"economic": 0.03, "other": 0.04}
CHAT_VIOLENCE_SCALE = {VICTIM: 1.0, PERPETRATOR: 1.0, FRIEND: 0.6, OTHER_CONCERN: 0.2}
# Residents who name their district; the rest keep it to themselves.
CHAT_DISTRICT_GIVEN = 0.65
# Rough population weights of the districts.
DISTRICT_WEIGHTS = {
    "rinkeby-kista": 1.0,
    "spanga-tensta": 0.8,
    "hasselby-vallingby": 1.4,
    "bromma": 1.5,
    "kungsholmen": 1.2,
    "norrmalm": 1.1,
    "ostermalm": 1.2,
    "sodermalm": 1.9,
    "enskede-arsta-vantor": 1.7,
    "skarpnack": 0.9,
    "farsta": 1.1,
    "hagersten-alvsjo": 1.6,
    "skarholmen": 0.7,
}
# Where the chat refers, by concern ("" = no referral): motivating perpetrators to seek support
# is the foundation's commitment, and it grew with the partnership.
CHAT_REFERRALS = {
    (2021, PERPETRATOR): {"": 0.6, "clinic": 0.28, "rvc": 0.1, "social-services": 0.02},
    (2022, PERPETRATOR): {"": 0.3, "clinic": 0.45, "rvc": 0.2, "social-services": 0.05},
    (2021, VICTIM): {"": 0.88, "youth-clinic": 0.06, "social-services": 0.04, "clinic": 0.02},
    (2022, VICTIM): {"": 0.85, "youth-clinic": 0.06, "social-services": 0.04, "clinic": 0.05},
}
CHAT_REFERRALS_FRIEND = {"": 0.97, "social-services": 0.02, "youth-clinic": 0.01}

SUPPORT_CATEGORIES = {
    SC.VICTIM: 0.45,
    SC.WITNESS: 0.12,
    SC.RELATIVE: 0.04,
    SC.SUSPECT_MEDIATION: 0.10,
    SC.SUSPECT_INTERROGATION: 0.29,
}
SUPPORT_GENDERS = {
    SC.VICTIM: {GIRL: 0.64, BOY: 0.34, OTHER: 0.01, UNKNOWN: 0.01},
    SC.WITNESS: {GIRL: 0.55, BOY: 0.42, OTHER: 0.01, UNKNOWN: 0.02},
    # Relatives here are young relatives (siblings, partners) with a case of their own.
    SC.RELATIVE: {GIRL: 0.7, BOY: 0.28, UNKNOWN: 0.02},
    SC.SUSPECT_MEDIATION: {GIRL: 0.25, BOY: 0.74, UNKNOWN: 0.01},
    SC.SUSPECT_INTERROGATION: {GIRL: 0.2, BOY: 0.79, UNKNOWN: 0.01},
}
# Ages by category, within each target group: victims and witnesses 10-21, suspects in
# mediation 12-21, suspects at interrogation under 18. Boys who are victims or witnesses are
# younger than girls (robbery among early teens), girls are more often older victims of sexual and
# partner violence: that is what puts girls just under 16 and boys just over 15.
_GIRL_VICTIM_AGES = {10: 1, 11: 2, 12: 4, 13: 8, 14: 12, 15: 15, 16: 15, 17: 13, 18: 9, 19: 6}
_GIRL_VICTIM_AGES |= {20: 4, 21: 3}
_BOY_VICTIM_AGES = {10: 2, 11: 3, 12: 6, 13: 10, 14: 14, 15: 15, 16: 14, 17: 11, 18: 7, 19: 4}
_BOY_VICTIM_AGES |= {20: 3, 21: 2}
_MEDIATION_AGES = {12: 3, 13: 7, 14: 13, 15: 16, 16: 15, 17: 12, 18: 7, 19: 4, 20: 2, 21: 2}
SUPPORT_AGES = {
    SC.VICTIM: _GIRL_VICTIM_AGES,
    SC.WITNESS: _GIRL_VICTIM_AGES,
    SC.RELATIVE: {12: 3, 13: 6, 14: 10, 15: 12, 16: 12, 17: 10, 18: 7, 19: 5, 20: 3, 21: 2},
    SC.SUSPECT_MEDIATION: _MEDIATION_AGES,
    SC.SUSPECT_INTERROGATION: {12: 3, 13: 8, 14: 15, 15: 22, 16: 24, 17: 18},
}
SUPPORT_AGES_BOY = {SC.VICTIM: _BOY_VICTIM_AGES, SC.WITNESS: _BOY_VICTIM_AGES}
SUPPORT_AGE_RANGE = {
    SC.VICTIM: (10, 21),
    SC.WITNESS: (10, 21),
    SC.RELATIVE: (12, 21),
    SC.SUSPECT_MEDIATION: (12, 21),
    SC.SUSPECT_INTERROGATION: (12, 17),
}
# The routine question became part of the social conversation after an interrogation in 2022 and
# is asked of many victims since; before that it was asked now and then.
SUPPORT_SCREENED_2022 = {
    SC.SUSPECT_INTERROGATION: 0.9,
    SC.VICTIM: 0.55,
    SC.WITNESS: 0.2,
    SC.SUSPECT_MEDIATION: 0.25,
    SC.RELATIVE: 0.05,
}
SUPPORT_SCREENED_2021 = 0.03
SUSPECTS = {SC.SUSPECT_MEDIATION, SC.SUSPECT_INTERROGATION}

# The clinic's summer and Christmas breaks, and public holidays on weekdays.
CLINIC_BREAKS = [
    (date(2020, 12, 23), date(2021, 1, 6)),
    (date(2021, 7, 5), date(2021, 8, 6)),
    (date(2021, 12, 23), date(2022, 1, 7)),
    (date(2022, 7, 4), date(2022, 8, 5)),
    (date(2022, 12, 23), date(2023, 1, 6)),
]
HOLIDAYS = {
    date(2021, 4, 2),
    date(2021, 4, 5),
    date(2021, 5, 13),
    date(2021, 6, 25),
    date(2022, 4, 15),
    date(2022, 4, 18),
    date(2022, 5, 26),
    date(2022, 6, 6),
    date(2022, 6, 24),
}
CLINIC_CAME_VIA = {
    ClinicConcern.VICTIM: {
        CameVia.CHAT: 0.35,
        CameVia.SUPPORT_CENTRE: 0.25,
        CameVia.SELF: 0.25,
        CameVia.OTHER: 0.15,
    },
    ClinicConcern.PERPETRATOR: {
        CameVia.CHAT: 0.35,
        CameVia.YOUTH_SERVICE: 0.25,
        CameVia.SUPPORT_CENTRE: 0.15,
        CameVia.SELF: 0.15,
        CameVia.OTHER: 0.10,
    },
}
CLINIC_KINDS = {
    (GIRL, ClinicConcern.VICTIM): 0.6,
    (BOY, ClinicConcern.PERPETRATOR): 0.3,
    (BOY, ClinicConcern.VICTIM): 0.05,
    (GIRL, ClinicConcern.PERPETRATOR): 0.03,
    (OTHER, ClinicConcern.VICTIM): 0.02,
}
CLINIC_AGES = {15: 3, 16: 5, 17: 6, 18: 6, 19: 5, 20: 4, 21: 3, 22: 2}
