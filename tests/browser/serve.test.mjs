// Drives the page of `scalecast serve` in Debian's headless Chromium (playwright-core, no
// browser download): load, move a slider and compare the redrawn chart's numbers with the
// command line's, toggle erosion and the ceiling, save a scenario and check it, reload the
// shared URL, type bad values and compare the error text with the command line's, drop an edit
// of a key the scenario lacks, open a URL naming no scenario, check the `inf` band of the
// thinking-multiplier chart, and measure the time from input to redrawn charts (reported, not
// asserted).
//
// Environment: SCALECAST_BIN (default target/release/scalecast), CHROMIUM (default
// /usr/bin/chromium), SCREENSHOT (write a screenshot of the page to this path).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = process.env.SCALECAST_BIN || path.join(root, 'target/release/scalecast');
const file = 'scenarios/reasoners.toml';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scalecast-browser-'));

let server, url, context, page;

function cli(args) {
  const r = spawnSync(bin, args, { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function csv(text) {
  const [head, ...rows] = text.trim().split('\n');
  const cols = head.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i], v])));
}

const COLUMNS = ['capability', 'logit', 'pretrain', 'rl', 'erosion', 'inference', 'thought_ceiling',
  'effective_thinking_tokens', 'thinking_multiplier_per_oom'];
const value = (v) => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v));

/// The page's edits as `--vary PATH=list:VALUE` flags, in the page's order.
async function varyFlags() {
  const q = new URL(page.url()).searchParams;
  return [...q].filter(([k]) => k !== 'scenario').flatMap(([k, v]) => ['--vary', `${k}=list:${v}`]);
}

/// Every number the page drew equals the row `scalecast sweep` writes for the same edits.
async function assertDrawnEqualsSweep() {
  const flags = await varyFlags();
  const out = path.join(tmp, 'sweep-' + Date.now());
  const r = cli(['sweep', file, ...flags, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const rows = csv(fs.readFileSync(path.join(out, 'reasoners/sweep/sweep.csv'), 'utf8'));
  const drawn = await page.evaluate(() => window.scalecast.drawn);
  const years = drawn.levers.year;
  let compared = 0;
  for (const row of rows) {
    const k = years.findIndex((y) => y === Number(row.year));
    const d = drawn.domains.find((x) => x.name === row.domain);
    for (const c of COLUMNS) {
      assert.equal(value(d[c][k]), value(row[c]), `${row.domain} ${row.year} ${c}`);
      compared += 1;
    }
  }
  assert.equal(compared, 41 * 6 * COLUMNS.length);
  return rows;
}

/// Wait for the redraw after `action` runs in the page.
async function redrawAfter(action, arg) {
  return page.evaluate(async ([src, a]) => {
    const done = new Promise((resolve) => { window.scalecast.onRedraw = resolve; });
    // eslint-disable-next-line no-new-func
    new Function('a', src)(a);
    await done;
    window.scalecast.onRedraw = null;
  }, [action, arg]);
}

function slide(pathName, pos) {
  return redrawAfter(`const s = document.querySelector('[data-path="' + a[0] + '"] input[type=range]');
    s.value = a[1]; s.dispatchEvent(new Event('input'));`, [pathName, pos]);
}

async function typeValue(pathName, text) {
  const field = page.locator(`[data-path="${pathName}"] input[type=text]`);
  await field.fill(text);
  await field.press('Enter');
}

async function ready(p) {
  await p.waitForFunction(() => window.scalecast && window.scalecast.ready);
}

before(async () => {
  server = spawn(bin, ['serve', 'scenarios', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  url = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = /at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error('scalecast serve exited with ' + code)));
  });
  context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1920, height: 1080 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await context.newPage();
  page.on('pageerror', (e) => { throw e; });
});

after(async () => {
  if (context) await context.close();
  if (server) server.kill();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('the page loads with every scenario and the file numbers', async () => {
  // No request of the page fails (a missing icon would log a 404 in the console).
  const failed = [];
  const onResponse = (r) => { if (r.status() >= 400) failed.push(r.status() + ' ' + r.url()); };
  page.on('response', onResponse);
  await page.goto(url + '?scenario=reasoners');
  await ready(page);
  await page.waitForLoadState('load');
  await page.waitForTimeout(300);
  page.off('response', onResponse);
  assert.deepEqual(failed, []);
  assert.equal(await page.locator('#tabs button').count(), 6);
  assert.equal(await page.locator('#charts svg').count(), 5);
  assert.equal(await page.locator('#chart-capability path[data-series]').count(), 6);
  const out = path.join(tmp, 'run');
  assert.equal(cli(['run', file, '--out', out]).code, 0);
  const rows = csv(fs.readFileSync(path.join(out, 'reasoners/capabilities.csv'), 'utf8'));
  const drawn = await page.locator('#chart-capability path[data-series="writing"]').getAttribute('data-values');
  const want = rows.filter((r) => r.domain === 'writing').map((r) => Number(r.capability));
  assert.deepEqual(JSON.parse(drawn).map(Number), want);
  // Every asset comes from the server itself.
  const external = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => !n.startsWith(location.origin)));
  assert.deepEqual(external, []);
});

