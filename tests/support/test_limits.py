"""Wrong passwords and wrong codes are limited per account and per address (Flask-Limiter on
the real Redis): the 11th wrong attempt within 15 minutes answers 429; successes never count."""

from tests.support.staff_login import STRONG_PASSWORD
from tests.support.staff_login import code_for
from tests.support.staff_login import post_code
from tests.support.staff_login import post_login
from tests.support.staff_login import wrong_code

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def from_address(number: int) -> dict:
    return {"environ_base": {"REMOTE_ADDR": f"10.0.0.{number}"}}


def test_the_11th_wrong_password_for_an_account_answers_429(client, make_staff):
    make_staff("v@v.example", ready=True)
    for attempt in range(10):  # each from another address: only the account's limit applies
        response = post_login(client, "v@v.example", "wrong", **from_address(attempt))
        assert response.status_code == 401, attempt
    limited = post_login(client, "v@v.example", STRONG_PASSWORD, **from_address(99))
    assert limited.status_code == 429
    assert "Too many wrong attempts" in limited.get_data(as_text=True)
    # another account from the same address is not affected
    make_staff("w@v.example", ready=True)
    assert post_login(client, "w@v.example", STRONG_PASSWORD, **from_address(99)).status_code == 302


def test_the_429_page_does_not_say_whether_the_account_exists(client, make_staff):
    make_staff("v@v.example", ready=True)
    pages = []
    for email in ("v@v.example", "nobody@v.example"):
        for attempt in range(10):
            post_login(client, email, "wrong", **from_address(attempt))
        limited = post_login(client, email, "wrong", **from_address(50))
        assert limited.status_code == 429
        pages.append(limited.get_data(as_text=True).replace("nobody@v.example", "v@v.example"))
    assert pages[0] == pages[1]
    assert "v@v.example" not in pages[0]


def test_the_11th_wrong_password_from_an_address_answers_429(client, make_staff):
    make_staff("v@v.example", ready=True)
    for attempt in range(10):  # a different account each time: only the address's limit applies
        response = post_login(client, f"guess{attempt}@v.example", "wrong", **from_address(7))
        assert response.status_code == 401
    assert post_login(client, "v@v.example", STRONG_PASSWORD, **from_address(7)).status_code == 429
    assert post_login(client, "v@v.example", STRONG_PASSWORD, **from_address(8)).status_code == 302


def test_successful_sign_ins_do_not_count(client, make_staff):
    make_staff("v@v.example", ready=True)
    for _ in range(12):
        assert post_login(client, "v@v.example", STRONG_PASSWORD).status_code == 302
    for attempt in range(10):
        assert post_login(client, "v@v.example", "wrong").status_code == 401, attempt
    assert post_login(client, "v@v.example", "wrong").status_code == 429


def test_wrong_codes_are_limited_too(client, make_staff):
    make_staff("op@v.example", "operator", ready=True, totp=SECRET)
    post_login(client, "op@v.example", STRONG_PASSWORD)
    for attempt in range(10):
        assert post_code(client, "/support/login/code", wrong_code(SECRET)).status_code == 401, (
            attempt
        )
    assert post_code(client, "/support/login/code", code_for(SECRET)).status_code == 429
    assert client.get("/support/").status_code == 302
