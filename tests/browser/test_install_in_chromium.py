"""A person's first minute, in a real browser: catalogue → Install → consent → activation."""

from playwright.sync_api import expect


def install_and_open_activation(page, stack):
    page.goto(f"{stack.rackbeat_url}/apps")
    page.get_by_role("link", name="Install").first.click()
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(f"{stack.rackbeat_url}/settings/apps/dinero")
    frame = page.frame_locator("#app-frame")
    # The demo user's Rackbeat locale is Danish, so the app speaks Danish.
    expect(frame.get_by_role("heading", name="Aktivér Dinero-integrationen")).to_be_visible()
    return frame


def submit(frame, api_key, organization_id):
    frame.get_by_label("Dinero API-nøgle").fill(api_key)
    frame.get_by_label("Dinero firma-ID").fill(organization_id)
    frame.get_by_label("Dinero firma-ID").press("Enter")  # the keyboard is enough


def confirm_connection(frame):
    """The last question names both sides; nothing is saved before it is answered."""
    expect(frame.locator("#confirm-connection-question")).to_contain_text(
        "Dinero-organisationen Demo Lager ApS (400555)"
    )
    frame.get_by_role("button", name="Bekræft og forbind").click()


def activate(frame):
    """Activate with the demo organization; the start sync is offered next (S1): decline it
    and go to the overview."""
    submit(frame, "demo-dinero-api-key", "400555")
    confirm_connection(frame)
    expect(frame.locator("#start-sync")).to_be_visible()
    frame.get_by_role("button", name="Nej tak").click()
    # The choice is saved before the page moves on (the old page's link would be lost).
    expect(frame.locator("#start-sync-choice")).to_contain_text("Du valgte ikke at overføre")
    frame.locator(".breadcrumb a").click()
    expect(frame.locator("#connection-status")).to_contain_text("Aktiv")
    expect(frame.locator("#connection-status")).to_contain_text("400555")


def test_install_and_activate_in_the_rackbeat_iframe(page, stack, screenshot_path):
    frame = install_and_open_activation(page, stack)

    submit(frame, "wrong-key", "400555")
    expect(frame.get_by_role("alert")).to_contain_text("Dinero accepterede ikke API-nøglen")

    activate(frame)

    # The page reported its height and Rackbeat fitted the iframe to it.
    content_height = frame.locator("body").evaluate("b => b.getBoundingClientRect().height")
    iframe = page.locator("#app-frame")
    expect(iframe).to_have_js_property("clientHeight", round(content_height))
    page.screenshot(path=screenshot_path("activation-active.png"), full_page=True)
    assert screenshot_path("activation-active.png").stat().st_size > 10_000


def test_a_non_pro_organization_gets_the_pro_message(page, stack, screenshot_path):
    frame = install_and_open_activation(page, stack)
    submit(frame, "demo-starter-api-key", "400556")
    expect(frame.get_by_role("alert")).to_contain_text("har ikke Dinero Pro")
    page.screenshot(path=screenshot_path("activation-not-pro.png"), full_page=True)
