"""A facilitator imports a questionnaire file (a bad one first), previews the draft on a phone
and a laptop width in German, and adds a question from the library: axe-clean on a phone and
a laptop."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from surveys.loading import V2_QUESTIONNAIRE, read_definition

from ..factories import PASSWORD, default_questionnaire, make_facilitator
from .axe import assert_no_serious_axe_violations
from .conftest import LAPTOP, screenshot

PHONE = {"width": 390, "height": 844}


def _log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()


def test_import_preview_and_library_on_a_phone_and_a_laptop(new_page, tmp_path):
    default_questionnaire()
    make_facilitator("alice", first_name="Alice")
    good = {"format": 1, **read_definition(V2_QUESTIONNAIRE), "slug": "acme"}
    good["title"] = "Acme mobile strategy"
    bad = json.loads(json.dumps(good))
    first = bad["sections"][0]["questions"][0]
    first["scale_max"] = first["scale_min"]
    del bad["sections"][1]["questions"][0]["de"]["prompt"]
    bad["sections"][2]["questions"][0]["kind"] = "essay"
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    (tmp_path / "acme.json").write_text(json.dumps(good))

    for name, viewport in (("phone", PHONE), ("laptop", LAPTOP)):
        page = new_page(viewport)
        _log_in(page, "alice")
        page.goto("/questionnaires/import/")
        page.locator("input[type=file]").set_input_files(str(tmp_path / "bad.json"))
        page.get_by_role("button", name="Import as a draft").click()
        report = page.locator("#import-problems")
        expect(report).to_contain_text("The file was not imported: 4 problems to fix.")
        expect(report).to_contain_text(
            "Section “objectives”, question “obj-channels”, field “scale_max”"
        )
        expect(report).to_contain_text("field “de.prompt”: the translation is missing.")
        expect(report).to_contain_text("field “kind”: “essay” is not a question kind")
        screenshot(page, f"questionnaire-import-report-{name}")
        assert_no_serious_axe_violations(page)
        page.close()

    page = new_page(LAPTOP)
    _log_in(page, "alice")
    page.goto("/questionnaires/import/")
    page.locator("input[type=file]").set_input_files(str(tmp_path / "acme.json"))
    page.get_by_role("button", name="Import as a draft").click()
    expect(page.get_by_role("heading", name="Preview: Acme mobile strategy")).to_be_visible()
    expect(page.locator(".alert-success")).to_contain_text("as a new draft of yours")
    preview_url = page.url
    frame = page.frame_locator("iframe.preview-frame")
    expect(frame.get_by_role("heading", name="Acme mobile strategy")).to_be_visible()
    expect(page.locator("iframe.preview-frame")).to_have_attribute(
        "class", "preview-frame preview-phone"
    )
    # The frame's page is laid out for a phone: 390 px wide.
    assert frame.locator("body").evaluate("() => window.innerWidth") == 390
    assert_no_serious_axe_violations(page)
    frame.get_by_role("link", name="Start →").click()
    expect(frame.get_by_role("heading", name="Objectives")).to_be_visible()
    page.get_by_role("link", name="Deutsch").click()
    expect(frame.get_by_role("heading", name="Ziele")).to_be_visible()
    expect(frame.get_by_role("link", name="Speichern und weiter →")).to_be_visible()
    frame.locator("fieldset.question").first.locator("label").nth(3).click()  # answer: stays here
    screenshot(page, "questionnaire-preview-phone-frame")
    page.get_by_role("link", name="Laptop (1280 px)").click()
    expect(page.locator("iframe.preview-frame")).to_have_attribute(
        "class", "preview-frame preview-laptop"
    )
    assert frame.locator("body").evaluate("() => window.innerWidth") == 1280
    expect(frame.get_by_role("heading", name="Ziele")).to_be_visible()
    screenshot(page, "questionnaire-preview-laptop-frame")
    assert not page.console_errors, page.console_errors

    page.goto("/questionnaires/library/?q=budget")
    hit = page.locator("article.library-hit").first
    expect(hit).to_contain_text("Used in:")
    expect(hit).to_contain_text("Joint mobile strategy (version 2)")
    expect(hit).to_contain_text("Acme mobile strategy (version 2, draft)")
    hit.get_by_role("button", name="Add to my draft").click()
    expect(page.locator(".alert-danger")).to_contain_text("already has a question with the code")
    screenshot(page, "questionnaire-library-laptop")
    assert_no_serious_axe_violations(page)

    phone = new_page(PHONE)
    _log_in(phone, "alice")
    phone.goto("/questionnaires/library/?kind=allocation")
    expect(phone.locator("article.library-hit").first).to_contain_text("Used in:")
    screenshot(phone, "questionnaire-library-phone")
    assert_no_serious_axe_violations(phone)
    phone.goto(preview_url)
    expect(phone.get_by_role("link", name="Phone (390 px)")).to_have_attribute(
        "aria-current", "true"
    )
    expect(phone.frame_locator("iframe.preview-frame").locator("h1")).to_be_visible()
    screenshot(phone, "questionnaire-preview-on-a-phone")
    assert_no_serious_axe_violations(phone)
