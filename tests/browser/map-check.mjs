// Loads the demo map from a running Atlas in headless Chromium (Debian's, via playwright-core)
// and checks what a visitor sees: clusters, markers whose popup opens, a search that narrows
// the markers, a town without actors that the map goes to, the category filter and the
// language switch. Saves a screenshot.
// Usage: node map-check.mjs <base-url> <screenshot.png>   (run by tests/api/demo_map.rs)
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';

const [base, screenshot] = process.argv.slice(2);
assert.ok(base && screenshot, 'usage: node map-check.mjs <base-url> <screenshot.png>');

const userDataDir = mkdtempSync(join(tmpdir(), 'atlas-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
  viewport: { width: 1200, height: 800 },
  locale: 'en-GB',
});
const step = (text) => console.log(`[map-check] ${text}`);
try {
  const page = context.pages()[0] || await context.newPage();
  // The page must not reach outside the Atlas.
  const outside = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(base) || url.startsWith('data:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  const markerCount = () => page.locator('.cluster, .actor-marker').count();
  const inView = async () => Number((await page.textContent('#status')).match(/\d+/)?.[0] ?? NaN);

  step(`open ${base}/`);
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-loaded="clusters"]', { timeout: 20000 });
  await page.waitForSelector('.cluster');
  const europeSymbols = await markerCount();
  const europeCount = await inView();
  step(`Europe: ${europeSymbols} symbols for ${europeCount} actors`);
  assert.ok(europeSymbols > 3, 'clusters are drawn');
  assert.ok(europeCount > 1000, 'the view counts the seeded actors');
  assert.ok(await page.locator('path.leaflet-interactive, svg path').count() > 10, 'the borders are drawn');
  await page.screenshot({ path: screenshot });

  step('zoom into Vienna and open a popup');
  await page.evaluate(() => { document.body.dataset.loaded = ''; window.atlasMap.setView([48.205, 16.37], 15); });
  await page.waitForSelector('body[data-loaded="clusters"]');
  await page.waitForSelector('.actor-marker');
  await page.locator('path.actor-marker').first().click({ force: true });
  await page.waitForSelector('.leaflet-popup-content h3');
  const popupName = (await page.textContent('.leaflet-popup-content h3')).trim();
  assert.ok(popupName.length > 0, 'the popup names the actor');
  assert.ok(await page.locator('.leaflet-popup-content a[href^="/v1/actors/"]').count() === 1, 'the popup links to the actor');
  step(`popup: ${popupName}`);

  step('search narrows the markers');
  await page.evaluate(() => window.atlasMap.setView([50, 10], 4));
  await page.waitForSelector('body[data-loaded="clusters"]');
  await page.fill('#search', popupName);
  await page.waitForSelector('body[data-loaded="search"]');
  const found = await inView();
  assert.ok(found >= 1 && found < europeCount, `search found ${found} of ${europeCount}`);
  assert.ok((await page.textContent('#results')).includes(popupName), 'the result list names the actor');
  assert.equal(await page.locator('.cluster').count(), 0, 'search results are single markers');
  assert.equal(await page.locator('.actor-marker').count(), found);
  await page.fill('#search', '');
  await page.waitForSelector('body[data-loaded="clusters"]');

  step('a town without actors takes the map there');
  await page.evaluate(() => { document.body.dataset.loaded = ''; });
  await page.fill('#search', 'Geneva');
  await page.waitForSelector('body[data-loaded="clusters"]');
  const centre = await page.evaluate(() => window.atlasMap.getCenter());
  assert.ok(Math.abs(centre.lat - 46.2) < 0.3 && Math.abs(centre.lng - 6.15) < 0.3,
    `the map is over Geneva: ${JSON.stringify(centre)}`);
  assert.ok(await page.locator('#results').isHidden(), 'no result list');
  await page.evaluate(() => { document.body.dataset.loaded = ''; });
  await page.fill('#search', '');
  await page.waitForSelector('body[data-loaded="clusters"]');

  step('category filter with counts');
  await page.evaluate(() => { document.body.dataset.loaded = ''; window.atlasMap.setView([50, 10], 4); });
  await page.waitForSelector('body[data-loaded="clusters"]');
  await page.waitForTimeout(500); // the counts follow the clusters
  const counted = await page.$$eval('#category option', (options) => options
    .filter((o) => /\(≥?\d+\)$/.test(o.textContent)).map((o) => o.value));
  assert.ok(counted.length > 3, 'categories show counts for the view');
  const category = counted[0];
  await page.evaluate(() => { document.body.dataset.loaded = ''; });
  await page.selectOption('#category', category);
  await page.waitForSelector('body[data-loaded="clusters"]');
  const filtered = await inView();
  assert.ok(filtered > 0 && filtered < europeCount, `category ${category}: ${filtered} of ${europeCount}`);

  step('language switch');
  await page.selectOption('#lang', 'de');
  await page.waitForFunction(() => document.querySelector('#category option').textContent === 'Alle Kategorien');
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  // A language of the seed's actors beyond the first eight: the labels come from the taxonomy.
  await page.selectOption('#lang', 'hu');
  await page.waitForFunction(() => document.querySelector('#category option').textContent === 'Minden kategória');
  await page.waitForFunction(() => [...document.querySelectorAll('#category option')]
    .some((o) => o.textContent.startsWith('Élelmiszerbankok')));

  assert.deepEqual(outside, [], 'nothing is loaded from outside the Atlas');
  assert.deepEqual(pageErrors, [], 'no script errors');
  step('all checks passed');
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
