"""Test identities of the simulated e-ID provider (fictional people; valid-looking personal ID numbers)."""

IDENTITIES = [
    {"citizen_id": "001090012345", "name": "Nguyễn Văn An", "birthdate": "1990-05-12", "phone": "0912345678",
     "email": "an.nguyen@example.vn"},
    {"citizen_id": "079185001234", "name": "Trần Thị Bích", "birthdate": "1985-11-03", "phone": "0987654321",
     "email": "bich.tran@example.vn"},
    {"citizen_id": "036200004567", "name": "Lê Hoàng Cường", "birthdate": "2000-01-30", "phone": "0934567890"},
]
PASSWORD = "vneid-demo"


def identity_of(citizen_id: str) -> dict:
    for person in IDENTITIES:
        if person["citizen_id"] == citizen_id:
            return person
    return {"citizen_id": citizen_id, "name": citizen_id, "birthdate": ""}
