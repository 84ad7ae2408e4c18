"""Word lists and text for volume data: given and family names, nicknames, streets and
postcodes, languages, safe-contact instructions, call narratives, and the phone numbers
of Ofcom's drama ranges."""

from __future__ import annotations

from people import matching


def _words(text: str) -> list[str]:
    return text.split()


# Names: common given names, and family names from a short list plus invented ones
# (root + ending: Ashworth, Thornley). Checked against the real names in the inspection
# report by demo/tests/test_generate_volume.py.
FEMALE_GIVEN = _words(
    """
Abigail Ada Adaeze Aisha Alice Alicia Amara Amber Amelia Amy Ana Andreea Angela Anna Annie
Antonia Aoife Ava Ayesha Beatrice Bella Bethany Bronwen Caitlin Camille Carla Caroline Cerys
Charlotte Chloe Ciara Clara Daisy Dana Danielle Demi Eleanor Elena Elif Eliza Ella Ellie
Eloise Emily Emma Erin Esme Eva Evie Faith Farah Fatima Florence Freya Gemma Georgia Grace
Hannah Harriet Hazel Heidi Holly Imogen Isabel Isla Ivy Jade Jasmine Jessica Joanna Jodie
Julia Kacey Karina Katie Kayla Keeley Kira Lacey Lara Laura Lauren Layla Leila Lena Lily Lola
Lucy Lydia Maddison Maja Martyna Maryam Matilda Maya Megan Melissa Mia Mila Millie Mollie
Nadia Naomi Natalia Nicole Niamh Nina Nkechi Olivia Paige Paula Phoebe Poppy Priya Rachel
Rebecca Rhiannon Roisin Rosa Rose Ruby Ruth Sadia Saffron Samira Sara Scarlett Seren Shannon
Sienna Simone Sofia Sophie Stacey Stella Summer Tamsin Tanisha Tara Tegan Theresa Tia Toni
Valentina Vanessa Victoria Violet Willow Yasmin Zainab Zara Zoe Zofia
"""
)
MALE_GIVEN = _words(
    """
Aaron Abdul Adam Adrian Ahmed Aidan Alan Alex Alfie Ali Andrei Andrew Anthony Archie Arjun
Arthur Ashley Bartosz Ben Billy Blake Bogdan Bradley Brandon Callum Calvin Cameron Carl Charlie
Chinedu Christian Cian Colin Connor Craig Curtis Damian Daniel Darren Dean Declan Dominic Dylan
Elliot Emeka Emre Ethan Euan Ewan Finley Finn Gareth Gavin George Grant Hamza Harley Harrison
Harry Harvey Hassan Henry Hugo Ibrahim Isaac Ivan Jack Jacob Jake Jamal Jamie Jason Jay Jayden
Joel Jonah Jordan Joseph Josh Jude Kai Kamil Karl Kayden Keith Kieran Kofi Krzysztof Kwame Leon
Lewis Liam Logan Louis Luca Lucas Luke Marcus Mark Mason Mateusz Matthew Max Michael Mihai
Mohammed Nathan Neil Nico Noah Oisin Oliver Omar Oscar Owen Patrick Paul Piotr Rafael Reece
Rhys Riley Robert Ronan Rory Ross Ryan Sam Scott Sean Sebastian Shane Simon Stefan Steven
Stuart Taylor Theo Thomas Toby Tom Tomasz Tyler Usman Victor Wayne Wesley William Yusuf Zach
Zain
"""
)
FAMILY_LISTED = _words(
    """
Abbott Adebayo Ahmed Akhtar Ali Appiah Atkins Bailey Baker Banerjee Barker Barnes Begum Bell
Bennett Bird Bishop Boateng Booth Bowen Boyle Brennan Briggs Brooks Burke Byrne Campbell Carr
Carter Chapman Chaudhry Chen Chowdhury Clarke Cole Collins Connolly Cooper Costa Cox
Cunningham Dale Das Davies Dawson Demir Dixon Doherty Donnelly Doyle Duffy Dunn Edwards Ellis
Evans Farrell Ferguson Ferreira Fisher Fleming Flynn Foster Fraser Gallagher Gill Gordon
Graham Grant Gray Griffiths Hall Hamilton Harper Hayes Henderson Hill Hoang Holmes Hughes
Hussain Iqbal Ionescu Jackson James Jenkins Johnson Kaur Kay Kelly Kennedy Khan Kowalczyk
Kowalski Kumar Lambert Lawson Lewis Lloyd Lynch MacDonald Mahmood Malik Marshall Mason Matthews
McCarthy McLean Mensah Miller Mitchell Moore Morgan Morris Murphy Murray Nguyen Nowak Nwosu
O'Brien O'Connor O'Neill Obi Okafor Okonkwo Osei Owen Palmer Parker Patel Pearce Perry
Phillips Popescu Powell Price Quinn Rahman Rees Reid Reilly Reynolds Richards Riley Roberts
Robinson Rossi Russell Ryan Santos Saunders Shah Sharma Shaw Silva Simpson Singh Smith Stevens
Stewart Sullivan Taylor Thomas Thompson Turner Wade Walker Walsh Ward Watson Webb Wells White
Wilkinson Williams Wilson Wisniewski Wood Wright Yilmaz Young Zielinski
"""
)
FAMILY_ROOTS = _words(
    """
Ash Black Brad Bram Brook Burn Cal Car Clay Cold Cres Crow Dal Dun East Elm Fair Farn Fern
Fox Gar Gold Green Hart Hay Hazel Heath Hew Hol Ing Kel Kings Kir Lang Lark Lin Lock Mal Mar
Mid Mill Moor Nor North Oak Ock Pem Pen Pick Quen Rad Red Rid Ross Rush Sand Sel Shaw Shel
Stan Stock Stone Sut Tal Thorn Tod Ult Ver Wad War Wel West Whit Wil Win Wood Wyn Yar Ald Bel
"""
)
FAMILY_ENDINGS = _words(
    """
ley ton well wood worth ford by combe field ham hurst more stead wick croft den dale bridge
brook cott low marsh ridge shaw thorpe
"""
)
FAMILY_NAMES = sorted(
    set(FAMILY_LISTED) | {r + e for r in FAMILY_ROOTS for e in FAMILY_ENDINGS if e not in r.lower()}
)
NICKNAMES = _words("Baz Dex Jonno Kez Mack Razz Spike Tank Tel Wozza Ziggy Gaz Stu Robbo")