test('a moved slider redraws the charts with the numbers of `scalecast sweep`', async () => {
  await slide('rl.transfer', 700);
  const field = await page.locator('[data-path="rl.transfer"] input[type=text]').inputValue();
  assert.equal(field, '0.4');
  assert.match(page.url(), /rl\.transfer=0\.4/);
  const rows = await assertDrawnEqualsSweep();
  const drawn = JSON.parse(await page.locator('#chart-capability path[data-series="writing"]').getAttribute('data-values'));
  assert.deepEqual(drawn.map(Number), rows.filter((r) => r.domain === 'writing').map((r) => Number(r.capability)));
});

test('erosion and the thought ceiling toggle off and on', async () => {
  await redrawAfter("document.getElementById('toggle-erosion').click()");
  assert.match(page.url(), /erosion\.rate=0(&|$)/);
  let drawn = await page.evaluate(() => window.scalecast.drawn);
  assert.ok(drawn.domains.every((d) => d.erosion.every((v) => v === 0)));
  await redrawAfter("document.getElementById('toggle-ceiling').click()");
  assert.match(page.url(), /inference\.ceiling\.base=inf/);
  drawn = await page.evaluate(() => window.scalecast.drawn);
  assert.ok(drawn.domains.every((d) => d.thought_ceiling.every((v) => v === 'inf')));
  await assertDrawnEqualsSweep();
  await redrawAfter("document.getElementById('toggle-ceiling').click()");
  drawn = await page.evaluate(() => window.scalecast.drawn);
  assert.ok(drawn.domains.every((d) => d.thought_ceiling.every((v) => Number.isFinite(v))));
  assert.match(page.url(), /inference\.ceiling\.base=1000/);
  await assertDrawnEqualsSweep();
});

test('"Save as scenario" downloads TOML that `check` accepts and `run` reproduces', async () => {
  await slide('pretraining.compute.start', 800);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
  assert.equal(download.suggestedFilename(), 'reasoners-edited.toml');
  const saved = path.join(tmp, 'saved', 'reasoners-edited.toml');
  fs.mkdirSync(path.dirname(saved));
  await download.saveAs(saved);
  const check = cli(['check', saved]);
  assert.equal(check.code, 0, check.stderr);
  const out = path.join(tmp, 'saved-run');
  assert.equal(cli(['run', saved, '--out', out]).code, 0);
  const flags = await varyFlags();
  const sweepOut = path.join(tmp, 'saved-sweep');
  assert.equal(cli(['sweep', file, ...flags, '--out', sweepOut]).code, 0);
  const run = fs.readFileSync(path.join(out, 'reasoners/capabilities.csv'), 'utf8');
  const sweep = fs.readFileSync(path.join(sweepOut, 'reasoners/sweep/sweep.csv'), 'utf8');
  const drop = flags.length / 2;
  const stripped = sweep.split('\n').map((l) => l.split(',').slice(drop).join(',')).join('\n');
  assert.equal(run, stripped);
});

test('the shared URL restores the edits', async () => {
  const shared = page.url();
  const before = await page.evaluate(() => window.scalecast.drawn);
  const other = await context.newPage();
  await other.goto(shared);
  await ready(other);
  assert.equal(await other.locator('[data-path="rl.transfer"] input[type=text]').inputValue(), '0.4');
  assert.equal(await other.locator('#toggle-erosion').isChecked(), false);
  assert.deepEqual(await other.evaluate(() => window.scalecast.drawn), before);
  await other.close();
});

