import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { stack } from "./hooks";
import { http, json } from "./support/http";

/** Debian's Chromium; nothing is downloaded. The flags keep it off the (closed) network. */
const launchOptions = {
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

describe("the app in Chromium, through nginx", () => {
  let browser: Browser;
  let page: Page;
  /** Console errors and uncaught exceptions, CSP violations included. */
  let problems: string[];
  /** Screenshots of each run, removed afterwards unless a test failed: then they show what the browser saw. */
  const screenshots = mkdtempSync(join(tmpdir(), "nexiom-web-screens-"));
  let failed = false;

  before(async () => {
    browser = await chromium.launch(launchOptions);
  });

  after(async () => {
    await browser?.close();
    if (failed) console.log(`      screenshots kept for the failure: ${screenshots}`);
    else rmSync(screenshots, { recursive: true, force: true });
  });

  beforeEach(async () => {
    problems = [];
    page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") {
      failed = true;
      await page.screenshot({ path: join(screenshots, `failed-${this.currentTest.title.replace(/\W+/g, "-").slice(0, 60)}.png`), fullPage: true }).catch(() => undefined);
    }
    await page.close();
  });

  it("a deep link to a note created through the API renders its title and body", async () => {
    const created = await json(`${stack().url}/api/notes`, "POST", {
      title: "Deep-linked note",
      body: "Opened straight from its URL.\nSecond line.",
    });
    assert.equal(created.status, 201, created.text());
    const note = JSON.parse(created.text()) as { id: string };

    const response = await page.goto(`${stack().url}/notes/${note.id}`);
    assert.equal(response?.status(), 200);
    const heading = page.getByRole("heading", { level: 1, name: "Deep-linked note" });
    await heading.waitFor();
    assert.match(await page.locator(".note-body").innerText(), /Opened straight from its URL\.\s+Second line\./);
    assert.equal(await page.title(), "Deep-linked note · Nexiom");

    await page.screenshot({ path: join(screenshots, "note.png"), fullPage: true });
    assert.deepEqual(problems, [], "no console errors (a CSP violation would show here)");
  });

  it("a deep link to a note that does not exist says so", async () => {
    await page.goto(`${stack().url}/notes/00000000-0000-4000-8000-000000000000`);
    await page.getByRole("heading", { level: 1, name: "Note not found" }).waitFor();
    assert.match(await page.getByRole("alert").innerText(), /does not exist/);
  });

  it("the list shows the API's validation message under the field, then adds a valid note at the top", async () => {
    await page.goto(`${stack().url}/`);
    await page.getByRole("heading", { level: 1, name: "Notes" }).waitFor();
    // Spaces pass the browser's `required` but not the API, which trims the title.
    await page.getByLabel("Title").fill("   ");
    await page.getByRole("button", { name: "Add note" }).click();
    const error = page.locator(".field-error");
    await error.waitFor();
    assert.match(await error.innerText(), /^Title must be a string of 1 to 200 characters/);
    assert.equal(await page.getByLabel("Title").getAttribute("aria-invalid"), "true");
    const describedBy = await page.getByLabel("Title").getAttribute("aria-describedby");
    assert.equal(describedBy, await error.getAttribute("id"), "the message is tied to its field");
    await page.screenshot({ path: join(screenshots, "validation.png"), fullPage: true });

    await page.getByLabel("Title").fill("Made in the browser");
    await page.getByLabel("Body").fill("Typed into the form.");
    await page.getByRole("button", { name: "Add note" }).click();
    const first = page.locator(".note-list li").first();
    await first.getByRole("link", { name: "Made in the browser" }).waitFor();
    assert.equal(await page.getByLabel("Title").inputValue(), "", "the form is emptied for the next note");

    await page.screenshot({ path: join(screenshots, "list.png"), fullPage: true });
    // The console shows the failed 400 request itself; anything else is a problem.
    assert.deepEqual(
      problems.filter((p) => !/status of 400/.test(p)),
      [],
    );
  });

  it("a note is edited, then deleted, from its page", async () => {
    const created = await json(`${stack().url}/api/notes`, "POST", { title: "To be edited", body: "v1" });
    const note = JSON.parse(created.text()) as { id: string };
    await page.goto(`${stack().url}/notes/${note.id}`);
    await page.getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Title").fill("Edited title");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { level: 1, name: "Edited title" }).waitFor();
    const saved = await http(`${stack().url}/api/notes/${note.id}`);
    assert.equal((JSON.parse(saved.text()) as { title: string }).title, "Edited title");

    await page.getByRole("button", { name: "Delete…" }).click();
    await page.getByRole("button", { name: "Delete for good" }).click();
    await page.getByRole("heading", { level: 1, name: "Notes" }).waitFor();
    assert.equal(new URL(page.url()).pathname, "/");
    assert.equal((await http(`${stack().url}/api/notes/${note.id}`)).status, 404);
    assert.deepEqual(problems, []);
  });
});
