import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../src/local/test-platform.js';
import { consolePolicy } from '../../src/platform/http/console.js';

/**
 * The console in headless Chromium, used the way a person would: by labels and button names. The
 * page runs under its real Content-Security-Policy; axe-core checks each view.
 */
let platform: TestPlatform;
let browser: Browser;
let page: Page;
let base: string;
const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
// Kept as test artifacts (CI uploads the folder), never committed.
const screenshots = new URL('../../test-results/screenshots/', import.meta.url).pathname;

beforeAll(async () => {
  platform = await startTestPlatform({
    env: {
      SERVICES: 'greetings,donations,orders,users,records',
      SKIFF_LOCAL_TENANTS: 'acme:America/Los_Angeles:acme-key-123',
      SKIFF_ORDERS_PIPELINE_WAIT_MS: '10',
      SKIFF_AUCTION_READY_PROBABILITY: '1',
    },
  });
  base = await platform.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

/** What the view's live region says now. */
const status = () => page.getByRole('status').textContent();

/** Serious and critical accessibility violations on the page as it is now. */
async function violations(): Promise<string[]> {
  // Evaluated through the debugging protocol, which the page's CSP does not govern.
  await page.evaluate(axe);
  const found = (await page.evaluate('axe.run().then((r) => r.violations)')) as {
    id: string;
    impact: string;
  }[];
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
}

describe('the web console', () => {
  it('is served at / under a strict Content-Security-Policy, its assets cached by content hash', async () => {
    const response = await page.goto(`${base}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toBe(consolePolicy);
    expect(response?.headers()['cache-control']).toBe('no-cache');
    const script = await page.locator('script[type=module]').getAttribute('src');
    expect(script).toMatch(/^\/assets\/main-[0-9a-f]{12}\.js$/);
    const asset = await fetch(`${base}${script}`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await page.getByRole('link', { name: 'Greetings' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Donations' }).count()).toBe(1);
  });

  it('greets: save a date of birth, greet, and see the API message verbatim', async () => {
    await page.goto(`${base}/#greetings`);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Date of birth').fill('1990-07-14');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(status).toContain("Saved alice's date of birth");
    await page.getByRole('button', { name: 'Greet' }).click();
    await expect.poll(status).toMatch(/^Hello, alice! /);
    expect(await violations()).toEqual([]);
    await page.screenshot({ path: `${screenshots}greetings.png` });
  });

  it('shows a validation error next to its field', async () => {
    await page.goto(`${base}/#greetings`);
    await page.getByLabel('Username').fill('r2d2');
    await page.getByRole('button', { name: 'Greet' }).click();
    await expect.poll(() => page.locator('#error-username').textContent()).toContain('letters');
  });

  it('donates twice and shows the thank-you', async () => {
    await page.goto(`${base}/#donations`);
    await page.getByLabel('Donor').fill('dora');
    await page.getByLabel('Amount').fill('12.50');
    await page.getByRole('button', { name: 'Donate' }).click();
    await expect.poll(status).toContain('Donation 1 recorded');
    await page.getByLabel('Amount').fill('5');
    await page.getByRole('button', { name: 'Donate' }).click();
    await expect.poll(status).toContain('A thank-you was sent');
    await expect.poll(() => page.locator('main').textContent()).toContain('2 donation(s), £17.50 in all');
    // The local inbox shows the thank-you SNS would have delivered.
    await expect.poll(() => page.getByRole('list', { name: 'Thank-yous sent' }).count()).toBe(1);
    expect(await page.getByRole('list', { name: 'Thank-yous sent' }).locator('li').count()).toBe(1);
    expect(await violations()).toEqual([]);
    await page.screenshot({ path: `${screenshots}donations.png` });
  });

  it('says so when the amount is not an amount, and sends nothing', async () => {
    await page.goto(`${base}/#donations`);
    await page.getByLabel('Donor').fill('eve');
    await page.getByLabel('Amount').fill('ten');
    await page.getByRole('button', { name: 'Donate' }).click();
    await expect.poll(() => page.locator('#error-amount').textContent()).toContain('12.50');
    expect(platform.logs().some((line) => line.event === 'donation' && line.amount === undefined)).toBe(
      false,
    );
  });

  it("submits the brief's orders, runs the pipeline and watches it succeed, with each order's outcome", async () => {
    await page.goto(`${base}/#orders`);
    expect(await page.getByLabel('Orders (JSON)').inputValue()).toContain('unique_id_1');
    await page.getByRole('button', { name: 'Submit orders' }).click();
    await expect.poll(status).toContain('2 order(s) stored');
    await page.getByRole('button', { name: 'Run pipeline' }).click();
    const runs = page.getByRole('list', { name: 'Recent runs' });
    await expect
      .poll(() => runs.textContent(), { timeout: 15_000 })
      .toMatch(/SUCCEEDED: \d accepted, \d rejected, 0 left/);
    const outcomes = page.getByRole('list', { name: 'Order outcomes' });
    await expect.poll(() => outcomes.textContent()).toMatch(/unique_id_1: (accepted|rejected)/);
    expect(await violations()).toEqual([]);
    await page.screenshot({ path: `${screenshots}orders.png` });
  });

  it("says so when the JSON is the brief's literal text, trailing commas and all", async () => {
    await page.goto(`${base}/#orders`);
    await page
      .getByLabel('Orders (JSON)')
      .fill('[ { "record_id": "x", "parameter_1": "a", "parameter_2": 1, }, ]');
    await page.getByRole('button', { name: 'Submit orders' }).click();
    await expect.poll(status).toContain('not valid JSON');
  });

  it('says so when the server is down, and nothing crashes', async () => {
    await page.goto(`${base}/#greetings`);
    await page.route('**/hello/**', (route) => route.abort('connectionrefused'));
    await page.getByLabel('Username').fill('nobody');
    await page.getByRole('button', { name: 'Greet' }).click();
    await expect.poll(status).toContain('could not be reached');
    await page.unroute('**/hello/**');
  });

  it('says what happened when a proxy answers with its own HTML page, and the view keeps working', async () => {
    await page.goto(`${base}/#greetings`);
    await page.route('**/hello/**', (route) =>
      route.fulfill({ status: 502, contentType: 'text/html', body: '<html><h1>502 Bad Gateway</h1></html>' }),
    );
    await page.getByLabel('Username').fill('nobody');
    await page.getByRole('button', { name: 'Greet' }).click();
    await expect.poll(status).toContain('The server answered 502.');
    expect(await page.locator('#trouble').isHidden()).toBe(true);
    await page.unroute('**/hello/**');
  });

  it('creates a user with an avatar, previewed, then shown as an image; replaces it; pages the list', async () => {
    const avatar = new URL('../../src/services/users/fixtures/prima/test-avatar.png', import.meta.url)
      .pathname;
    const replacement = new URL('../../src/services/users/fixtures/prima/test-avatar.gif', import.meta.url)
      .pathname;
    await page.goto(`${base}/#users`);
    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill('ada@example.org');
    await page.getByLabel('Avatar').setInputFiles(avatar);
    expect(await page.getByAltText('Avatar preview').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(status).toContain('Created Ada Lovelace');
    const image = page.getByAltText("Ada Lovelace's avatar");
    const loadedWidth = () =>
      image.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).naturalWidth);
    await expect.poll(loadedWidth).toBeGreaterThan(0);
    const before = await image.getAttribute('src');
    await page.getByLabel('New avatar for Ada Lovelace').setInputFiles(replacement);
    await page.getByRole('button', { name: 'Replace avatar of Ada Lovelace' }).click();
    // The list is drawn again, and its image is the new one (not the old one from the cache).
    await expect.poll(() => image.getAttribute('src')).not.toBe(before);
    await expect.poll(loadedWidth).toBeGreaterThan(0);
    const shown = await fetch(`${base}${await image.getAttribute('src')}`);
    expect(shown.headers.get('content-type')).toBe('image/gif');
    expect(await violations()).toEqual([]);
    await page.screenshot({ path: `${screenshots}users.png` });

    for (let i = 0; i < 5; i += 1) {
      await platform.app.inject({
        method: 'POST',
        url: '/user',
        payload: { name: `User ${i}`, email: `u${i}@example.org` },
      });
    }
    await page.goto(`${base}/#donations`);
    await page.goto(`${base}/#users`);
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Users' }).textContent()).toContain('User 4');
  });

  it("uploads the brief's two sample files, shows both final statuses, and finds a patient's visits", async () => {
    const tendo = (name: string) =>
      new URL(`../../src/services/records/fixtures/tendo/${name}`, import.meta.url).pathname;
    await page.goto(`${base}/#records`);
    await page.getByLabel('API key').fill('acme-key-123');
    await page.getByLabel('CSV files').setInputFiles([tendo('hospital01.csv'), tendo('hospital02.csv')]);
    await page.getByRole('button', { name: 'Upload' }).click();
    const uploads = page.getByRole('list', { name: 'Uploads' });
    await expect
      .poll(() => uploads.textContent(), { timeout: 20_000 })
      .toMatch(/hospital01\.csv: completed — 20 of 20/);
    await expect
      .poll(() => uploads.textContent(), { timeout: 20_000 })
      .toMatch(/hospital02\.csv: completed with errors/);
    expect(await uploads.textContent()).toMatch(/line \d+, date_time/);
    const report = page.getByRole('link', { name: 'Rejects report of hospital02.csv' });
    const [download] = await Promise.all([page.waitForEvent('download'), report.click()]);
    expect(download.suggestedFilename()).toBe('hospital02.csv.rejects.csv');
    const rejects = readFileSync((await download.path()) as string, 'utf8');
    expect(rejects.split('\r\n')[0]).toBe('line,field,reason');
    expect(rejects).toMatch(/^\d+,date_time,/m);
    const lastName = 'Doe';
    await page.getByLabel('Last name').fill(lastName);
    await page.getByRole('button', { name: 'Search' }).click();
    const visits = page.getByRole('table', { name: 'Visits' });
    await expect.poll(() => visits.locator('tr').count()).toBeGreaterThan(1);
    expect(await visits.textContent()).toContain(lastName);
    // The tenant's wall clock (Los Angeles, with that day's offset) and UTC, for the brief's first visit.
    expect(await visits.locator('th').allTextContents()).toContain('Visit (America/Los_Angeles)');
    const firstVisit = visits.locator('tr', { hasText: 'Initial consultation for knee pain.' });
    expect(await firstVisit.locator('td').allTextContents()).toEqual(
      expect.arrayContaining(['2025-03-15 09:15 (GMT-7)', '2025-03-15 16:15']),
    );
    expect(await violations()).toEqual([]);
    await page.screenshot({ path: `${screenshots}records.png`, fullPage: true });
  });

  it("offers the local sandbox's own tenant key, so a first upload needs no docs", async () => {
    await page.evaluate('sessionStorage.clear()');
    await page.goto(`${base}/#records`);
    await expect.poll(() => page.locator('#local-key').textContent()).toContain('acme-key-123');
    expect(await page.getByLabel('API key').inputValue()).toBe('acme-key-123');
  });

  it('takes files dropped on the upload form, and says a file already ingested is a duplicate', async () => {
    const csv = readFileSync(
      new URL('../../src/services/records/fixtures/tendo/hospital01.csv', import.meta.url),
      'utf8',
    );
    await page.goto(`${base}/#records`);
    await page.getByLabel('API key').fill('acme-key-123');
    const dropped = await page.evaluateHandle((text) => {
      // Runs in the page; this file is compiled without the DOM's types.
      const { DataTransfer } = globalThis as unknown as {
        DataTransfer: new () => { items: { add(file: File): void } };
      };
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], 'again.csv', { type: 'text/csv' }));
      return transfer;
    }, csv);
    await page.locator('form.drop').dispatchEvent('drop', { dataTransfer: dropped });
    await expect
      .poll(() => page.getByRole('list', { name: 'Uploads' }).textContent(), { timeout: 20_000 })
      .toMatch(/again\.csv: duplicate/);
  });

  it('says so when the API key is wrong, and when nothing matches', async () => {
    await page.goto(`${base}/#records`);
    await page.getByLabel('API key').fill('wrong-key-000');
    await page.getByLabel('Last name').fill('nobody');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(status).toContain('API key was not accepted');
    await page.getByLabel('API key').fill('acme-key-123');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(status).toContain('No visits match');
  });
});