STREET_WORDS = _words(
    """
Acorn Alder Aspen Badger Beech Birch Bluebell Bramble Briar Buttercup Cedar Cherry Chestnut
Clover Coppice Cowslip Elder Fern Finch Foxglove Hawthorn Heather Holly Honeysuckle Juniper
Kestrel Laburnum Larch Lavender Lilac Linden Magpie Maple Marigold Meadow Mistle Nightingale
Orchard Osprey Otter Pippin Plover Poplar Primrose Quail Raven Robin Rowan Sedge Sorrel
Sparrow Spindle Starling Swallow Sycamore Teasel Thistle Thrush Willow Wren Yew
"""
)
STREET_TYPES = _words(
    """
Road Street Lane Close Avenue Drive Way Gardens Grove Crescent Court Place Rise Walk Mews
View Terrace
"""
)
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

LANGUAGES = [
    ("English", 90),
    ("Polish", 2),
    ("Romanian", 2),
    ("Urdu", 1.5),
    ("Bengali", 1),
    ("Portuguese", 1),
    ("Lithuanian", 1),
    ("Turkish", 0.75),
    ("Arabic", 0.75),
]
SAFE_CONTACT = [
    "Call the safe number only. If anyone else answers, say it is the GP surgery.",
    "Text first and wait for a reply before calling.",
    "Do not call after 17:00: he is home.",
    "Contact through her sister on the safe number.",
]
SAFE_TIMES = ["Weekdays 09:30 to 14:30", "Mornings only", "Tuesday and Thursday afternoons"]
NARRATIVES = [
    "Caller says her partner is shouting and has pushed her. Children upstairs.",
    "Neighbour reports screaming and banging from the flat next door.",
    "Ex-partner at the door refusing to leave, banging on windows.",
    "Caller says he has threatened her by text and is on his way.",
    "Argument escalated; caller hiding in the bathroom, speaking quietly.",
    "Caller's ex-partner followed her home from work and is outside.",
    "Damage to property; suspect left before the call.",
    "Caller reports a breach of bail conditions: he has come to the house.",
]
FEAR_REASON = ["Caller says they are very frightened"]
OTHER_GRADE_REASON = "Officer availability and the caller's agreement to an appointment."


def drama_numbers() -> list[str]:
    """Every number in Ofcom's drama ranges, in E.164 form (18 x 1,000)."""
    return [f"+44{prefix}{n:03d}" for prefix in matching._DRAMA_PREFIXES for n in range(1000)]


def national_format(e164: str) -> str:
    """How a call-taker might type it: `07700 900123`."""
    national = "0" + e164[3:]
    return f"{national[:5]} {national[5:]}"
