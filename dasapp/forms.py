from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """Sign-in with error messages in the design system's voice."""

    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account has been switched off. Ask your administrator",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "spellcheck": "false"}
        )


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Security code",
        help_text="The 6-digit code from your authenticator app",
        max_length=8,
        error_messages={"required": "Enter the security code"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError("Enter the 6-digit security code")
        return token


class PurposeForm(forms.Form):
    purpose = forms.CharField(
        label="Why are you viewing this record?",
        help_text="This is kept in the access log with your name and the time",
        max_length=500,
        error_messages={"required": "Enter why you are viewing this record"},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def apply_domain_errors(form: forms.Form, exc, *, field_map: dict[str, str] | None = None) -> None:
    """Put a service's refusal (`dasapp.api.DomainError`) on a form: each field error on
    its visible field; otherwise the message and every error above the form. A conflict
    (someone else's change) always goes above the form."""
    from dasapp.api import ConflictError

    field_map = field_map or {}
    placed = False
    if not isinstance(exc, ConflictError):
        for key, messages in exc.errors.items():
            name = field_map.get(key, key)
            if name in form.fields and not form.fields[name].widget.is_hidden:
                for message in messages:
                    form.add_error(name, message)
                placed = True
    if not placed:
        form.add_error(None, exc.message)
        for key, messages in exc.errors.items():
            if field_map.get(key, key) not in form.fields:
                for message in messages:
                    form.add_error(None, message)
