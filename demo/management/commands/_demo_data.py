"""The demo data seed_demo loads: users, households, calls, flags and agencies, all invented."""

from __future__ import annotations

from dasapp.roles import Role
from people.choices import Gender, LocationType, RelationshipKind

# Every person, address and number here is invented. Phone numbers are in Ofcom's
# ranges reserved for drama, so none can belong to a real person.

# username, roles, team, first, last, rank, supervisor username
DEMO_USERS = [
    ("supervisor", [Role.SUPERVISOR], "cru", "Helen", "Marsh", "Detective Inspector", None),
    ("calltaker", [Role.CALL_TAKER], "control-room", "Ravi", "Okafor", "Call-taker", "supervisor"),
    (
        "intel",
        [Role.INTELLIGENCE],
        "control-intelligence",
        "Bethan",
        "Lowe",
        "Researcher",
        "supervisor",
    ),
    ("officer", [Role.OFFICER], "response", "Tom", "Adeyemi", "PC", "supervisor"),
    ("researcher", [Role.RESEARCHER], "cru", "Nadia", "Quinn", "Researcher", "supervisor"),
    ("daso", [Role.DASO], "cru", "Claire", "Whitmore", "DC", "supervisor"),
    ("daso.colchester", [Role.DASO], "hub-colchester", "Sam", "Reeve", "DC", "supervisor"),
    ("daso.laindon", [Role.DASO], "hub-laindon", "Grace", "Obi", "DC", "supervisor"),
    ("daso.brentwood", [Role.DASO], "hub-brentwood", "Imran", "Shah", "DC", "supervisor"),
    ("investigator", [Role.INVESTIGATOR], "cid", "Paul", "Derwent", "DS", "supervisor"),
    ("marac", [Role.MARAC_COORDINATOR], "marac-unit", "Fiona", "Tait", "MARAC coordinator", None),
    ("idva", [Role.IDVA], "idva-service", "Alys", "Penrose", "IDVA", None),
    ("partner", [Role.PARTNER], "victim-support", "Kemi", "Adebayo", "Case worker", None),
    # Two response inspectors for the safety-plan walkthrough (issue 5): Fenwick is on
    # annual leave, so patrols given to him move to Price, on duty, at the next sweep.
    ("inspector.fenwick", [Role.OFFICER], "response", "Mark", "Fenwick", "Inspector", "supervisor"),
    ("inspector.price", [Role.OFFICER], "response", "Joanna", "Price", "Inspector", "supervisor"),
    # The out-of-hours list (organisation defaults): the duty inspector and the control
    # room's sergeant, both on the round-the-clock rota of their teams, are told at once
    # of a high-risk DV1 submitted while nobody in the central unit or a hub is at work.
    ("inspector.duty", [Role.SUPERVISOR], "response", "Ruth", "Calder", "Inspector", None),
    (
        "sergeant.control",
        [Role.SUPERVISOR],
        "control-room",
        "Dev",
        "Malik",
        "Sergeant",
        "inspector.duty",
    ),
]

