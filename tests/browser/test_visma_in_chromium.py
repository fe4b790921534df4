"""Sign in with Visma in a real browser: the button in Rackbeat's iframe opens Visma's page in
a new window, and the iframe follows the sign-in on its own (it polls) to the next step."""

from playwright.sync_api import expect

from tests.browser.test_install_in_chromium import install_and_open_activation


def test_sign_in_with_visma_in_a_new_window(page, stack, screenshot_path):
    frame = install_and_open_activation(page, stack)
    frame.get_by_role("button", name="Log ind med Visma").click()
    expect(frame.locator("#visma-waiting")).to_be_visible()

    with page.expect_popup() as opened:
        frame.get_by_role("link", name="Åbn Visma-login").click()
    window = opened.value
    window.get_by_label("E-mail").fill("mette@demo-lager.dk")
    window.get_by_label("Password").fill("demo")
    window.get_by_role("button", name="Sign in and allow").click()

    expect(window.get_by_role("heading", name="Vælg Dinero-virksomheden")).to_be_visible()
    window.get_by_label("Starter ApS (400556)").check()
    window.get_by_role("button", name="Forbind denne virksomhed").click()
    expect(window.get_by_role("alert")).to_contain_text("har ikke Dinero Pro")
    window.get_by_label("Demo Lager ApS (400555)").check()
    window.get_by_role("button", name="Forbind denne virksomhed").click()
    # The last question names both sides; nothing is saved before it is answered.
    expect(window.locator("#confirm-connection-question")).to_contain_text(
        "Dinero-organisationen Demo Lager ApS (400555)"
    )
    expect(frame.locator("#visma-waiting")).to_be_visible()  # the iframe waits for the answer
    window.get_by_role("button", name="Bekræft og forbind").click()
    expect(window.locator("#sign-in-done")).to_contain_text("Dinero er forbundet")
    window.screenshot(path=screenshot_path("visma-window-done.png"), full_page=True)

    # Meanwhile the iframe noticed and moved on: the one-time import is offered (S1).
    expect(frame.locator("#start-sync")).to_be_visible()
