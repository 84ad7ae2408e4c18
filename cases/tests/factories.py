"""factory_boy factories for people and places. They write through the services, so
names are indexed for search and numbers and postcodes are normalised as in real use.

Data is fictional: numbers come from Ofcom's drama ranges (07700 900xxx).
"""

from __future__ import annotations

import datetime as dt

import factory

from people import services
from people.models import Address, Person


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    line1 = factory.Sequence(lambda n: f"{n + 1} Fictional Road")
    town = "Colchester"
    postcode = "CO1 1AA"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        address, _ = services.address_get_or_create(**kwargs)
        return address


class PersonFactory(factory.django.DjangoModelFactory):
    """A person. `phone="07700 900123"`, `address=<Address>` and `aliases=[(given, family)]`
    link contacts after creation."""

    class Meta:
        model = Person
        skip_postgeneration_save = True

    given_name = factory.Iterator(["Amira", "Bethany", "Chloe", "Dawn", "Erin"])
    family_name = factory.Sequence(lambda n: f"Fictional{n}")
    date_of_birth = dt.date(1990, 3, 27)
    gender = "female"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        user = kwargs.pop("user", None)
        return services.person_create(data=services.PersonInput(**kwargs), user=user)

    @factory.post_generation
    def phone(obj, create, extracted, **kwargs):
        if create and extracted:
            phone, _ = services.phone_get_or_create(number=extracted)
            services.person_phone_link(person=obj, phone=phone, is_safe=kwargs.get("safe", False))

    @factory.post_generation
    def address(obj, create, extracted, **kwargs):
        if create and extracted:
            services.person_address_link(person=obj, address=extracted)

    @factory.post_generation
    def aliases(obj, create, extracted, **kwargs):
        for given, family in extracted or []:
            services.person_name_add(person=obj, given_name=given, family_name=family)


def drama_number(n: int) -> str:
    """The n-th fictional mobile number, 07700 900000 to 07700 900999."""
    return f"07700 900{n % 1000:03d}"