# Each household: people (key, given, family, dob, gender, extra), ties, address, phones.
HOUSEHOLDS = [
    {
        "address": ("14 Larkspur Close", "Colchester", "CO4 9QX", LocationType.URBAN),
        "people": [
            (
                "leah",
                "Leah",
                "Hartwell",
                "1991-04-12",
                Gender.FEMALE,
                {
                    "safe_contact_instructions": "Call the safe number only. If a man answers, say it is the GP surgery.",
                    "safe_times": "Weekdays 09:30 to 14:30",
                    "no_voicemail": True,
                },
            ),
            ("darren", "Darren", "Pike", "1987-11-03", Gender.MALE, {}),
            ("mia", "Mia", "Hartwell", "2018-06-21", Gender.FEMALE, {}),
            ("josh", "Josh", "Hartwell", "2020-09-02", Gender.MALE, {}),
        ],
        "aliases": [("darren", "Daz", "Pike")],
        "phones": [
            ("leah", "07700 900123", True),
            ("leah", "07700 900124", False),
            ("darren", "07700 900125", False),
        ],
        "ties": [
            ("leah", "darren", RelationshipKind.EX_PARTNER),
            ("leah", "mia", RelationshipKind.PARENT_OF),
            ("leah", "josh", RelationshipKind.PARENT_OF),
            ("darren", "josh", RelationshipKind.PARENT_OF),
        ],
        "not_at_address": ["darren"],
    },
    {
        "address": ("Flat 3, 27 Mayflower Road", "Basildon", "SS14 2LP", LocationType.URBAN),
        "people": [
            (
                "priya",
                "Priya",
                "Sandhu",
                "1995-02-17",
                Gender.FEMALE,
                {"safe_times": "After 18:00", "language": "Punjabi", "interpreter_needed": True},
            ),
            ("gareth", "Gareth", "Moyle", "1990-08-30", Gender.MALE, {}),
        ],
        "phones": [("priya", "07700 900201", True), ("gareth", "07700 900202", False)],
        "ties": [("priya", "gareth", RelationshipKind.PARTNER)],
    },
    {
        "address": ("8 Seabrook Terrace", "Southend-on-Sea", "SS1 2XT", LocationType.URBAN),
        "people": [
            ("kerry", "Kerry", "Ashdown", "1984-12-09", Gender.FEMALE, {"no_voicemail": True}),
            ("lee", "Lee", "Brannigan", "1982-05-14", Gender.MALE, {}),
            ("ruby", "Ruby", "Ashdown", "2013-03-28", Gender.FEMALE, {}),
        ],
        "phones": [("kerry", "01632 960301", True), ("lee", "07700 900302", False)],
        "ties": [
            ("kerry", "lee", RelationshipKind.PARTNER),
            ("kerry", "ruby", RelationshipKind.PARENT_OF),
        ],
    },
    {
        "address": ("2 Quarry Cottages, Mill Lane", "Dunmow", "CM6 3BT", LocationType.RURAL),
        "people": [
            ("sophie", "Sophie", "Kettering", "1993-07-01", Gender.FEMALE, {}),
        ],
        "phones": [("sophie", "07700 900401", True)],
        "ties": [],
        "external_ties": [
            ("sophie", ("Lee", "Brannigan", "1982-05-14"), RelationshipKind.EX_PARTNER)
        ],
    },
    {
        "address": ("41 Beech Avenue", "Harlow", "CM20 1HX", LocationType.URBAN),
        "people": [
            ("owen", "Owen", "Fairley", "1979-10-22", Gender.MALE, {}),
            ("natalie", "Natalie", "Fairley", "1981-01-15", Gender.FEMALE, {}),
        ],
        "phones": [("owen", "07700 900501", True), ("natalie", "07700 900502", False)],
        "ties": [("owen", "natalie", RelationshipKind.PARTNER)],
    },
    {
        "address": ("6 Kingfisher Way", "Chelmsford", "CM2 6TR", LocationType.URBAN),
        "people": [
            ("joanne", "Joanne", "Smith", "1988-03-05", Gender.FEMALE, {}),
            ("craig", "Craig", "Smith", "1986-09-19", Gender.MALE, {}),
            ("alfie", "Alfie", "Smith", "2016-11-11", Gender.MALE, {}),
        ],
        "phones": [("joanne", "020 7946 0601", True), ("craig", "07700 900602", False)],
        "ties": [
            ("joanne", "craig", RelationshipKind.PARTNER),
            ("joanne", "alfie", RelationshipKind.PARENT_OF),
            ("craig", "alfie", RelationshipKind.PARENT_OF),
        ],
    },
    {
        "address": ("19 Thames View", "Grays", "RM17 5AB", LocationType.URBAN),
        "people": [
            (
                "amira",
                "Amira",
                "Haddad",
                "1997-05-25",
                Gender.FEMALE,
                {
                    "language": "Arabic",
                    "interpreter_needed": True,
                    "safe_contact_instructions": "Use a female interpreter. Never call when her husband's brother is visiting (Sundays).",
                },
            ),
            ("sami", "Sami", "Haddad", "1992-02-02", Gender.MALE, {}),
        ],
        "phones": [("amira", "07700 900701", True), ("sami", "07700 900702", False)],
        "ties": [("amira", "sami", RelationshipKind.PARTNER)],
    },
]


LEAH = ("Leah", "Hartwell", "1991-04-12")
DARREN = ("Darren", "Pike", "1987-11-03")
KERRY = ("Kerry", "Ashdown", "1984-12-09")
LEE = ("Lee", "Brannigan", "1982-05-14")
SOPHIE = ("Sophie", "Kettering", "1993-07-01")
PRIYA = ("Priya", "Sandhu", "1995-02-17")
GARETH = ("Gareth", "Moyle", "1990-08-30")

# The agencies working with Leah (team code, reason), recorded by her DASO.
DEMO_INVOLVEMENTS = [
    ("idva-service", "Demo: Leah agreed to an IDVA at the DASO's call after the last incident."),
    ("victim-support", "Demo: Leah asked for victim support's help with the court case."),
]