test('a bad value shows the error text of the command line next to its field', async () => {
  for (const [key, bad] of [['domain.math.verifiability', '2'], ['rl.midpoint_steps', 'abc']]) {
    const flags = await varyFlags();
    await typeValue(key, bad);
    const error = page.locator(`[data-path="${key}"] pre.error`);
    await error.waitFor({ state: 'visible' });
    const r = cli(['sweep', file, ...flags, '--vary', `${key}=list:${bad}`, '--out', path.join(tmp, 'bad')]);
    assert.equal(r.code, 2);
    assert.equal(await error.textContent(), r.stderr.trimEnd());
    // The charts keep the last valid edits; a good value clears the error.
    await typeValue(key, key === 'rl.midpoint_steps' ? '5000' : '0.95');
    await error.waitFor({ state: 'hidden' });
  }
});

test('an edit that makes a neighbouring value invalid shows the error beside the edited field', async () => {
  // A first point year moved past the second: the error is about the second point's year.
  const key = 'rl.steps.points[0][0]';
  const flags = await varyFlags();
  await typeValue(key, '2034');
  const error = page.locator(`[data-path="${key}"] pre.error`);
  await error.waitFor({ state: 'visible' });
  const r = cli(['sweep', file, ...flags, '--vary', `${key}=list:2034`, '--out', path.join(tmp, 'bad')]);
  assert.equal(r.code, 2);
  assert.equal(await error.textContent(), r.stderr.trimEnd());
  await typeValue(key, '2024');
  await error.waitFor({ state: 'hidden' });
});

/// The number of milliseconds the status says the last redraw took after its input.
async function redrawnMs() {
  const m = /redrawn (\d+) ms after the input/.exec(await page.locator('#status').textContent());
  assert.ok(m, await page.locator('#status').textContent());
  return Number(m[1]);
}

test('an error is shown beside its own key only, not beside a key its hint names', async () => {
  for (const [good, bad] of [['pretraining.compute.start=3e25', 'rl.nope=1'], ['domain.math.slope=1.2', 'domain.math.slpoe=2']]) {
    await page.goto(url + '?scenario=reasoners&' + good + '&' + bad);
    await ready(page);
    // The valid edit is not marked; the bad key, which has no field, is in the banner.
    assert.equal(await page.locator('.control.invalid').count(), 0);
    assert.equal(await page.locator('#fields pre.error:not([hidden])').count(), 0);
    const banner = page.locator('#banner');
    assert.equal(await banner.isVisible(), true);
    const flags = await varyFlags();
    const r = cli(['sweep', file, ...flags, '--out', path.join(tmp, 'bad')]);
    assert.equal(r.code, 2);
    assert.equal(await banner.locator('pre').textContent(), r.stderr.trimEnd());
    assert.match(await page.locator('#status').textContent(), /see the error above/);
    // Dropping the bad edit keeps the good one.
    await redrawAfter("document.querySelector('#banner button').click()");
    assert.equal(new URL(page.url()).search, '?scenario=reasoners&' + good);
    assert.equal(await banner.isHidden(), true);
    const [key, value] = good.split('=');
    assert.equal(await page.locator(`[data-path="${key}"] input[type=text]`).inputValue(), value);
    await assertDrawnEqualsSweep();
  }
});

test('a URL naming no scenario says so, lists the scenarios and keeps its edits for the one picked', async () => {
  await page.goto(url + '?scenario=reasonerz&rl.transfer=0.4');
  await ready(page);
  const banner = page.locator('#banner');
  assert.equal(await banner.isVisible(), true);
  const names = (await page.locator('#tabs button').allTextContents()).join(', ');
  assert.equal(await banner.textContent(), `error: no scenario named "reasonerz"; the scenarios are: ${names}`);
  assert.equal(await page.locator('#tabs button[aria-pressed="true"]').count(), 0);
  assert.equal(await page.locator('main').isHidden(), true);
  assert.match(page.url(), /scenario=reasonerz&rl\.transfer=0\.4$/);
  await redrawAfter("document.querySelector('#tabs button[data-name=\"reasoners\"]').click()");
  assert.match(page.url(), /\?scenario=reasoners&rl\.transfer=0\.4$/);
  assert.equal(await page.locator('[data-path="rl.transfer"] input[type=text]').inputValue(), '0.4');
  assert.equal(await banner.isHidden(), true);
  await assertDrawnEqualsSweep();
});

