"""The claims the simulated e-ID provider releases: the person's name, birth date, phone and personal ID number."""

from oauth2_provider.oauth2_validators import OAuth2Validator

from congso.eid_simulator.identities import identity_of


class CitizenClaims(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "citizen_id": "citizen", "phone_number": "phone"}

    def get_additional_claims(self, request):
        person = identity_of(request.user.username)
        return {
            "name": person["name"],
            "birthdate": person["birthdate"],
            "email": person.get("email", ""),
            "phone_number": person.get("phone", ""),
            "citizen_id": person["citizen_id"],
        }
