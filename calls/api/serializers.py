"""API shapes for call handling: the look-up and incidents. Input serializers check
shape only; numbers, postcodes, answers and grades are checked by `calls.services.calls`
so that a call pushed in by a command-and-control system meets the same rules as one
typed on the page, and an invalid value is kept in the draft rather than lost."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from calls.choices import AbandonReason, Grade, IncidentOutcome, IncidentRole, IncidentStatus
from calls.models import Incident, IncidentPerson
from calls.services import abandon as abandon_services
from calls.services import calls as call_services
from dasapp.choices import RiskLevel
from dasapp.serializers import ErrorSerializer, FlatErrorsSerializer
from people import matching
from people.choices import LocationType

LOOKUP_TERM_REQUIRED = "Enter a phone number, an address, a name or a date of birth to look up"
LOOKUP_POSTCODE_REQUIRED = "Enter the postcode as well as the first line of the address"
LOOKUP_LINE1_REQUIRED = "Enter the first line of the address as well as the postcode"
DATE_OF_BIRTH_INVALID = "Date of birth must be a real date, like 1990-03-27"
GRADE_REQUIRED = "Choose a response grade"
VERSION_REQUIRED = "Send the version of the call you read"
OUTCOME_REQUIRED = "Choose how the call ended"
ABANDON_REASON_REQUIRED = "Choose why the call is being abandoned"
ANSWERS_HELP = (
    "Question code to answer, from the current control-room call questions: "
    "`injuries` (none, minor, serious, not_known), `suspect_location` (present, nearby, "
    "elsewhere, unknown, far_away), `suspect_away_until` (date), `weapons`, "
    "`children_present`, `drink_drugs`, `previous_incidents` (yes, no, not_known), "
    "`fear_level` (0 not frightened to 4 extremely frightened: what the caller says, "
    "asked of every caller), `afraid_of` (list of further_injury, being_killed, "
    "children_harmed, someone_else_harmed, other), `afraid_of_detail` (text), "
    "`demeanour` (calm, distressed, whispering, unable_to_speak, angry, intoxicated). "
    "An invalid answer is a field error `answers.<code>`."
)


def _check(normalise, value: str) -> str:
    try:
        return normalise(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None


# Look-up.


class LookupQuerySerializer(FlatErrorsSerializer):
    """What to look up: any of a number, an address (first line and postcode), a name
    and a date of birth."""

    phone = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="Any format: 07700 900123, +44 7700 900123, (07700) 900-123.",
    )
    address = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="First line of the address (`12 High St.` finds 12 High Street). "
        "Send it with the postcode.",
    )
    postcode = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        default="",
        help_text="Any case or spacing. Send it with the first line of the address.",
    )
    name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="A person's name, matched however it is spelt; the best candidates are "
        "looked up. Needs the `X-Access-Purpose` header (or an `X-Work-Item`).",
    )
    date_of_birth = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": DATE_OF_BIRTH_INVALID},
        help_text="YYYY-MM-DD. Alone, or narrowing a name. Needs the `X-Access-Purpose` "
        "header (or an `X-Work-Item`).",
    )

    def validate_phone(self, value):
        return _check(matching.normalise_phone, value) if value.strip() else ""

    def validate_postcode(self, value):
        return _check(matching.normalise_postcode, value) if value.strip() else ""

    def validate(self, attrs):
        if attrs["address"].strip() and not attrs["postcode"]:
            raise serializers.ValidationError({"postcode": [LOOKUP_POSTCODE_REQUIRED]})
        if attrs["postcode"] and not attrs["address"].strip():
            raise serializers.ValidationError({"address": [LOOKUP_LINE1_REQUIRED]})
        return attrs

    @property
    def is_empty(self) -> bool:
        data = self.validated_data
        return not any(data.get(k) for k in ("phone", "address", "name", "date_of_birth"))

    @property
    def fields_used(self) -> list[str]:
        return sorted(k for k, v in self.validated_data.items() if v)


class FlagOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(
        help_text="high_risk_victim, bail_conditions, court_order, marac_listed, safety_plan, "
        "weapons, officer_safety, repeat_victim or other."
    )
    label = serializers.CharField(help_text="The kind in words.")
    severity = serializers.CharField(help_text="high, medium or info.")
    summary = serializers.CharField(help_text="What the call-taker reads.")
    on = serializers.CharField(
        help_text="Whom or what it is on: a name, this address, this number."
    )
    until = serializers.DateTimeField(allow_null=True, help_text="When it ends, if it does.")


class LookupIncidentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    at = serializers.DateTimeField()
    grade = serializers.CharField(allow_blank=True, help_text="Empty if never graded.")
    grade_label = serializers.CharField()
    address = serializers.CharField(allow_blank=True)
    weapons = serializers.BooleanField(help_text="A weapon was reported on that call.")
    injuries = serializers.BooleanField(help_text="Someone was hurt on that call.")
    risk = serializers.ChoiceField(
        choices=RiskLevel.choices,
        allow_null=True,
        help_text="The risk level of the DV1 submitted for it (the most serious if more "
        "than one); null if none was.",
    )
    risk_label = serializers.CharField(help_text="The risk level in words, or No DV1 submitted.")


class LookupPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    age = serializers.IntegerField(allow_null=True)
    direct = serializers.BooleanField(
        help_text="Found by the number, address, name or date of birth; false for their "
        "partners, children and household."
    )


class LookupSuspectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    incidents = serializers.IntegerField(help_text="Incidents as suspect.")
    last = serializers.DateTimeField(allow_null=True, help_text="The latest of them.")
    other_victims = serializers.IntegerField(help_text="Victims other than these people.")
    weapons = serializers.BooleanField(help_text="`weapons_incidents` is more than 0.")
    strangulation = serializers.BooleanField(help_text="`strangulation_incidents` is more than 0.")
    weapons_incidents = serializers.IntegerField(
        help_text="His incidents on which a weapon was reported: on the call, or on a DV1 "
        "submitted for it (DASH: has the abuser ever used a weapon or an object to hurt the "
        "victim?)."
    )
    strangulation_incidents = serializers.IntegerField(
        help_text="His incidents on which strangulation was reported: on the call, or on a "
        "DV1 submitted for it (DASH: has the abuser ever attempted to strangle, choke, "
        "suffocate or drown the victim?)."
    )


class LookupChildSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    age = serializers.IntegerField(allow_null=True)


class LookupOtherOpenCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    risk_label = serializers.CharField()


class LookupOpenCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    opened_at = serializers.DateTimeField()
    risk = serializers.ChoiceField(choices=RiskLevel.choices, help_text="The current risk level.")
    risk_label = serializers.CharField()
    victim_id = serializers.IntegerField()
    victim = serializers.CharField(help_text="The victim's name.")
    perpetrator_id = serializers.IntegerField(allow_null=True)
    perpetrator = serializers.CharField(allow_blank=True, help_text="Empty if none is named.")
    owner_id = serializers.IntegerField(allow_null=True, help_text="Null if nobody holds it.")
    owner = serializers.CharField(help_text="Who holds the case, or Not assigned.")
    queue_id = serializers.IntegerField(allow_null=True)
    queue = serializers.CharField(allow_blank=True, help_text="Empty if not yet routed.")
    also_open = LookupOtherOpenCaseSerializer(
        many=True,
        required=False,
        help_text="The victim's other open cases in this look-up: she also has open case …",
    )
    also_open_more = serializers.IntegerField(
        required=False,
        help_text="How many more open cases the victim has that this look-up does not show.",
    )


class LookupPhoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="As a person reads it.")


class LookupAddressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    location_type = serializers.CharField(help_text="urban or rural.")


class IntelligencePackageSerializer(serializers.Serializer):
    """The background intelligence: what a call-taker sees before the call ends."""

    searched_at = serializers.DateTimeField()
    unavailable = serializers.BooleanField(
        help_text="True if the look-up failed (for example a database timeout): show "
        "`message`, ask the control-room intelligence desk, and log the call anyway."
    )
    message = serializers.CharField(allow_blank=True)
    phone = LookupPhoneSerializer(allow_null=True, help_text="The number, if known.")
    address = LookupAddressSerializer(allow_null=True, help_text="The address, if known.")
    people = LookupPersonSerializer(many=True)
    flags = FlagOutSerializer(many=True, help_text="Live flags on the number, address or people.")
    incidents = LookupIncidentSerializer(
        many=True, help_text="The latest 20 incidents in the last 12 months, newest first."
    )
    incident_count = serializers.IntegerField(help_text="All incidents in the last 12 months.")
    suspects = LookupSuspectSerializer(many=True, help_text="Partners, ex-partners and suspects.")
    children = LookupChildSerializer(many=True, help_text="Children linked to the household.")
    open_cases = LookupOpenCaseSerializer(
        many=True,
        help_text="Open cases where any of these people is the victim or the perpetrator, "
        "newest first (at most 10).",
    )
    extra = serializers.DictField(
        child=serializers.ListField(child=serializers.DictField()),
        help_text="Sections added by other capabilities (MARAC meetings, court outcomes).",
    )


# Incidents: input.


class CallAddressInputSerializer(serializers.Serializer):
    line1 = serializers.CharField(max_length=200, allow_blank=True, default="")
    town = serializers.CharField(max_length=100, allow_blank=True, default="")
    postcode = serializers.CharField(
        max_length=20,
        allow_blank=True,
        default="",
        help_text="Any case or spacing. An invalid postcode is a field error "
        "`address.postcode` and is kept in the draft.",
    )


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "maxLength": 300},
            {
                "type": "object",
                "properties": {
                    "reason": {
                        "type": "string",
                        "enum": ["line_dropped", "cannot_speak_safely", "third_party"],
                    },
                    "detail": {"type": "string", "maxLength": 300},
                },
                "required": ["reason"],
            },
        ]
    }
)
class SkipReasonField(serializers.Field):
    """Why a question was not asked: words, or a fixed reason with optional words."""

    default_error_messages = {
        "invalid": 'Send the reason as text, or as {"reason": "…", "detail": "…"}',
    }

    def to_internal_value(self, data):
        if isinstance(data, str) and len(data) <= 300:
            return data
        if isinstance(data, dict) and set(data) <= {"reason", "detail"}:
            reason, detail = data.get("reason", ""), data.get("detail", "")
            if isinstance(reason, str) and isinstance(detail, str) and len(detail) <= 300:
                return {"reason": reason, "detail": detail}
        self.fail("invalid")

    def to_representation(self, value):
        return value


class CallPersonInputSerializer(serializers.Serializer):
    person_id = serializers.IntegerField(help_text="From `people/` or the look-up.")
    role = serializers.ChoiceField(choices=IncidentRole.choices)


class IncidentCreateSerializer(FlatErrorsSerializer):
    """A call pushed in by a command-and-control system: the draft, and optionally the
    grade so that it is logged at once."""

    caller_phone = serializers.CharField(
        max_length=40,
        allow_blank=True,
        default="",
        help_text="Any format. An invalid number is a field error and is kept in the draft.",
    )
    address = CallAddressInputSerializer(
        required=False, allow_null=True, default=None, help_text="Where it is happening."
    )
    location_type = serializers.ChoiceField(
        choices=LocationType.choices,
        required=False,
        default=None,
        help_text="Sets the emergency attendance time (15 minutes urban, 20 rural). Left "
        "out: the area recorded for a known address, otherwise urban.",
    )
    location_note = serializers.CharField(
        max_length=300,
        allow_blank=True,
        default="",
        help_text="Where, if there is no address (a car park, a road).",
    )
    narrative = serializers.CharField(
        allow_blank=True, default="", help_text="What is happening, in the caller's words."
    )
    people = CallPersonInputSerializer(many=True, default=list)
    answers = serializers.DictField(default=dict, help_text=ANSWERS_HELP)
    skipped = serializers.DictField(
        child=SkipReasonField(),
        default=dict,
        help_text="Question code to why it was not asked. Every question must be answered "
        "or skipped with a reason before grading. The questions asked of every caller "
        "(`fear_level`, `afraid_of`) may only be skipped for one of these reasons: "
        "`line_dropped`, `cannot_speak_safely`, `third_party`, sent alone "
        '(`"line_dropped"`) or with words (`{"reason": "line_dropped", "detail": "…"}`); '
        "any other reason is a field error `answers.<code>`. While `fear_level` is not "
        "answered the suggestion is at least priority.",
    )
    grade = serializers.ChoiceField(
        choices=Grade.choices,
        required=False,
        help_text="Send to log and grade the call at once; leave out to keep a draft.",
    )
    grade_reason = serializers.CharField(
        allow_blank=True,
        default="",
        help_text="Required when the grade differs from the suggestion.",
    )
    appointment_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Required for a scheduled grade (a field error `appointment_at` "
        "otherwise, and the call stays a draft); ignored for other grades.",
    )

    def draft_input(self) -> call_services.DraftInput:
        data = self.validated_data
        address = data["address"]
        return call_services.DraftInput(
            caller_phone=data["caller_phone"],
            address_line1=address["line1"] if address is not None else None,
            address_town=address["town"] if address is not None else None,
            postcode=address["postcode"] if address is not None else None,
            location_type=data["location_type"],
            keep_location_type=data["location_type"] is not None,
            location_note=data["location_note"],
            narrative=data["narrative"],
            answers=data["answers"],
            skipped=data["skipped"],
            people=[(p["person_id"], p["role"]) for p in data["people"]],
        )

    def grade_decision(self) -> call_services.GradeDecision | None:
        data = self.validated_data
        if not data.get("grade"):
            return None
        return call_services.GradeDecision(
            grade=data["grade"],
            reason=data["grade_reason"],
            appointment_at=data["appointment_at"],
        )


class GradeInputSerializer(FlatErrorsSerializer):
    """The grade chosen for a call, with the version read."""

    grade = serializers.ChoiceField(
        choices=Grade.choices,
        error_messages={"required": GRADE_REQUIRED, "invalid_choice": GRADE_REQUIRED},
    )
    grade_reason = serializers.CharField(
        allow_blank=True,
        default="",
        help_text="Why, when the grade differs from the suggestion (then required). Kept in "
        "the incident's history.",
    )
    appointment_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Required for a scheduled grade; ignored for other grades.",
    )
    version = serializers.IntegerField(
        min_value=1,
        error_messages={"required": VERSION_REQUIRED, "null": VERSION_REQUIRED},
        help_text="The version you read. If the call changed since, the answer is 409 and "
        "nothing changes.",
    )

    def decision(self) -> call_services.GradeDecision:
        data = self.validated_data
        return call_services.GradeDecision(
            grade=data["grade"],
            reason=data["grade_reason"],
            appointment_at=data["appointment_at"],
            version=data["version"],
        )


class IncidentAttendedInputSerializer(FlatErrorsSerializer):
    """An officer has arrived at a call, with the version read."""

    attended_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the officer arrived; now if left out. Never in the future, nor "
        "before the call was logged.",
    )
    version = serializers.IntegerField(
        min_value=1,
        error_messages={"required": VERSION_REQUIRED, "null": VERSION_REQUIRED},
        help_text="The version you read. If someone else changed the call since, the answer "
        "is 409 and nothing changes.",
    )


class IncidentCloseInputSerializer(FlatErrorsSerializer):
    """How a call ended, with a note and the version read."""

    outcome = serializers.ChoiceField(
        choices=IncidentOutcome.choices,
        error_messages={"required": OUTCOME_REQUIRED, "invalid_choice": OUTCOME_REQUIRED},
        help_text="How the call ended: "
        + ", ".join(f"`{value}` ({label.lower()})" for value, label in IncidentOutcome.choices)
        + ". `safeguarding` needs the officer's arrival recorded first.",
    )
    note = serializers.CharField(
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="What was done, or why no officer attended. Kept in the call's history.",
    )
    version = serializers.IntegerField(
        min_value=1,
        error_messages={"required": VERSION_REQUIRED, "null": VERSION_REQUIRED},
        help_text="The version you read. If someone else changed the call since, the answer "
        "is 409 and nothing changes.",
    )


class IncidentAbandonInputSerializer(FlatErrorsSerializer):
    """Why a call in progress is abandoned, with the version read."""

    reason = serializers.ChoiceField(
        choices=AbandonReason.choices,
        error_messages={
            "required": ABANDON_REASON_REQUIRED,
            "invalid_choice": ABANDON_REASON_REQUIRED,
        },
        help_text="Why: "
        + ", ".join(f"`{value}` ({label.lower()})" for value, label in AbandonReason.choices)
        + ".",
    )
    duplicate_of = serializers.CharField(
        allow_blank=True,
        default="",
        max_length=30,
        help_text="For `duplicate`, required: the reference of the call this one repeats "
        "(e.g. `DA-250314-42`), a call you may see, other than this one and not itself "
        "abandoned. Ignored for other reasons.",
    )
    note = serializers.CharField(
        allow_blank=True,
        default="",
        max_length=abandon_services.NOTE_MAX,
        help_text="Optional words for the supervisor reviewing the call. Kept in the call's "
        "history.",
    )
    version = serializers.IntegerField(
        min_value=1,
        error_messages={"required": VERSION_REQUIRED, "null": VERSION_REQUIRED},
        help_text="The version you read. If someone else changed the call since, the answer "
        "is 409 and nothing changes.",
    )


# Incidents: output.


class SuggestionReasonSerializer(serializers.Serializer):
    grade = serializers.CharField(help_text="The grade this reason calls for at least.")
    text = serializers.CharField(help_text='In plain words: "caller says she is very frightened".')
    rule = serializers.CharField(help_text="The rule that gave it.")


class IncidentPersonSerializer(serializers.ModelSerializer):
    person_id = serializers.IntegerField(source="person.pk")
    name = serializers.CharField(source="person.full_name")

    class Meta:
        model = IncidentPerson
        fields = ["person_id", "name", "role"]


class IncidentSummarySerializer(serializers.ModelSerializer):
    """A call in a list."""

    reference = serializers.CharField(read_only=True)
    address = serializers.SerializerMethodField()
    district = serializers.CharField(source="district.name", default=None, read_only=True)
    attended_late = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="Whether the officer arrived after `attend_by`; null until an arrival is "
        "recorded (or with no attend-by time).",
    )

    class Meta:
        model = Incident
        fields = [
            "id",
            "reference",
            "status",
            "created_at",
            "suggested_grade",
            "grade",
            "attend_by",
            "appointment_at",
            "location_type",
            "address",
            "district",
            "attended_at",
            "attended_late",
            "closed_at",
            "outcome",
            "abandoned_at",
            "abandon_reason",
            "version",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_address(self, incident) -> str:
        return str(incident.address) if incident.address_id else incident.location_note


class IncidentSerializer(IncidentSummarySerializer):
    """A call in full. For a draft the suggestion and the intelligence are live; once
    graded they are what the call-taker saw when grading."""

    caller_phone = serializers.SerializerMethodField(
        help_text="E.164, or null if none or not valid."
    )
    caller_phone_as_typed = serializers.CharField(source="caller_phone_raw", read_only=True)
    address_as_typed = serializers.JSONField(source="address_raw", read_only=True)
    people = IncidentPersonSerializer(source="involved", many=True, read_only=True)
    suggested_grade = serializers.SerializerMethodField()
    suggestion_reasons = serializers.SerializerMethodField()
    intelligence = serializers.SerializerMethodField()
    duplicate_of = serializers.SerializerMethodField(
        help_text="For a call abandoned as a duplicate, the reference of the call it repeats."
    )

    class Meta(IncidentSummarySerializer.Meta):
        fields = [
            *IncidentSummarySerializer.Meta.fields,
            "caller_phone",
            "caller_phone_as_typed",
            "address_as_typed",
            "location_note",
            "narrative",
            "people",
            "answers",
            "skipped",
            "suggestion_reasons",
            "grade_reason",
            "graded_at",
            "outcome_note",
            "abandon_note",
            "duplicate_of",
            "intelligence",
        ]

    def _live(self, incident):
        return self.context.get("live") if incident.status == IncidentStatus.DRAFT else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_duplicate_of(self, incident) -> str | None:
        return incident.duplicate_of.reference if incident.duplicate_of_id else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_caller_phone(self, incident) -> str | None:
        return incident.caller_phone.e164 if incident.caller_phone_id else None

    @extend_schema_field(serializers.ChoiceField(choices=Grade.choices, allow_blank=True))
    def get_suggested_grade(self, incident) -> str:
        live = self._live(incident)
        return live[1].grade if live else incident.suggested_grade

    @extend_schema_field(SuggestionReasonSerializer(many=True))
    def get_suggestion_reasons(self, incident) -> list[dict]:
        live = self._live(incident)
        return live[1].as_json() if live else incident.suggestion_reasons

    @extend_schema_field(IntelligencePackageSerializer(allow_null=True))
    def get_intelligence(self, incident) -> dict | None:
        live = self._live(incident)
        if live:
            return live[0].as_json()
        return incident.intelligence or None


class DraftReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.CharField()
    version = serializers.IntegerField()


class DraftErrorSerializer(ErrorSerializer):
    """400 from `POST incidents/`: what was sent is kept in a draft. Correct the fields and
    send the request again with the same `Idempotency-Key`: the same draft is updated."""

    incident = DraftReferenceSerializer(
        required=False,
        help_text="The draft that keeps what was sent; absent if nothing was saved.",
    )
