"""The console and the portal in headless Chromium (Debian's, driven by Playwright): sign in,
register an institution, see it in the health bureau's inbox, open the portal. Screenshots are
saved under `test-artifacts/`."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import expect

from gateway.demo import seed_demo_accounts
from shared.timeutil import today_in_china
from tests.factories import registration_body
from tests.integration.helpers import arrived, register
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


# Every page of the console's PAGES the administrator can open (records is reached from the tracker, with its arguments).
PHONE_PAGES = ("home", "registrations", "register", "import", "inbox", "compliance", "filings", "plans", "inspections", "practitioners",
               "subsidies", "tracker", "webhooks", "profile", "accounts", "password")


@pytest.fixture(scope="module")
async def drawn_plan(suite: InProcessSuite, token_for) -> str:  # type: ignore[no-untyped-def]
    """A drawn plan, so the plans page can show a draw's seed and 64-character hashes."""
    uscc = (await register(suite, token_for, registrar="minzheng", region="441823"))["uscc"]
    await arrived(suite, token_for, uscc)
    health = token_for("weijian", "441823")
    inspectors = [{"id": f"P0{n}", "name": f"检查员{n}", "conflicts": []} for n in (1, 2, 3)]
    plan = {"agency": "weijian", "region": "441823", "year": 2026, "sampling_ratio": 1, "inspectors": inspectors}
    created = await suite.http.post(suite.url("inspection", "/v1/plans"), json=plan, headers=health)
    assert created.status_code == 201, created.text
    drawn = await suite.http.post(suite.url("inspection", f"/v1/plans/{created.json()['id']}/draws"), json={}, headers=health)
    assert drawn.status_code == 201, drawn.text
    return created.json()["id"]


async def test_the_phone_pages_are_every_page_the_administrator_opens(browser, suite: InProcessSuite) -> None:  # type: ignore[no-untyped-def]
    page = await signed_in(browser, suite, "admin")
    opened = await page.evaluate("Object.entries(PAGES).filter(([, p]) => !p.hidden && allowed(p)).map(([k]) => k)")
    assert sorted(opened) == sorted(PHONE_PAGES)  # a new page is added to the phone-width test too


