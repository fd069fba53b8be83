from django import forms

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