test('toggles and Reset time their own redraw, and Reset forgets the values toggles kept', async () => {
  // transfer-optimist has no erosion in its file: the switch is live only once a rate is set.
  await page.goto(url + '?scenario=transfer-optimist');
  await ready(page);
  const erosion = page.locator('#toggle-erosion');
  assert.equal(await erosion.isDisabled(), true);
  await slide('erosion.rate', 600);
  assert.equal(await erosion.isChecked(), true);
  // Long after the slider moved, the toggle's redraw is timed from the toggle.
  const pause = 1000;
  await page.waitForTimeout(pause);
  await redrawAfter("document.getElementById('toggle-erosion').click()");
  assert.equal(await erosion.isChecked(), false);
  assert.ok(await redrawnMs() < pause);
  await page.waitForTimeout(pause);
  await redrawAfter("document.getElementById('reset').click()");
  assert.ok(await redrawnMs() < pause);
  // The rate the toggle kept is gone with the edits: the switch is off and cannot bring it back.
  assert.equal(await erosion.isChecked(), false);
  assert.equal(await erosion.isDisabled(), true);
  assert.equal(new URL(page.url()).search, '?scenario=transfer-optimist');
});

test('the `inf` tick of the thinking multiplier sits between rows of triangles, as in the PNG chart', async () => {
  // A ceiling that makes some multipliers inf and leaves others finite.
  await page.goto(url + '?scenario=inference-unlock&inference.ceiling.base=1e5');
  await ready(page);
  const layout = await page.evaluate(() => {
    const chart = document.getElementById('chart-multiplier');
    const tick = chart.querySelector('text[data-tick="inf"]');
    const rows = {};
    for (const m of chart.querySelectorAll('path[data-inf]')) {
      const b = m.getBBox();
      const r = rows[m.dataset.inf] || (rows[m.dataset.inf] = { top: Infinity, bottom: -Infinity });
      r.top = Math.min(r.top, b.y);
      r.bottom = Math.max(r.bottom, b.y + b.height);
    }
    const grid = [...chart.querySelectorAll('line.grid')].map((l) => Number(l.getAttribute('y1')));
    return { tick: tick && Number(tick.getAttribute('y')), rows: Object.values(rows), grid };
  });
  assert.ok(layout.tick !== null, 'an inf tick');
  assert.ok(layout.rows.length >= 2);
  // The tick crosses no row, and no grid line runs through the band at the tick.
  for (const r of layout.rows) assert.ok(layout.tick < r.top || layout.tick > r.bottom, JSON.stringify(layout));
  assert.ok(!layout.grid.some((y) => Math.abs(y - layout.tick) < 0.5));
  // Rows do not touch one another.
  const sorted = [...layout.rows].sort((a, b) => a.top - b.top);
  for (let i = 1; i < sorted.length; i += 1) assert.ok(sorted[i - 1].bottom < sorted[i].top, JSON.stringify(sorted));
  // As in the PNG chart, the tick is halfway up the band: as many rows above it as below.
  const below = layout.rows.filter((r) => r.top > layout.tick).length;
  assert.equal(below, layout.rows.length / 2);
});

test('a thinking multiplier that is inf everywhere is a note with its reason, not markers', async () => {
  await page.goto(url + '?scenario=scale&inference.tokens.start=0');
  await ready(page);
  const chart = page.locator('#chart-multiplier');
  await chart.locator('[data-note="multiplier"]').waitFor();
  assert.match(await chart.textContent(), /inf in every year and domain:no thinking tokens \(inference\.tokens is 0\)/);
  assert.equal(await chart.locator('path[fill]').count(), 0);
});

test('input to redrawn charts, six domains (reported, not asserted)', async () => {
  const times = [];
  for (let i = 0; i < 20; i += 1) {
    times.push(await page.evaluate(async (pos) => {
      const s = document.querySelector('[data-path="domain.writing.difficulty"] input[type=range]');
      const done = new Promise((resolve) => { window.scalecast.onRedraw = resolve; });
      const t0 = performance.now();
      s.value = pos;
      s.dispatchEvent(new Event('input'));
      await done;
      const redrawn = performance.now() - t0;
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      return [redrawn, performance.now() - t0];
    }, 300 + 20 * i));
  }
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return (s[9] + s[10]) / 2; };
  const redraw = times.map((t) => t[0]), painted = times.map((t) => t[1]);
  console.log(`input to redrawn charts (6 domains, 41 years, 5 charts): median ${median(redraw).toFixed(1)} ms, max ${Math.max(...redraw).toFixed(1)} ms over 20 moves; to the next painted frame: median ${median(painted).toFixed(1)} ms`);
  if (process.env.SCREENSHOT) {
    await page.goto(url + '?scenario=inference-unlock&rl.transfer=0.3&inference.tokens.points%5B2%5D%5B1%5D=1e9');
    await ready(page);
    await page.screenshot({ path: process.env.SCREENSHOT });
  }
});

test('the server still answers', async () => {
  const r = await page.request.get(url + 'api/scenarios');
  assert.equal(r.status(), 200);
});
