"""Settings in a real browser, inside Rackbeat's Settings > Apps > Dinero iframe."""

from playwright.sync_api import expect

from tests.browser.test_install_in_chromium import activate
from tests.browser.test_install_in_chromium import install_and_open_activation

PURCHASES = {"domestic": "2000", "eu": "2050", "abroad": "2150"}


def select_account(frame, field: str, number: str) -> None:
    frame.locator(f"#{field}").select_option(number)


def test_settings_are_saved_kept_and_shown_in_swedish(page, stack, screenshot_path):
    frame = install_and_open_activation(page, stack)
    activate(frame)

    frame.locator("#settings-links a").first.click()  # Purchase and suppliers
    for zone, number in PURCHASES.items():
        select_account(frame, f"purchase-1-{zone}", number)
    frame.get_by_role("button", name="Gem").click()  # Danish: the demo user's locale
    expect(frame.locator("#settings-saved")).to_be_visible()

    page.reload()
    frame.locator("#settings-links a").first.click()
    for zone, number in PURCHASES.items():
        expect(frame.locator(f"#purchase-1-{zone}")).to_have_value(number)
    page.screenshot(path=screenshot_path("settings-purchase.png"), full_page=True)

    frame.locator(".tabs a").nth(1).click()  # Sales and customers
    select_account(frame, "sales-1-domestic", "1000")
    select_account(frame, "sales-2-domestic", "1300")
    frame.get_by_role("button", name="Gem").press("Enter")  # the keyboard is enough
    expect(frame.locator("#settings-saved")).to_be_visible()
    expect(frame.locator("#sales-1-domestic")).to_have_value("1000")
    expect(frame.locator("#sales-2-domestic")).to_have_value("1300")

    frame.get_by_role("link", name="Svenska").click()
    expect(frame.get_by_label("Aktivera kundintegration")).to_be_visible()
    expect(frame.get_by_role("heading", name="Intäktskonton")).to_be_visible()
    expect(frame.locator("#sales-2-domestic")).to_have_value("1300")
    page.screenshot(path=screenshot_path("settings-sales.png"), full_page=True)
    assert screenshot_path("settings-sales.png").stat().st_size > 10_000


def test_purchase_saves_first_and_the_overview_lists_what_is_left(page, stack, screenshot_path):
    frame = install_and_open_activation(page, stack)
    activate(frame)
    expect(frame.locator("#step-purchase")).to_contain_text("Slået fra")

    frame.locator("#step-purchase a.step-title").click()  # the article's order: purchase first
    for group in ("1", "2", "3"):
        for zone, number in PURCHASES.items():
            select_account(frame, f"purchase-{group}-{zone}", number)
    frame.get_by_label("Aktivér leverandørintegration").check()
    frame.get_by_role("button", name="Gem").click()
    expect(frame.locator("#settings-saved")).to_be_visible()  # units are not mapped yet
    missing = frame.locator("#still-missing")
    expect(missing).to_contain_text("stk, pcs, kg, timer, kasse")
    page.screenshot(path=screenshot_path("settings-still-missing.png"), full_page=True)

    missing.get_by_role("link").first.click()
    expect(frame.get_by_role("heading", name="Enheder og sprog", level=1)).to_be_visible()
    expect(frame.locator("#unit-4-error")).to_be_visible()  # shown next to the unit too
    frame.get_by_role("button", name="Gem").click()  # the suggested units and languages
    expect(frame.locator("#settings-saved")).to_be_visible()
    expect(frame.locator("#still-missing")).to_have_count(0)

    frame.locator(".breadcrumb a").click()
    for step, status in (("purchase", "Klar"), ("sales", "Slået fra"), ("units", "Klar")):
        expect(frame.locator(f"#step-{step} .status")).to_have_text(status)
    expect(frame.locator("#checklist-ready")).to_be_visible()
    page.screenshot(path=screenshot_path("overview-checklist.png"), full_page=True)
