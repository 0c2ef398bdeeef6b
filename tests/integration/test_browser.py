"""The console and the portal in headless Chromium (Debian's, driven by Playwright): sign in,
register an institution, see it in the health bureau's inbox, open the portal. Screenshots are
saved under `test-artifacts/`."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gateway.demo import seed_demo_accounts
from tests.factories import registration_body
from tests.integration.suite import InProcessSuite

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAVE_BROWSER = Path(CHROMIUM).exists()
if os.environ.get("TUOYU_TEST_REQUIRE_BROWSER") == "1" and not HAVE_BROWSER:
    raise RuntimeError("the browser tests are required here but chromium is not installed")
pytestmark = pytest.mark.skipif(not HAVE_BROWSER, reason="browser tests NOT run: Debian's chromium is not installed")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "browser-tests-password"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
async def browser(suite: InProcessSuite) -> AsyncIterator:  # type: ignore[type-arg]
    from playwright.async_api import async_playwright

    await seed_demo_accounts(suite.runtime("gateway").db, PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        await chromium.close()


async def signed_in(browser, suite: InProcessSuite, username: str, **context):  # type: ignore[no-untyped-def]
    page = await (await browser.new_context(**context)).new_page()
    page.set_default_timeout(20000)
    await page.goto(suite.urls["gateway"] + "/")
    await page.fill("#f-username", username)
    await page.fill("#f-password", PASSWORD)
    await page.click("#signin button[type=submit]")
    await page.wait_for_selector("nav a")
    return page


async def test_register_then_see_it_in_the_health_bureaus_inbox(browser, suite: InProcessSuite) -> None:  # type: ignore[no-untyped-def]
    body = registration_body("minzheng", "441803", name="浏览器测试<img src=x onerror=window.hacked=1>托育园")
    page = await signed_in(browser, suite, "minzheng-441803")
    await page.click("text=新增登记")
    await page.fill("#f-uscc", body["uscc"])
    await page.fill("#f-name", body["name"])
    await page.select_option("#f-county", "441803")
    await page.fill("#f-address", "清新区太和镇1号")
    await page.fill("#f-legal_representative", "陈某")
    await page.fill("#f-toddler", "15")
    await page.click("form button[type=submit]")
    await page.wait_for_selector("text=已登记")
    await page.screenshot(path=str(ARTIFACTS / "register.png"), full_page=True)

    health = await signed_in(browser, suite, "weijian-441803")
    await health.click("nav >> text=收件箱")
    row = health.locator("tr", has_text=body["uscc"])
    for _ in range(30):  # the event travels; reload the list until it is there
        if await row.count():
            break
        await health.click("form button[type=submit]")
        await health.wait_for_timeout(300)
    assert await row.count() == 1
    assert "是" in await row.inner_text()  # pushed in the registration month
    assert body["name"] in await row.inner_text()  # shown as text …
    assert await health.evaluate("window.hacked") is None  # … never run as HTML
    await health.screenshot(path=str(ARTIFACTS / "inbox.png"), full_page=True)

    await health.click("nav >> text=推送情况")
    await health.wait_for_selector("svg.chart")
    await health.screenshot(path=str(ARTIFACTS / "push-compliance.png"), full_page=True)


async def test_the_console_works_at_phone_width(browser, suite: InProcessSuite) -> None:  # type: ignore[no-untyped-def]
    page = await signed_in(browser, suite, "weijian-441800", viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    await page.click("nav >> text=登记名册")
    await page.wait_for_selector("table")
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1  # wide tables scroll inside their own box, the page does not
    await page.screenshot(path=str(ARTIFACTS / "phone.png"), full_page=True)


async def test_the_public_portal_needs_no_login(browser, suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    body = registration_body("shichang", "441881", name="门户测试托育有限公司")
    created = await suite.http.post(suite.url("registration", "/v1/registrations"), json=body, headers=token_for("shichang", "441881"))
    assert created.status_code == 201
    page = await (await browser.new_context()).new_page()
    page.set_default_timeout(20000)
    await page.goto(suite.urls["gateway"] + "/public/")
    for _ in range(30):
        await page.fill("#q-name", "门户测试")
        await page.click("form button[type=submit]")
        await page.wait_for_timeout(300)
        if await page.locator("text=门户测试托育有限公司").count():
            break
    await page.click("text=门户测试托育有限公司")
    await page.wait_for_selector("text=检查结果")
    text = await page.inner_text("main")
    assert body["uscc"] in text and "未备案" in text
    assert body["legal_representative"] not in text
    await page.screenshot(path=str(ARTIFACTS / "portal.png"), full_page=True)


async def test_the_joint_meetings_tracker_charts_links_and_fits_a_phone(browser, suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    body = registration_body("minzheng", "441825", name="目标测试托育中心")
    created = await suite.http.post(suite.url("registration", "/v1/registrations"), json=body, headers=token_for("minzheng", "441825"))
    assert created.status_code == 201
    office = await signed_in(browser, suite, "weijian-441800", viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    await office.click("nav >> text=发展目标")
    await office.wait_for_selector("table.figures")
    assert await office.locator("svg.chart rect").count() >= 8  # one bar per county
    assert "当月推送率" in await office.inner_text("table.figures")
    assert await office.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    await office.screenshot(path=str(ARTIFACTS / "tracker-phone.png"), full_page=True)

    link = office.locator("table.figures tr", has_text="托育机构数").locator("a").nth(4)  # 连山, the fifth county (the city comes last)
    for _ in range(30):  # the registration travels to the health bureau's read model
        if await link.inner_text() not in ("0", "—"):
            break
        await office.reload()
        await office.wait_for_selector("table.figures")
    await link.click()
    await office.wait_for_selector("text=目标测试托育中心")
    assert "指标明细" in await office.inner_text("h2")

    finance = await signed_in(browser, suite, "caizheng-441800")
    await finance.click("nav >> text=发展目标")
    await finance.wait_for_selector("table.figures")
    text = await finance.inner_text("table.figures")
    assert "已拨付" in text and "当月推送率" not in text and "抽查完成率" not in text
    await finance.emulate_media(media="print")
    assert not await finance.locator("nav").is_visible() and await finance.locator("table.figures").is_visible()


async def test_a_bureau_registers_a_webhook_in_the_console(browser, suite: InProcessSuite) -> None:  # type: ignore[no-untyped-def]
    page = await signed_in(browser, suite, "gongan-441821")
    await page.click("nav >> text=事件推送")
    await page.wait_for_selector("fieldset.checks input[name=type]")
    labels = await page.inner_text("fieldset.checks")
    assert "tuoyu.training" not in labels and "registration.institution" in labels  # only what 公安 may read
    await page.check("input[value='tuoyu.registration.institution.registered.v1']")
    await page.fill("#f-url", "http://127.0.0.1:9/police-hook")
    await page.fill("#f-description", "县公安局治安系统")
    await page.click("button:has-text('登记接收地址')")
    await page.wait_for_selector("pre.secret")
    assert len(await page.inner_text("pre.secret")) >= 32
    row = page.locator("tr", has_text="police-hook")
    await row.wait_for()
    assert "1 类" in await row.inner_text() and "推送中" in await row.inner_text()
    await row.locator("text=暂停").click()
    await page.wait_for_selector("tr:has-text('police-hook') >> text=已暂停")
    await row.locator("text=投递记录").click()
    await page.wait_for_selector("text=投递记录：")
    await page.screenshot(path=str(ARTIFACTS / "webhooks.png"), full_page=True)
