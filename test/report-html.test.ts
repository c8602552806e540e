import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyBaseline } from "../src/report/baseline.ts";
import { esc, renderHtml } from "../src/report/html.ts";
import { buildAlgNoneReport, buildBaseline, buildReport, HOSTILE, SECRET } from "./report-fixture.ts";
import { launchTestChromium } from "./helpers/browser.ts";

const artifacts = fileURLToPath(new URL("../reports/test-artifacts/", import.meta.url));
const report = applyBaseline(buildReport(), buildBaseline());
const html = renderHtml(report);

describe("HTML renderer: the file", () => {
  it("is self-contained: no external script, style, image, frame or font", () => {
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<[a-z][^<>]*\ssrc\s*=/i);
    expect(html).not.toMatch(/<(img|iframe|object|embed|video|audio|base)\b/i);
    expect(html).not.toMatch(/@import|url\(/i);
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(5);
    for (const href of hrefs) expect(href).toMatch(/^(#[\w-]+|https:\/\/[\w.-]+\/)/);
  });

  it("allows only its own script through its Content-Security-Policy", () => {
    const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
    const hash = createHash("sha256").update(script).digest("base64");
    expect(html).toContain(`script-src &#39;sha256-${hash}&#39;`);
    expect(html).toContain("default-src &#39;none&#39;");
  });

  it("escapes hostile strings from evidence, reasons and counterexamples", () => {
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain("<img");
    expect(html).toContain(esc(HOSTILE));
    expect(esc(`<a href="x" onclick='y'>&`)).toBe("&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;");
  });

  it("shows verdict, run data, each finding with fix and curl, the matrix and the baseline", () => {
    expect(html).toContain(`<div class="verdict-badge" id="verdict" aria-label="Verdict">FAIL</div>`);
    for (const text of [report.runId, "1337", "http://127.0.0.1:8000", "41.2 s", "2026-05-01 10:12:03 UTC"]) expect(html).toContain(text);
    for (const r of report.results.filter((x) => x.status === "fail" || x.status === "error")) {
      expect(html).toContain(`data-severity="${r.severity}" data-status="${r.status}" data-category="${r.category}"`);
    }
    expect(html).toContain("How to fix");
    expect(html).toContain(`<button type="button" class="copy"`);
    expect(html).toContain(`href="https://www.rfc-editor.org/rfc/rfc8725#section-3.1"`);
    expect(html).toContain(`href="https://cwe.mitre.org/data/definitions/347.html"`);
    expect(html).toContain(`href="https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/"`);
    expect(html.match(/class="mx-cell mx-bypassed"/g)).toHaveLength(2);
    expect(html).toContain("Fixed since the baseline");
    expect(html).toContain("not tested in this run");
    expect(html).toContain(`<span class="badge badge-new">new</span>`);
    expect(html).not.toContain(SECRET);
  });

  it("puts failures before errors and orders them by severity", () => {
    const order = [...html.matchAll(/<article class="finding sev-(\w+) st-(\w+)"/g)].map((m) => `${m[2]}:${m[1]}`);
    expect(order).toEqual(["fail:critical", "fail:critical", "fail:critical", "fail:high", "fail:low", "fail:info", "error:medium"]);
  });

  it("says PASS when nothing at or above the threshold failed", () => {
    const policy = { failOn: "critical", foreignStatus: "404", maxTokenLifetimeSec: 3600 } as const;
    const passing = buildReport({ policy, results: buildReport().results.filter((r) => r.severity !== "critical" || r.status !== "fail") });
    expect(passing.summary.verdict).toBe("pass");
    const page = renderHtml(passing);
    expect(page).toContain(`aria-label="Verdict">PASS</div>`);
  });
});

describe("HTML renderer: findings grouped", () => {
  const algNone = buildAlgNoneReport();
  const page = renderHtml(algNone);
  const cards = [...page.matchAll(/<article class="finding[\s\S]*?<\/article>/g)].map((m) => m[0]);

  it("shows one card for an alg-none flaw on 8 routes, listing the 8 routes", () => {
    expect(cards).toHaveLength(1);
    const card = cards[0]!;
    expect(card).toContain('data-routes="8"');
    expect(card).toContain("Affected routes (8)");
    expect(card.match(/<tr id="r-token.alg-none-/g)).toHaveLength(8);
    for (const r of algNone.results.filter((x) => x.checkId === "token.alg-none")) expect(card).toContain(esc(r.endpoint!.path));
    expect(card).toContain("32 variants failed (on any route)");
    expect(card).toContain("Exploit confirmed");
  });

  it("shows the property failure that reproduces it inside that card, not as a card of its own", () => {
    const card = cards[0]!;
    expect(card).toContain("Also found by property-based testing (not counted again)");
    expect(card).toContain("<code>property.token-rejection</code>");
    expect(card).toContain("Shrunk counterexample");
    expect(page).toContain("1 finding from 9 failed results (1 property failure reproducing one of them not counted again)");
  });

  it("says in the header how many results were skipped, grouped by reason", () => {
    expect(page).toContain(
      `<p class="skipped-line" id="skipped-line">Skipped 8: 8 need a signing key (shared secret or a private key the target trusts).`,
    );
    expect(page).toContain("Black-box run");
    expect(html).toContain("Skipped 2: 1 needs a signing key · 1 no session cookie was set on sign-in.");
    expect(page).toContain("1 finding at or above <b>low</b>");
  });
});

describe("HTML renderer: in Chromium from disk", () => {
  let browser: Browser;
  const file = join(artifacts, "report.html");

  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
    await writeFile(file, html);
    // A report opened from disk needs no host at all.
    browser = await launchTestChromium([]);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("renders, loads nothing from the network, runs no injected script, and filters by severity", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    const problems: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("dialog", (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.goto(pathToFileURL(file).href);

    await expect.poll(() => page.locator("#verdict").textContent()).toBe("FAIL");
    expect(await page.locator("#verdict").isVisible()).toBe(true);
    const critical = page.locator("article.finding", { hasText: "alg none is rejected" });
    const high = page.locator("article.finding", { hasText: "Users cannot read each other's items" });
    expect(await critical.isVisible()).toBe(true);
    expect(await high.isVisible()).toBe(true);
    expect(await page.locator("#shown-count").textContent()).toBe("Showing 7 of 7 findings.");
    await page.screenshot({ path: join(artifacts, "report-html.png"), fullPage: true });

    await page.locator('input[name="severity"][value="critical"]').uncheck();
    expect(await critical.isVisible()).toBe(false);
    expect(await high.isVisible()).toBe(true);
    expect(await page.locator("#shown-count").textContent()).toBe("Showing 4 of 7 findings.");

    await page.locator("#filter-category").selectOption("isolation");
    expect(await high.isVisible()).toBe(true);
    expect(await page.locator("article.finding:visible").count()).toBe(1);
    expect(await page.locator("#others tbody tr:visible").count()).toBe(0);

    await page.locator("button.reset").click();
    await expect.poll(() => critical.isVisible()).toBe(true);
    await page.locator('input[name="status"][value="pass"]').uncheck();
    expect(await page.locator("#others tbody tr:visible").count()).toBe(report.summary.skipped);

    expect(requests.filter((url) => !url.startsWith("file:"))).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("reads well on a narrow screen", async () => {
    const page = await browser.newPage({ viewport: { width: 420, height: 900 } });
    await page.goto(pathToFileURL(file).href);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(artifacts, "report-html-narrow.png"), fullPage: false });
    await page.close();
  });
});