@pytest.mark.parametrize("name", PHONE_PAGES)
async def test_every_console_page_fits_a_phone(browser, suite: InProcessSuite, drawn_plan: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page = await signed_in(browser, suite, "admin", viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    await page.goto(f"{suite.urls['gateway']}/#/{name}")
    await page.wait_for_selector("main section")
    await expect(page.locator("main")).not_to_contain_text("加载中")
    if name == "plans":  # the draw's seed and hashes are the widest thing the console shows
        # the year filter offers every year, newest first, after 全部 (what the list shows unfiltered)
        years = await page.locator("select[name=year] option").all_inner_texts()
        assert years[0] == "全部" and years[1] == f"{today_in_china().year} 年" and years[-1] == "2020 年"
        await page.locator("button", has_text="查看抽取").first.click()
        await page.wait_for_selector("dl.facts")
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    await page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=True)
    assert overflow <= 1  # wide tables scroll inside their own box, long codes break: the page does not scroll sideways


async def test_a_page_with_two_lists_refreshes_the_sign_in_once(browser, suite: InProcessSuite) -> None:  # type: ignore[no-untyped-def]
    page = await signed_in(browser, suite, "weijian-441803")
    refreshes: list[str] = []
    page.on("request", lambda r: refreshes.append(r.url) if r.url.endswith("/auth/token") else None)
    await page.evaluate("sessionStorage.setItem('access', 'expired')")  # as after 15 minutes: both lists get a 401
    await page.click("nav >> text=备案受理")
    await page.wait_for_selector("text=备案申请")
    for pager in await page.locator(".pager .muted").all():
        await expect(pager).to_contain_text("第")
    assert len(refreshes) == 1
    assert page.url.endswith("#/filings")  # still signed in
    rotated = await page.evaluate("""async () => (await fetch('/auth/token', { method: 'POST',
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: sessionStorage.getItem('refresh') }) })).status""")
    assert rotated == 200  # the sign-in was not ended as a reused token


async def test_a_filters_default_value_applies_to_the_first_load(browser, suite: InProcessSuite) -> None:  # type: ignore[no-untyped-def]
    page = await signed_in(browser, suite, "caizheng-441800")
    listed: list[str] = []
    page.on("request", lambda r: listed.append(r.url) if "/v1/applications?" in r.url else None)
    await page.click("nav >> text=奖补审批")
    await page.wait_for_selector("text=奖补申请审批")
    await expect(page.locator(".pager .muted").first).to_contain_text("第")
    assert await page.locator("#q-status").input_value() == "reviewed"
    assert listed and "status=reviewed" in listed[0]  # 已初审 is shown selected and is what the city's list holds


async def test_a_refused_field_is_described_in_chinese(browser, suite: InProcessSuite) -> None:  # type: ignore[no-untyped-def]
    page = await signed_in(browser, suite, "minzheng-441802")
    await page.click("text=新增登记")
    await page.fill("#f-uscc", "123")
    for field in ("name", "address", "legal_representative"):
        await page.fill(f"#f-{field}", "测试")
    await page.click("form button[type=submit]")
    error = page.locator("p.error")
    await error.filter(has_text="填写有误").wait_for()
    text = await error.inner_text()
    assert "统一社会信用代码（uscc）" in text and "String should" not in text and "Request is not valid" not in text


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


async def test_a_drawn_assignment_is_recorded_against_its_plan(browser, suite: InProcessSuite, drawn_plan: str) -> None:  # type: ignore[no-untyped-def]
    page = await signed_in(browser, suite, "admin")
    await page.click("nav >> text=双随机抽查")
    await page.locator("tr", has_text="阳山县").locator("button", has_text="查看抽取").click()
    drawn = page.locator("dl.facts ~ .table-wrap tbody tr").first
    uscc, inspectors = (await drawn.locator("td").nth(0).inner_text()), (await drawn.locator("td").nth(1).inner_text()).split("、")
    await drawn.locator("text=记录检查").click()
    await page.wait_for_selector("text=双随机抽查任务")
    assert await page.input_value("#f-uscc") == uscc and await page.input_value("#f-kind") == "spot_check"
    assert await page.input_value("#f-inspectors") == ",".join(inspectors)
    async with page.expect_response(lambda r: r.url.endswith("/v1/inspections") and r.request.method == "POST") as answer:
        await page.click("form button[type=submit]")
    response = await answer.value
    assert response.status == 201, await response.text()
    assert (await response.json())["plan_id"] == drawn_plan


async def test_the_api_docs_render_without_the_internet(browser, suite: InProcessSuite) -> None:  # type: ignore[no-untyped-def]
    page = await (await browser.new_context()).new_page()
    page.set_default_timeout(20000)
    outside: list[str] = []

    async def only_the_gateway(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith(suite.urls["gateway"]):
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort()

    await page.route("**/*", only_the_gateway)
    await page.goto(suite.urls["gateway"] + "/docs")
    # Swagger UI ran and read the merged spec (five services' worth: slow to lay out on a busy machine)
    await page.wait_for_selector(".swagger-ui .opblock-tag", timeout=90000)
    assert outside == []


async def test_an_import_refreshes_the_sign_in_and_reports_an_answer_that_is_not_json(browser, suite: InProcessSuite) -> None:  # type: ignore[no-untyped-def]
    page = await signed_in(browser, suite, "minzheng-441802")
    answers = iter([(401, "application/problem+json", '{"type": "urn:tuoyu:problem:unauthenticated", "title": "Unauthenticated", "status": 401}'),
                    (413, "text/html", "<html><body>413 Request Entity Too Large</body></html>")])  # as a proxy in front would answer
    imports: list[str] = []
    refreshes: list[str] = []
    page.on("request", lambda r: refreshes.append(r.url) if r.url.endswith("/auth/token") else None)

    async def answer(route) -> None:  # type: ignore[no-untyped-def]
        imports.append(route.request.headers["authorization"])
        status, kind, body = next(answers)
        await route.fulfill(status=status, content_type=kind, body=body)

    await page.route("**/registrations/imports*", answer)
    await page.click("nav >> text=批量导入")
    await page.set_input_files("#import-file", files=[{"name": "名单.xlsx", "mimeType": "application/octet-stream", "buffer": b"PK" + b"\0" * 64}])
    await page.click("button:has-text('上传并导入')")
    await expect(page.locator("p.error")).to_contain_text("文件过大")
    assert len(imports) == 2 and len(refreshes) == 1 and imports[0] != imports[1]  # sent again with the refreshed token
    assert await page.locator("progress").is_hidden()


async def test_the_portal_pages_its_lists_and_shows_the_utility_prices(browser, suite: InProcessSuite, drawn_plan: str) -> None:  # type: ignore[no-untyped-def]
    page = await (await browser.new_context()).new_page()
    page.set_default_timeout(20000)
    draws: list[str] = []
    page.on("request", lambda r: draws.append(r.url) if "/v1/public/draws?" in r.url else None)
    await page.goto(suite.urls["gateway"] + "/public/#/draws")
    await page.select_option("#d-region", "441823")
    await page.select_option("#d-year", "2026")
    await page.click("form button[type=submit]")
    card = page.locator(".card", has_text="阳山县").first
    await card.wait_for()
    assert (await card.locator("strong").inner_text()).count("2026") == 1  # the year once
    assert "region=441823" in draws[-1] and "year=2026" in draws[-1] and "limit=" in draws[-1]
    for name, heading in (("returned", "备案退回公示"), ("fees", "收费标准"), ("utilities", "水电气价格")):
        await page.goto(f"{suite.urls['gateway']}/public/#/{name}")
        await page.wait_for_selector(f"h2:has-text('{heading}')")
        await expect(page.locator("main")).not_to_contain_text("加载中")
        assert "加载失败" not in await page.inner_text("main")
    await page.screenshot(path=str(ARTIFACTS / "portal-utilities.png"), full_page=True)


async def test_a_clerk_changes_their_password_and_stays_signed_in(browser, suite: InProcessSuite) -> None:  # type: ignore[no-untyped-def]
    admin = await suite.http.post(suite.url("gateway", "/auth/token"), data={"grant_type": "password", "username": "admin", "password": PASSWORD})
    clerk = {"username": "browser-clerk", "kind": "person", "secret": PASSWORD, "display_name": "浏览器测试", "department": "jiaoyu", "region": "441802"}
    created = await suite.http.post(suite.url("gateway", "/auth/accounts"), json=clerk, headers={"Authorization": f"Bearer {admin.json()['access_token']}"})
    assert created.status_code == 201, created.text
    page = await signed_in(browser, suite, "browser-clerk")
    await page.click("nav >> text=修改密码")
    await page.fill("#f-old_password", "not-my-password")
    await page.fill("#f-new_password", "a-new-password-2026")
    await page.fill("#f-repeated", "a-new-password-2026")
    await page.click("form button[type=submit]")
    await expect(page.locator("p.error")).to_contain_text("原密码不正确")
    await page.fill("#f-old_password", PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_selector("text=密码已修改")
    await page.click("nav >> text=登记名册")  # signed in again with the new password: the lists still load
    await expect(page.locator(".pager .muted").first).to_contain_text("第")
    again = await suite.http.post(suite.url("gateway", "/auth/token"), data={"grant_type": "password", "username": "browser-clerk", "password": "a-new-password-2026"})
    assert again.status_code == 200


@pytest.mark.parametrize("name", ["", "draws", "returned", "fees", "utilities"])
async def test_every_portal_page_fits_a_phone(browser, suite: InProcessSuite, drawn_plan: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page = await (await browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)).new_page()
    page.set_default_timeout(20000)
    await page.goto(f"{suite.urls['gateway']}/public/#/{name}")
    await page.wait_for_selector("main section")
    await expect(page.locator("main")).not_to_contain_text("加载中")
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    await page.screenshot(path=str(ARTIFACTS / f"portal-phone-{name or 'search'}.png"), full_page=True)
    assert overflow <= 1


async def test_an_administrator_disables_and_enables_an_account_in_the_console(browser, suite: InProcessSuite) -> None:  # type: ignore[no-untyped-def]
    page = await signed_in(browser, suite, "admin")
    await page.click("nav >> text=账号管理")
    await page.select_option("#q-department", "fulian")
    await page.select_option("#q-region", "441882")
    await page.click("section:has-text('账号') >> button:has-text('筛选')")
    row = page.locator("tr", has_text="fulian-441882")
    await row.locator("button:has-text('停用')").click()
    await expect(row).to_contain_text("已停用")
    refused = await suite.http.post(suite.url("gateway", "/auth/token"), data={"grant_type": "password", "username": "fulian-441882", "password": PASSWORD})
    assert refused.status_code == 400
    await row.locator("button:has-text('启用')").click()
    await expect(row).to_contain_text("正常")
    assert (await suite.http.post(suite.url("gateway", "/auth/token"), data={"grant_type": "password", "username": "fulian-441882", "password": PASSWORD})).status_code == 200
