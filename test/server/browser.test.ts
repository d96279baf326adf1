/**
 * The dashboard in a real browser: Debian's headless Chromium driven by playwright-core (which never downloads
 * a browser here). An operator requests a high-risk change, cannot approve it, an approver approves it in a
 * second browser context, the operator applies it and watches the progress, and the audit page shows the
 * record with the chain intact. A screenshot of every step goes to test-artifacts/screenshots/.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardTarget, startRealTarget } from "./browser/target.js";

/** Debian's Chromium; DIALRULES_CHROMIUM names another (browser-ci.test.ts points it at a missing file). */
const CHROMIUM = process.env.DIALRULES_CHROMIUM ?? "/usr/bin/chromium";
const SCREENSHOTS = join(process.cwd(), "test-artifacts", "screenshots");
const haveChromium = existsSync(CHROMIUM);

/** Under CI the browser test must run: a missing Chromium fails it (with what to install) instead of skipping. */
const inCi = process.env.CI === "true";
const missing = `${CHROMIUM} is missing (apt-get install -y chromium)`;
if (!haveChromium && inCi) {
  describe("dashboard in headless Chromium", () => {
    it("needs Chromium under CI", () => {
      throw new Error(`CI=true but ${missing}; the dashboard's browser test cannot be skipped in CI`);
    });
  });
}
const suite = haveChromium ? describe : describe.skip;
const title = haveChromium
  ? "dashboard in headless Chromium"
  : `dashboard in headless Chromium — SKIPPED: ${missing}`;

