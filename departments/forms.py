from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from departments.models import Delivery, Profile


class DeliveriesForm(forms.Form):
    """How each kind of message reaches a person: a choice per kind in `kinds` (name → label)."""

    def __init__(self, data=None, *, profile: Profile, kinds: dict[str, str]):
        super().__init__(data)
        self.profile = profile
        for name, label in kinds.items():
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=Delivery.choices,
                initial=profile.deliveries.get(name, Delivery.EMAIL),
            )

    def save(self) -> Profile:
        """Keep the choices that differ from the default (e-mail now), and those of other kinds."""
        deliveries = {
            name: choice
            for name, choice in {**self.profile.deliveries, **self.cleaned_data}.items()
            if choice != Delivery.EMAIL
        }
        self.profile.deliveries = deliveries
        self.profile.save(update_fields=["deliveries"])
        return self.profile


def _time_zone_choices() -> list[tuple[str, str]]:
    company = _("The company's (%(zone)s)") % {"zone": settings.TIME_ZONE}
    return [("", company), *((name, name) for name in sorted(available_timezones()))]


class TimeZoneForm(forms.ModelForm):
    """The time zone a person's pages show dates and times in."""

    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zone_choices, required=False)

    class Meta:
        model = Profile
        fields = ["time_zone"]
