/**
 * report.html in a real browser: Debian's Chromium opens the file from disk and must show every chart,
 * log no error, request nothing but the file itself, run no script, and show the markup a run label
 * and an endpoint name carry as text. Screenshots go to the system's temporary folder, for a person
 * to look at (they are not compared).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCharts } from '../../analysis/report/charts.ts';
import { renderHtml } from '../../analysis/report/html.ts';
import { CHARTS, IMG, SCRIPT, sampleReport } from '../analysis/report/report-fixture.ts';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// Headless and quiet: no first-run pages, no update or sync traffic of the browser's own that would
// show up as requests the page did not make.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const work = mkdtempSync(path.join(os.tmpdir(), 'k6c-report-html-'));
const file = path.join(work, 'report', 'report.html');
const url = pathToFileURL(file).href;
let context: BrowserContext;
let page: Page;
const requests: string[] = [];
const consoleErrors: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`report-html: no Chromium at \`${CHROMIUM}\`: expected Debian's chromium to open report.html\nNote: install it with \`apt-get install chromium\` (.ci/run does), or point CHROMIUM at another Chromium`);
  }
  const report = sampleReport();
  const charts = await writeCharts(report, path.dirname(file));
  writeFileSync(file, renderHtml(report, { svgs: new Map(charts.map((chart) => [chart.id, chart.svg])) }));
  context = await chromium.launchPersistentContext(path.join(work, 'profile'), { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1100, height: 900 } });
  context.on('request', (request) => requests.push(request.url()));
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(url, { waitUntil: 'load' });
});

afterAll(async () => {
  await context?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('report.html in Chromium', () => {
  it('loads with no errors and no request but its own file', async () => {
    await page.screenshot({ path: path.join(os.tmpdir(), 'k6c-report-html.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(requests).toEqual([url]);
  });

  it('shows every chart inline, with a size', async () => {
    const figures = page.locator('figure.chart');
    expect(await figures.count()).toBe(CHARTS.length);
    for (const [i, chart] of CHARTS.entries()) {
      const figure = figures.nth(i);
      expect(await figure.getAttribute('id')).toBe(`chart-${chart.id}`);
      const box = await figure.locator('svg').boundingBox();
      expect(box?.width).toBeGreaterThan(100);
      expect(box?.height).toBeGreaterThan(100);
      expect(await figure.locator('figcaption .chart-title').innerText()).toBe(chart.title);
    }
  });

  it('runs no script and shows markup from the data as text', async () => {
    // Page code as strings: this project's TypeScript has Node's types, not the DOM's.
    expect(await page.evaluate("document.querySelectorAll('script').length")).toBe(0);
    expect(await page.evaluate("document.querySelectorAll('img, iframe, object, embed, link').length")).toBe(0);
    const text = await page.locator('main').innerText();
    expect(text).toContain(`tps-80 ${SCRIPT}: breaks the SLO`);
    expect(text).toContain(`GET /predict${IMG}`);
    await expect(page.getByText(`GET /predict${IMG}`, { exact: true }).first().isVisible()).resolves.toBe(true);
    // vega writes the chart title itself, escaped: text in the SVG too.
    expect(await page.locator('#chart-sweep-achieved-vs-offered svg').innerHTML()).toContain('tps-80 &lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('fits a phone screen: wide tables scroll in their own box, the page does not', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    const chart = await page.locator('figure.chart svg').first().boundingBox();
    expect(chart?.width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(os.tmpdir(), 'k6c-report-html-narrow.png'), fullPage: true });
  });
});