suite(title, () => {
  let target: DashboardTarget;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    target = await startRealTarget();
    // Playwright starts every launch with a fresh temporary --user-data-dir of its own (it refuses the flag
    // in `args`), so no profile, cookie or cache survives between runs.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await target?.close();
  });

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      baseURL: target.baseUrl,
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    // A CSP violation or script error would show here: the pages must run with their own assets only.
    page.on("pageerror", (err) => pageErrors.push(err.message));
    page.on("console", (msg) => {
      if (msg.type() === "error") pageErrors.push(msg.text());
    });
    return { context, page };
  }

  // playwright-core has no `expect` of its own: wait for the element, then assert with vitest.
  const visible = async (locator: Locator, timeout = 10_000): Promise<Locator> => {
    await locator.first().waitFor({ state: "visible", timeout });
    return locator;
  };
  const textOf = async (locator: Locator): Promise<string> =>
    (await (await visible(locator)).first().textContent()) ?? "";

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  async function signIn(page: Page, token: string): Promise<void> {
    await page.goto("/");
    expect(page.url()).toMatch(/\/login\?next=%2F$/);
    // Keyboard only: the label names the field, Enter submits the form.
    await page.getByLabel("API token").fill(token);
    await page.getByLabel("API token").press("Enter");
    await page.waitForURL((url) => url.pathname === "/");
  }

  it("request → four-eyes → approve as a second user → apply with live progress → audit record", async () => {
    const operator = await newPage();
    await operator.page.goto("/login");
    // No platform configured: the service runs against its embedded simulator and every page must say so.
    expect(target.banner).toMatch(/simulator/);
    await visible(operator.page.getByText(target.banner ?? ""));
    await operator.page.keyboard.press("Tab");
    expect(await operator.page.locator(":focus").textContent()).toBe("Skip to main content");
    await shot(operator.page, "01-login");

    await signIn(operator.page, target.tokens.operator);
    await operator.page.getByRole("link", { name: "Campaigns" }).click();
    await visible(operator.page.getByRole("table"));
    await shot(operator.page, "02-campaigns");

    await operator.page.goto("/changes/new");
    const rules = [
      "profiles: [US_TCPA]",
      "licenseTier: ENTERPRISE",
      "campaigns:",
      `  - id: ${target.campaignId}`,
      "    dialingRules:",
      "      dialingMethod: PREDICTIVE",
      "      maxCallsPerAgent: 2",
      "      abandonmentRateThreshold: {maxRate: 0.03, coolDownSec: 300}",
      "      retrySettings: {maxAttempts: 3, intervalMinutes: [60, 240, 1440]}",
    ].join("\n");
    await operator.page.getByLabel("Rules (YAML or JSON)").fill(rules);
    await operator.page.getByLabel("Reason").fill("Browser test: more connects per agent hour");
    await shot(operator.page, "03-new-change");
    await operator.page.getByRole("button", { name: "Plan the change" }).click();

    expect((await textOf(operator.page.getByRole("status"))).trim()).toBe(
      "Change requested. Review the plan below.",
    );
    const changeUrl = new URL(operator.page.url()).pathname;
    const plan = operator.page.getByRole("region", { name: "Plan" });
    expect(await textOf(plan)).toContain(target.campaignId);
    expect(await textOf(plan)).toMatch(/dialingMethod: \w+ → PREDICTIVE/);
    await visible(
      operator.page.getByText(new RegExp(`${target.campaignId}: dialingMethod \\w+ → PREDICTIVE`)),
    );
    await visible(operator.page.getByText("pending approval"));
    await shot(operator.page, "04-plan");

    // Four-eyes: the requester is offered no Approve button and is told why.
    expect(await operator.page.getByRole("button", { name: "Approve" }).count()).toBe(0);
    await visible(operator.page.getByText(/other than \S+ \(four-eyes\)/));
    // A forged approve (valid session and CSRF token, no button) is refused by the service itself.
    const csrf = await operator.page.locator('input[name="_csrf"]').first().getAttribute("value");
    const forged = await operator.context.request.post(`${changeUrl}/approve`, {
      form: { _csrf: csrf ?? "" },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    const refusal = await forged.text();
    expect(refusal).not.toContain("Form refused"); // got past CSRF: this is the service's own verdict
    expect(refusal).toMatch(/role="alert"><p>[^<]*approver/);
    await operator.page.reload();
    await visible(operator.page.getByText("pending approval"));
    await shot(operator.page, "05-operator-cannot-approve");

    const approver = await newPage();
    await signIn(approver.page, target.tokens.approver);
    await approver.page.goto(changeUrl);
    await shot(approver.page, "06-approver-sees-change");
    await approver.page.getByRole("button", { name: "Approve" }).click();
    expect((await textOf(approver.page.getByRole("status"))).trim()).toBe("Change approved.");
    await shot(approver.page, "07-approved");

    await operator.page.reload();
    await operator.page.getByRole("button", { name: "Apply" }).click();
    await visible(operator.page.getByRole("region", { name: "Apply" }));
    await shot(operator.page, "08-applying");
    // The polling script updates the progress and reloads the page once the job has finished.
    await visible(operator.page.getByText(/^Finished: (\d+) of \1 campaign\(s\) done/), 30_000);
    expect(await textOf(operator.page.getByRole("table", { name: "Result per campaign" }))).toContain(
      "applied",
    );
    await visible(operator.page.getByText("applied", { exact: true }).first());
    await shot(operator.page, "09-applied");

    await operator.page.getByRole("link", { name: "Audit trail" }).click();
    await visible(operator.page.getByText("Audit chain intact"));
    const records = operator.page.getByRole("table", { name: /audit records/ });
    expect(await textOf(records)).toContain(target.campaignId);
    expect(await textOf(records)).toMatch(/dialingMethod: \w+ → PREDICTIVE/);
    await shot(operator.page, "10-audit");

    await operator.page.getByRole("link", { name: "Webhooks" }).click();
    await visible(operator.page.getByRole("heading", { name: "Webhooks" }));
    await shot(operator.page, "11-webhooks");

    await operator.page.getByRole("button", { name: "Sign out" }).click();
    await visible(operator.page.getByText("Signed out."));
    await operator.context.close();
    await approver.context.close();
    expect(pageErrors).toEqual([]);
  });
});
