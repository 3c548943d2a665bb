"""Keyboard-only use, phones and print: what people without a mouse or a big screen see."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(agency, browser_page):
    browser_page.goto("/agencies/")
    browser_page.keyboard.press("Tab")
    focused = browser_page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    browser_page.keyboard.press("Enter")
    assert browser_page.evaluate("document.activeElement.id") == "main-content"


def test_keyboard_user_can_reach_the_sign_in_form_and_submit_it(citizen, browser_page):
    browser_page.goto("/accounts/login/")
    browser_page.get_by_label("Email").focus()
    browser_page.keyboard.type(citizen.email)
    # Tab passes the "Forgot your password?" link on its way to the password field.
    for _ in range(3):
        browser_page.keyboard.press("Tab")
        if browser_page.evaluate("document.activeElement.name") == "password":
            break
    assert browser_page.evaluate("document.activeElement.name") == "password"
    browser_page.keyboard.type("townhall-demo-password")
    browser_page.keyboard.press("Enter")
    browser_page.wait_for_url("**/account/")
    assert citizen.display_name in browser_page.content()


def test_phone_visitor_opens_the_menu(agency, browser_page):
    browser_page.set_viewport_size({"width": 375, "height": 740})
    browser_page.goto("/")
    menu = browser_page.get_by_role("button", name="Menu")
    assert menu.is_visible()
    menu.click()
    browser_page.get_by_role("link", name="Agencies").first.wait_for(state="visible")


def test_print_hides_navigation_but_keeps_the_content(agency, browser_page):
    browser_page.goto(f"/agencies/{agency.slug}/")
    browser_page.emulate_media(media="print")
    assert not browser_page.locator("header.usa-header").is_visible()
    assert browser_page.get_by_role("heading", level=1).is_visible()


def test_visitor_switches_the_interface_to_spanish(agency, browser_page):
    browser_page.goto("/agencies/")
    browser_page.get_by_label("Language").select_option("es")
    browser_page.get_by_role("button", name="Change language").click()
    browser_page.wait_for_load_state()
    assert browser_page.locator("html").get_attribute("lang") == "es"
    assert browser_page.get_by_role("link", name="Agencias").first.is_visible()