# key, victim, suspect, days ago, grade, answers
DEMO_INCIDENTS = [
    (
        "leah-1",
        LEAH,
        DARREN,
        200,
        "priority",
        {"injuries": "minor", "fear_level": "3", "weapons": "no"},
    ),
    (
        "leah-2",
        LEAH,
        DARREN,
        95,
        "emergency",
        {"injuries": "minor", "weapons": "yes", "fear_level": "4"},
    ),
    ("leah-3", LEAH, DARREN, 21, "emergency", {"injuries": "serious", "fear_level": "4"}),
    ("kerry-1", KERRY, LEE, 60, "priority", {"fear_level": "2", "weapons": "yes"}),
    ("sophie-1", SOPHIE, LEE, 400, "priority", {"fear_level": "3"}),
    ("sophie-2", SOPHIE, LEE, 150, "scheduled", {"fear_level": "2"}),
    ("priya-1", PRIYA, GARETH, 30, "scheduled", {"fear_level": "1"}),
]

# How each past call ended (all were attended and closed long ago): outcome, note.
DEMO_OUTCOMES = {
    "leah-1": ("safeguarding", "Demo: officers attended; Leah safe at her sister's, DV1 done."),
    "leah-2": ("investigation", "Demo: knife reported; Darren Pike arrested, passed to CID."),
    "leah-3": ("investigation", "Demo: serious injuries; Darren Pike arrested, passed to CID."),
    "kerry-1": ("safeguarding", "Demo: officers attended; Lee Brannigan left before arrival."),
    "sophie-1": ("no_further_action", "Demo: Sophie did not want police action; advice given."),
    "sophie-2": ("safeguarding", "Demo: visit by appointment; safety advice and DV1 done."),
    "priya-1": ("safeguarding", "Demo: visit by appointment with a Punjabi interpreter."),
}
# Minutes from logging to the officer's arrival on the past calls, by grade.
DEMO_ARRIVAL_MINUTES = {"emergency": 12, "priority": 41, "scheduled": 0}

JOANNE = ("Joanne", "Smith", "1988-03-05")
CRAIG = ("Craig", "Smith", "1986-09-19")
AMIRA = ("Amira", "Haddad", "1997-05-25")
SAMI = ("Sami", "Haddad", "1992-02-02")

# The live dispatch board, timed from now each time seed_demo runs (while still open):
# key, victim, suspect, minutes since logged, grade, answers, minutes since the officer
# arrived (None: still waiting). Sophie's is rural (20 minutes for an emergency), so it
# is 4 minutes overdue; Amira's officer arrived 3 minutes late.
LIVE_INCIDENTS = [
    (
        "live-kerry",
        KERRY,
        LEE,
        6,
        "emergency",
        {
            "injuries": "minor",
            "suspect_location": "present",
            "weapons": "yes",
            "children_present": "yes",
            "fear_level": "4",
            "afraid_of": ["being_killed"],
            "demeanour": "distressed",
        },
        None,
    ),
    (
        "live-leah",
        LEAH,
        DARREN,
        22,
        "priority",
        {
            "injuries": "none",
            "suspect_location": "nearby",
            "weapons": "no",
            "fear_level": "3",
            "afraid_of": ["further_injury"],
            "demeanour": "whispering",
        },
        None,
    ),
    (
        "live-sophie",
        SOPHIE,
        LEE,
        24,
        "emergency",
        {
            "injuries": "minor",
            "suspect_location": "present",
            "weapons": "not_known",
            "fear_level": "4",
            "demeanour": "distressed",
        },
        None,
    ),
    (
        "live-priya",
        PRIYA,
        GARETH,
        50,
        "scheduled",
        {"injuries": "none", "suspect_location": "elsewhere", "fear_level": "1"},
        None,
    ),
    (
        "live-joanne",
        JOANNE,
        CRAIG,
        55,
        "priority",
        {"injuries": "minor", "suspect_location": "elsewhere", "weapons": "no", "fear_level": "2"},
        18,
    ),
    (
        "live-amira",
        AMIRA,
        SAMI,
        40,
        "emergency",
        {"injuries": "minor", "suspect_location": "present", "fear_level": "3"},
        22,
    ),
]

# victim, kind, summary, on (person, address, phones), days until it ends (None: open)
DEMO_FLAGS = [
    (
        LEAH,
        "high_risk_victim",
        "High-risk domestic abuse victim (demo case)",
        ("person", "address", "phones"),
        None,
    ),
    (
        DARREN,
        "bail_conditions",
        "Bail: not to contact Leah Hartwell or enter Larkspur Close, Colchester",
        ("person",),
        28,
    ),
    (
        LEAH,
        "bail_conditions",
        "Suspect on bail not to contact her or come to this address",
        ("address", "phones"),
        28,
    ),
    (LEE, "weapons", "Has used a knife in a previous domestic incident", ("person",), None),
]
