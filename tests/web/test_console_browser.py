"""The console as an operator uses it: Chromium (Debian's package, headless) driven by
Playwright against a real `voxdial serve` on 127.0.0.1 with SQLite and the sim carrier.

One campaign end to end: sign in with the first admin's password; create an assistant,
try it in text, save a new version; create a task through the wizard with a real file
upload and a changed column mapping, check its rows; start it and watch it reach done;
open a call; visit every page; sign out. On every page: no console error, no request to
any other host, no dialog (the number file's names hold script payloads). A screenshot of
each page goes to tests/screenshots/, at 1280x800 and one at a phone's 390x844.
"""

from __future__ import annotations

import pytest

from tests.web.browser import ARGS, CHROMIUM, Watch, need_browser, serve, shot

pytestmark = pytest.mark.browser

XSS = '"><img src=x onerror=alert(1)>'
NUMBERS = (
    "电话,客户名,城市\r\n"
    "13912345678,张三,上海\r\n"
    f'13912345679,"{XSS.replace(chr(34), chr(34) * 2)}",北京\r\n'
    "13912345670,<script>alert(2)</script>,深圳\r\n"
    "12345,无效,广州\r\n"
    "13912345678,重复,上海\r\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_browser()
    with serve(
        tmp_path_factory.mktemp("serve"),
        VOXDIAL_SIM_TALK_SECONDS_PER_CHAR="0.002",
        VOXDIAL_SIM_SEED="3",
    ) as running:
        yield running


def test_an_operator_runs_a_campaign_from_the_console(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    base = server["base"]
    numbers = tmp_path / "numbers.csv"
    numbers.write_text(NUMBERS, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
        context.set_default_timeout(30_000)
        page = context.new_page()
        watch = Watch(page, base)

        # sign in: the console opens at /, which asks to sign in first
        page.goto(base + "/")
        expect(page).to_have_url(f"{base}/login?next=/")
        shot(page, "login")
        page.get_by_label("E-mail").fill("admin@localhost")
        page.get_by_label("Password").fill(server["password"])
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Today")).to_be_visible()
        shot(page, "home")
        watch.check("home")

        # an assistant
        page.get_by_role("link", name="Assistants").click()
        page.get_by_role("link", name="New assistant").click()
        page.get_by_label("Name", exact=True).fill("满意度回访")
        page.get_by_role("textbox", name="Welcome", exact=True).fill(
            "您好{姓名}，我是小狐，耽误您一分钟做个回访。"
        )
        page.get_by_label("Questions and answers").fill(
            "您对我们的服务满意吗？ | 满意, 一般, 不满意"
        )
        page.get_by_role("button", name="Create assistant").click()
        expect(page.get_by_role("heading", name="满意度回访")).to_be_visible()
        watch.check("new assistant")

        # try it in text: the first send is the opening, then a reply
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_test_id("try-reply").first).to_contain_text("您好")
        page.get_by_label("Your reply").fill("挺满意的")
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_test_id("try-reply")).to_have_count(2)
        expect(page.locator("#try-log")).to_contain_text("满意")
        watch.check("try it")

        # a new version
        page.get_by_role("textbox", name="Welcome", exact=True).fill("您好{姓名}，我是小狐。")
        page.get_by_role("button", name="Save as a new version").click()
        expect(page.get_by_role("status")).to_contain_text("Saved as version 2")
        expect(page.locator(".versions li")).to_have_count(2)
        shot(page, "assistant")
        watch.check("assistant version")

        # the wizard: upload, change a mapping, check the rows, create
        page.get_by_role("link", name="Tasks").first.click()
        page.get_by_role("link", name="New task").click()
        page.get_by_label("Number file").set_input_files(str(numbers))
        mapping = page.get_by_label("Column 客户名")
        expect(mapping).to_have_value("var")  # not a known name column: a variable
        expect(page.get_by_label("Column 电话")).to_have_value("phone")
        mapping.select_option("name")
        page.get_by_label("Name", exact=True).fill("十二月回访")
        page.get_by_label("Window 1 from").fill("00:00")
        page.get_by_label("Window 1 to").fill("23:59")
        page.get_by_label("Window 2 from").fill("")
        page.get_by_label("Window 2 to").fill("")
        page.get_by_label("Retries").fill("0")
        page.get_by_role("button", name="Check rows").click()
        expect(page.get_by_test_id("check-valid")).to_have_text("3")
        expect(page.get_by_test_id("check-invalid")).to_have_text("1")
        expect(page.get_by_test_id("check-duplicate")).to_have_text("1")
        expect(page.get_by_label("Column 客户名")).to_have_value("name")  # the choice is kept
        shot(page, "new-task")
        watch.check("wizard")
        page.get_by_role("button", name="Create task").click()
        expect(page.get_by_role("heading", name="十二月回访")).to_be_visible()
        watch.check("task created")

        # start it and watch it finish (live, by polling)
        page.get_by_role("button", name="Start").click()
        expect(page.locator(".status-running").first).to_be_visible()
        expect(page.get_by_test_id("progress")).to_have_text("100%", timeout=180_000)
        expect(page.locator(".status-done").first).to_be_visible()
        page.reload()
        shot(page, "task-detail")
        watch.check("task done")

        # a call
        page.locator("table.calls a").first.click()
        expect(page.get_by_role("heading", name="Call")).to_be_visible()
        shot(page, "call-detail")
        watch.check("call")

        # every other page
        for path, name in (
            ("/tasks", "tasks"),
            ("/calls", "calls"),
            ("/assistants", "assistants"),
            ("/blocklist", "blocklist"),
            ("/webhooks", "webhooks"),
            ("/tokens", "tokens"),
            ("/users", "users"),
            ("/account", "account"),
        ):
            page.goto(base + path)
            expect(page.locator("main h1")).to_be_visible()
            shot(page, name)
            watch.check(path)
        page.goto(base + "/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("voxdial")
        shot(page, "docs")
        watch.check("/docs")

        # Chinese, from the switch
        page.goto(base + "/tasks")
        page.get_by_role("button", name="中文").click()
        expect(page.get_by_role("heading", name="任务")).to_be_visible()
        shot(page, "tasks-zh")
        page.get_by_role("button", name="English").click()
        watch.check("language")

        # a phone's width
        phone = browser.new_context(
            viewport={"width": 390, "height": 844},
            locale="zh-CN",
            storage_state=context.storage_state(),
        )
        mobile = phone.new_page()
        mobile_watch = Watch(mobile, base)
        mobile.goto(base + "/tasks/1")
        expect(mobile.get_by_test_id("progress")).to_have_text("100%")
        width = mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width}px wide at a phone's 390px"
        shot(mobile, "task-detail-phone")
        mobile_watch.check("phone")
        phone.close()

        # sign out
        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(f"{base}/login")
        page.goto(base + "/tasks")
        expect(page).to_have_url(f"{base}/login?next=/tasks")
        watch.check("signed out")
        browser.close()
