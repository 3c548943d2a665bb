"""What each service of the demo city promises and asks (used by `townhall demo`).

The agencies and the services' names are in `commands/demo.py`; this adds, per service
code, its kind, standard, who can file it, whether requests are public, and its questions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from townhall.agencies.models import AttributeDatatype as Type
from townhall.agencies.models import ServiceKind as Kind
from townhall.identity.models import AssuranceLevel


@dataclass(frozen=True)
class Question:
    code: str
    description: str
    datatype: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # key, name
    hint: str = ""
    variable: bool = True

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "description": self.description,
            "datatype": self.datatype,
            "required": self.required,
            "values": [{"key": key, "name": name} for key, name in self.choices],
            "datatype_description": self.hint,
            "variable": self.variable,
        }


@dataclass(frozen=True)
class Standard:
    kind: str
    acknowledge: int
    respond: int
    group: str
    keywords: tuple[str, ...] = ()
    location_required: bool = False
    public_by_default: bool | None = None  # None: what the kind implies (FOI: public)
    allows_private: bool | None = None
    extension: int | None = None
    assurance: str = AssuranceLevel.EMAIL_VERIFIED
    questions: tuple[Question, ...] = field(default=())

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "acknowledge_working_days": self.acknowledge,
            "respond_working_days": self.respond,
            "extension_working_days": self.extension,
            "group": self.group,
            "keywords": list(self.keywords),
            "location_required": self.location_required,
            "public_by_default": self.public_by_default,
            "allows_private": self.allows_private,
            "required_assurance": self.assurance,
        }


YES_NO = (("yes", "Yes"), ("no", "No"))

STANDARDS: dict[str, Standard] = {
    # City Clerk
    "council-records": Standard(
        Kind.QUESTION,
        acknowledge=1,
        respond=5,
        group="Council and licences",
        keywords=("agenda", "minutes", "ordinance", "resolution", "council"),
        public_by_default=True,
    ),
    "business-license": Standard(
        Kind.QUESTION,
        acknowledge=2,
        respond=5,
        group="Council and licences",
        keywords=("licence", "license", "permit", "business", "renewal"),
        questions=(
            Question(
                "license-type",
                "Which licence is it about?",
                Type.SINGLE_VALUE_LIST,
                required=True,
                choices=(
                    ("general", "General business"),
                    ("liquor", "Liquor"),
                    ("food-truck", "Food truck"),
                    ("pet", "Pet"),
                ),
            ),
        ),
    ),
    "service-complaint": Standard(
        Kind.COMPLAINT,
        acknowledge=2,
        respond=15,
        group="Council and licences",
        keywords=("complaint", "rude", "unfair", "staff", "service"),
        questions=(
            Question(
                "incident-date",
                "On what day did it happen?",
                Type.DATE,
                required=True,
            ),
            Question(
                "agency-involved",
                "Which agency or office was it?",
                Type.STRING,
                hint="Leave empty if you are not sure; the Clerk will find out.",
            ),
        ),
    ),
    # Office of Public Records
    "foi-request": Standard(
        Kind.FOI_REQUEST,
        acknowledge=5,
        respond=20,
        extension=10,
        group="Public records",
        keywords=("foi", "foia", "freedom of information", "records", "documents"),
        questions=(
            Question(
                "published-note",
                "Your request and our answer will be published on this site, without your "
                "email address.",
                Type.STRING,
                variable=False,
            ),
            Question(
                "records-period",
                "Which period do the records cover?",
                Type.STRING,
                hint="For example “January to March 2025”.",
            ),
            Question(
                "preferred-format",
                "How would you like to receive the records?",
                Type.SINGLE_VALUE_LIST,
                required=True,
                choices=(("electronic", "Electronic copies"), ("paper", "Paper copies by mail")),
            ),
        ),
    ),
    "records-inspection": Standard(
        Kind.SERVICE,
        acknowledge=2,
        respond=10,
        group="Public records",
        keywords=("inspect", "visit", "archive", "city hall"),
        questions=(
            Question("visit-day", "Which day would you like to visit?", Type.DATE, required=True),
            Question(
                "party-size",
                "How many people will come?",
                Type.NUMBER,
                hint="The reading room seats six.",
            ),
        ),
    ),
    # Public Works
    "pothole": Standard(
        Kind.PROBLEM_REPORT,
        acknowledge=1,
        respond=5,
        group="Streets",
        keywords=("hole", "road", "street", "asphalt", "pavement"),
        location_required=True,
        public_by_default=True,
        questions=(
            Question(
                "road-position",
                "Where on the road is it?",
                Type.SINGLE_VALUE_LIST,
                required=True,
                choices=(
                    ("lane", "In a traffic lane"),
                    ("shoulder", "On the shoulder or at the curb"),
                    ("crosswalk", "In a crosswalk"),
                    ("sidewalk", "On the sidewalk"),
                ),
            ),
            Question(
                "size",
                "Approximate size",
                Type.SINGLE_VALUE_LIST,
                required=True,
                choices=(
                    ("small", "Smaller than a dinner plate"),
                    ("medium", "Up to the size of a car tyre"),
                    ("large", "Larger than a car tyre"),
                ),
            ),
            Question(
                "traffic-hazard",
                "Is it a hazard to traffic?",
                Type.SINGLE_VALUE_LIST,
                required=True,
                choices=YES_NO,
                hint="If someone could be hurt right now, call 911 as well.",
            ),
        ),
    ),
    "streetlight-out": Standard(
        Kind.PROBLEM_REPORT,
        acknowledge=1,
        respond=10,
        group="Streets",
        keywords=("light", "lamp", "dark", "streetlight"),
        location_required=True,
        public_by_default=True,
        questions=(
            Question(
                "light-problem",
                "What is wrong with the light?",
                Type.SINGLE_VALUE_LIST,
                required=True,
                choices=(
                    ("dark", "It is dark"),
                    ("flickering", "It flickers"),
                    ("day-burner", "It stays on during the day"),
                ),
            ),
            Question(
                "pole-number",
                "Number on the pole",
                Type.STRING,
                hint="A metal tag about head height, if you can see one.",
            ),
        ),
    ),
    "missed-trash-pickup": Standard(
        Kind.PROBLEM_REPORT,
        acknowledge=1,
        respond=2,
        group="Trash and recycling",
        keywords=("trash", "garbage", "recycling", "bin", "collection"),
        location_required=True,
        questions=(
            Question("scheduled-day", "Scheduled pickup day", Type.DATE, required=True),
            Question(
                "missed-items",
                "What was not collected?",
                Type.MULTI_VALUE_LIST,
                required=True,
                choices=(
                    ("trash", "Trash"),
                    ("recycling", "Recycling"),
                    ("yard-waste", "Yard waste"),
                ),
            ),
        ),
    ),
    "graffiti-removal": Standard(
        Kind.PROBLEM_REPORT,
        acknowledge=2,
        respond=10,
        group="Streets",
        keywords=("graffiti", "tag", "paint", "vandalism"),
        location_required=True,
        public_by_default=True,
        questions=(
            Question(
                "offensive",
                "Is it offensive or hateful?",
                Type.SINGLE_VALUE_LIST,
                required=True,
                choices=YES_NO,
                hint="Offensive graffiti is removed first.",
            ),
        ),
    ),
    # Parks and Recreation
    "tree-trimming": Standard(
        Kind.SERVICE,
        acknowledge=3,
        respond=20,
        group="Parks and trees",
        keywords=("tree", "branch", "limb", "trim", "forestry"),
        location_required=True,
        public_by_default=True,
        questions=(
            Question(
                "tree-condition",
                "What is the tree like?",
                Type.SINGLE_VALUE_LIST,
                required=True,
                choices=(
                    ("overgrown", "Overgrown, blocking a sign or the sidewalk"),
                    ("dead", "Dead or dying"),
                    ("leaning", "Leaning or cracked"),
                    ("fallen", "Fallen, or a large limb is down"),
                ),
            ),
        ),
    ),
    "park-maintenance": Standard(
        Kind.PROBLEM_REPORT,
        acknowledge=2,
        respond=10,
        group="Parks and trees",
        keywords=("park", "playground", "bench", "restroom", "litter"),
        location_required=True,
        public_by_default=True,
        questions=(Question("park-name", "Which park?", Type.STRING, required=True),),
    ),
    # Housing and Community Development
    "housing-inspection": Standard(
        Kind.SERVICE,
        acknowledge=2,
        respond=10,
        group="Housing",
        keywords=("landlord", "rental", "mold", "heat", "unsafe", "tenant"),
        location_required=True,
        questions=(
            Question(
                "conditions",
                "What is wrong?",
                Type.MULTI_VALUE_LIST,
                required=True,
                choices=(
                    ("no-heat", "No heat"),
                    ("no-water", "No running water"),
                    ("mold", "Mold or damp"),
                    ("pests", "Pests"),
                    ("electrical", "Unsafe wiring"),
                    ("other", "Something else"),
                ),
            ),
            Question(
                "landlord-told",
                "Have you told your landlord in writing?",
                Type.SINGLE_VALUE_LIST,
                choices=YES_NO,
            ),
        ),
    ),
    "home-repair-grant": Standard(
        Kind.QUESTION,
        acknowledge=2,
        respond=10,
        group="Housing",
        keywords=("grant", "repair", "roof", "furnace", "assistance"),
        questions=(Question("household-size", "How many people live in your home?", Type.NUMBER),),
    ),
    "rental-registration": Standard(
        Kind.SERVICE,
        acknowledge=2,
        respond=15,
        group="Housing",
        keywords=("rental", "registration", "certificate", "landlord"),
        location_required=True,
        assurance=AssuranceLevel.IDENTITY_VERIFIED,
        questions=(
            Question(
                "units",
                "How many rental units are in the building?",
                Type.NUMBER,
                required=True,
            ),
            Question(
                "parcel-number",
                "Parcel number",
                Type.STRING,
                hint="On your property tax bill, such as 14-33-101-005.",
            ),
        ),
    ),
    # Transportation
    "traffic-signal": Standard(
        Kind.PROBLEM_REPORT,
        acknowledge=1,
        respond=2,
        group="Streets",
        keywords=("traffic light", "signal", "intersection", "stoplight"),
        location_required=True,
        public_by_default=True,
        questions=(
            Question(
                "signal-problem",
                "What is the signal doing?",
                Type.SINGLE_VALUE_LIST,
                required=True,
                choices=(
                    ("dark", "It is dark"),
                    ("flashing", "It is flashing"),
                    ("stuck", "It is stuck on one colour"),
                    ("timing", "It changes too fast or too slowly"),
                ),
                hint="A dark signal is an emergency: treat the crossing as an all-way stop.",
            ),
        ),
    ),
    "sidewalk-repair": Standard(
        Kind.PROBLEM_REPORT,
        acknowledge=3,
        respond=30,
        group="Streets",
        keywords=("sidewalk", "curb", "ramp", "trip", "accessibility"),
        location_required=True,
        public_by_default=True,
        questions=(
            Question(
                "sidewalk-problem",
                "What is wrong with the sidewalk?",
                Type.MULTI_VALUE_LIST,
                required=True,
                choices=(
                    ("raised", "Raised or uneven slab"),
                    ("cracked", "Cracked or crumbling"),
                    ("missing", "Missing section"),
                    ("no-curb-ramp", "No curb ramp"),
                ),
            ),
        ),
    ),
    "street-sign": Standard(
        Kind.PROBLEM_REPORT,
        acknowledge=2,
        respond=10,
        group="Streets",
        keywords=("sign", "stop sign", "street name"),
        location_required=True,
        public_by_default=True,
    ),
    # Health
    "food-safety-complaint": Standard(
        Kind.COMPLAINT,
        acknowledge=1,
        respond=10,
        group="Health",
        keywords=("restaurant", "food", "sick", "dirty", "kitchen"),
        location_required=True,
        questions=(
            Question("business-name", "Name of the business", Type.STRING, required=True),
            Question("visit-date", "When were you there?", Type.DATE, required=True),
            Question(
                "fell-ill",
                "Did anyone fall ill?",
                Type.SINGLE_VALUE_LIST,
                choices=YES_NO,
                hint="If so, please also see a doctor; we may ask to talk to you.",
            ),
        ),
    ),
    "mosquito-concern": Standard(
        Kind.PROBLEM_REPORT,
        acknowledge=2,
        respond=10,
        group="Health",
        keywords=("mosquito", "standing water", "insects"),
        location_required=True,
        public_by_default=True,
    ),
}
