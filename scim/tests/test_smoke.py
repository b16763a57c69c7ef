from scim.tests.conftest import user_body


def test_create_then_read_user(scim, team):
    created = scim.post("Users", user_body("ada@example.com"))
    assert created.status == 201, created.body
    got = scim.get(f"Users/{created.body['id']}")
    assert got.status == 200, got.body
    assert got.body["userName"] == "ada@example.com"
    listed = scim.get('Users?filter=userName eq "ada@example.com"')
    assert listed.status == 200, listed.body
    assert listed.body["totalResults"] == 1
