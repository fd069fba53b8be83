from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    """Claims from the seed; the ID tokens of a client named "misissued" are issued for another
    audience, as a provider mixing up its clients would."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "preferred_username": "profile",
        "given_name": "profile",
        "family_name": "profile",
        "locale": "profile",
        "email": "email",
        "email_verified": "email",
    }

    def get_additional_claims(self, request):
        person = settings.SEED["people"][request.user.username]
        return {
            "preferred_username": request.user.username,
            "given_name": person["given_name"],
            "family_name": person["family_name"],
            "email": person["email"],
            "email_verified": True,
            "locale": person["locale"],
        }

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        if request.client.name == "misissued":
            claims["aud"] = "another-app"
        return claims, expiration_time
