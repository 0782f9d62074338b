// The scalecast playground page. Every number comes from the server (the crate's own model);
// this file only keeps the edits, asks for forecasts and draws them as SVG.
'use strict';

const SVGNS = 'http://www.w3.org/2000/svg';
const STEPS = 1000; // slider positions

const state = {
  data: null,      // /api/scenarios
  index: 0,        // the scenario shown; null while the URL names a scenario that does not exist
  edits: new Map(), // key path -> value as typed, in order
  remembered: {},  // toggle path -> value to restore
  forecast: null,  // the forecast drawn
  seq: 0,          // requests sent
  inFlight: false,
  pending: false,
  inputAt: 0,      // performance.now() of the input being answered
};

// Read by the browser test.
window.scalecast = { redraws: 0, drawn: null, ready: false, onRedraw: null };

const $ = (id) => document.getElementById(id);
const num = (v) => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);
const scenario = () => state.data.scenarios[state.index];

// ---------------------------------------------------------------------------------------------
// The URL holds the scenario and its edits.

function query() {
  const q = new URLSearchParams();
  q.set('scenario', scenario().name);
  for (const [k, v] of state.edits) q.append(k, v);
  return q.toString();
}

/// The scenario and edits of the URL. Without a scenario name the first scenario is shown; a
/// name that no scenario has shows none (`state.index` null) until one is picked, rather than
/// another scenario under a name the user did not ask for.
function readUrl() {
  const q = new URLSearchParams(location.search);
  const name = q.get('scenario');
  const i = state.data.scenarios.findIndex((s) => s.name === name);
  state.index = i >= 0 ? i : name === null ? 0 : null;
  state.edits = new Map();
  for (const [k, v] of q) if (k !== 'scenario') state.edits.set(k, v);
}

function writeUrl() {
  history.replaceState(null, '', '?' + query());
}

// ---------------------------------------------------------------------------------------------
// Controls

function sliderValue(c, pos) {
  let lo = 0, hi = STEPS;
  if (c.zero) { if (pos <= 0) return 0; lo = 1; }
  if (c.inf) { if (pos >= STEPS) return Infinity; hi = STEPS - 1; }
  const t = (pos - lo) / (hi - lo);
  const min = num(c.min), max = num(c.max);
  if (c.scale === 'log') {
    return Number((10 ** (Math.log10(min) + t * (Math.log10(max) - Math.log10(min)))).toPrecision(3));
  }
  const step = 10 ** Math.floor(Math.log10((max - min) / STEPS));
  const decimals = Math.max(0, -Math.round(Math.log10(step)));
  return Number((Math.round((min + t * (max - min)) / step) * step).toFixed(decimals));
}

function sliderPos(c, v) {
  if (!Number.isFinite(v)) return v > 0 && c.inf ? STEPS : (v > 0 ? STEPS : 0);
  let lo = 0, hi = STEPS;
  if (c.zero) { if (v <= 0) return 0; lo = 1; }
  if (c.inf) hi = STEPS - 1;
  const min = num(c.min), max = num(c.max);
  const t = c.scale === 'log'
    ? (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))
    : (v - min) / (max - min);
  return Math.round(lo + Math.min(1, Math.max(0, t)) * (hi - lo));
}

/// A value typed outside the slider's range widens the range to reach it.
function widen(c, v) {
  if (!Number.isFinite(v)) return;
  if (c.scale === 'log' && v > 0) {
    if (v < num(c.min)) c.min = 10 ** Math.floor(Math.log10(v));
    if (v > num(c.max)) c.max = 10 ** Math.ceil(Math.log10(v));
  } else if (c.scale === 'linear') {
    if (v < num(c.min)) c.min = v;
    if (v > num(c.max)) c.max = v;
  }
}

/// A number as the fields show it and the URL carries it: `inf`, plain decimals, or the
/// shortest exponent form (`1.8e12`) for large and small magnitudes.
function text(v) {
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-4)) return v.toExponential().replace('e+', 'e');
  return String(v);
}

function currentText(c) {
  return state.edits.has(c.path) ? state.edits.get(c.path) : text(num(c.value));
}

function group(path) {
  const parts = path.split('.');
  return parts[0] === 'domain' ? 'domain ' + parts[1] : parts[0];
}

function buildControls() {
  const fields = $('fields');
  fields.textContent = '';
  let box = null, name = null;
  // The fixed keys of [time] come last.
  const all = scenario().controls;
  for (const c of all.filter((x) => !x.fixed).concat(all.filter((x) => x.fixed))) {
    if (group(c.path) !== name) {
      name = group(c.path);
      box = document.createElement('div');
      box.className = 'group';
      const h = document.createElement('h2');
      h.textContent = name;
      box.append(h);
      fields.append(box);
    }
    const row = document.createElement('div');
    row.className = 'control';
    row.dataset.path = c.path;
    const id = 'key-' + c.path.replace(/[^A-Za-z0-9_-]/g, '_');
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = c.path;
    label.title = 'expected: ' + c.expected;
    const slider = document.createElement('input');
    slider.type = 'range';
    slider.min = 0;
    slider.max = STEPS;
    slider.step = 1;
    slider.setAttribute('aria-label', c.path + ' slider');
    const field = document.createElement('input');
    field.type = 'text';
    field.id = id;
    field.inputMode = 'decimal';
    field.spellcheck = false;
    const error = document.createElement('pre');
    error.className = 'error';
    error.hidden = true;
    row.append(label, slider, field);
    const notes = [c.dist, c.fixed].filter(Boolean);
    if (!c.fixed && (c.zero || c.inf)) notes.push((c.scale === 'log' ? 'log slider; ' : '') + (c.zero ? '0 at its left end' : 'inf at its right end'));
    if (notes.length) {
      const note = document.createElement('div');
      note.className = 'note';
      note.textContent = notes.join('; ');
      row.append(note);
    }
    row.append(error);
    if (c.fixed) {
      slider.disabled = true;
      field.disabled = true;
      row.classList.add('fixed');
    }
    slider.addEventListener('input', () => {
      state.inputAt = performance.now();
      const v = sliderValue(c, Number(slider.value));
      field.value = text(v);
      edit(c.path, text(v));
    });
    field.addEventListener('change', () => {
      state.inputAt = performance.now();
      const v = Number(field.value.trim() === 'inf' ? Infinity : field.value);
      if (!Number.isNaN(v)) { widen(c, v); slider.value = sliderPos(c, v); }
      edit(c.path, field.value);
    });
    c.row = row; c.slider = slider; c.field = field; c.error = error;
    box.append(row);
  }
  syncControls();
}

function syncControls() {
  for (const c of scenario().controls) {
    const t = currentText(c);
    c.field.value = t;
    const v = Number(t.trim() === 'inf' ? Infinity : t);
    if (!Number.isNaN(v)) { widen(c, v); c.slider.value = sliderPos(c, v); }
    c.row.classList.toggle('edited', state.edits.has(c.path));
  }
  syncToggles();
}

function control(path) {
  return scenario().controls.find((c) => c.path === path);
}

function valueOf(path) {
  const c = control(path);
  return c ? Number(currentText(c).trim() === 'inf' ? Infinity : currentText(c)) : NaN;
}

function syncToggles() {
  const t = scenario().toggles;
  const erosion = $('toggle-erosion'), ceiling = $('toggle-ceiling');
  erosion.checked = valueOf(t.erosion.path) > 0;
  const canErode = erosion.checked || state.remembered[t.erosion.path] !== undefined || t.erosion.on !== null;
  erosion.disabled = !canErode;
  erosion.parentElement.title = canErode ? '' : 'erosion.rate is 0 in this file: drag its slider to turn erosion on';
  ceiling.checked = Number.isFinite(valueOf(t.ceiling.path));
}

function toggle(kind, on) {
  state.inputAt = performance.now();
  const t = scenario().toggles[kind];
  if (!on) {
    state.remembered[t.path] = currentText(control(t.path));
    edit(t.path, text(num(t.off)));
  } else {
    const back = state.remembered[t.path] ?? (t.on === null ? null : text(num(t.on)));
    if (back !== null) edit(t.path, back);
  }
  syncControls();
}

/// Drop the edit of `path`: the key is back to the file's value.
function dropEdit(path) {
  state.inputAt = performance.now();
  state.edits.delete(path);
  syncControls();
  request();
}

function edit(path, value) {
  const c = control(path);
  if (c && value === text(num(c.value)) && !state.edits.has(path)) return request();
  state.edits.set(path, value);
  if (c) c.row.classList.add('edited');
  request();
}

// ---------------------------------------------------------------------------------------------
// Requests: the latest edits win; one request at a time.

async function request() {
  writeUrl();
  syncToggles();
  if (state.inFlight) { state.pending = true; return; }
  state.inFlight = true;
  const seq = ++state.seq;
  const startedAt = state.inputAt;
  try {
    const r = await fetch('/api/forecast?' + query());
    const body = await r.json();
    if (r.ok) {
      showErrors([]);
      state.forecast = body;
      draw();
      window.scalecast.redraws += 1;
      if (startedAt) $('status').textContent += '; redrawn ' + Math.round(performance.now() - startedAt) + ' ms after the input';
      window.scalecast.drawn = body;
      window.scalecast.seq = seq;
      if (window.scalecast.onRedraw) window.scalecast.onRedraw();
    } else {
      // A shared URL with a bad value still shows the scenario as the file gives it.
      if (!state.forecast) { state.forecast = scenario().forecast; draw(); }
      showErrors(body.errors || [{ path: '', text: 'error: the server answered ' + r.status }]);
      window.scalecast.errors = (window.scalecast.errors || 0) + 1;
    }
  } catch (e) {
    showErrors([{ path: '', text: 'error: cannot reach the server: ' + e }]);
  } finally {
    state.inFlight = false;
    if (state.pending) { state.pending = false; request(); }
  }
}

/// Each error beside the fields of the key it is about and of the edit it comes from (the
/// server says both: `path` and `edit`). An error whose edit no field can change (an unknown
/// key, a fixed key of [time]) goes to the banner with a button that drops that edit; an error
/// about no field goes to the banner alone.
function showErrors(errors) {
  const controls = state.index === null ? [] : scenario().controls;
  for (const c of controls) {
    c.error.hidden = true;
    c.error.textContent = '';
    c.row.classList.remove('invalid');
  }
  const find = (k) => (k ? controls.find((c) => c.path === k) : undefined);
  const banner = $('banner');
  banner.textContent = '';
  let marked = 0, general = 0;
  for (const e of errors) {
    const from = e.edit || (state.edits.has(e.path) ? e.path : null);
    const own = find(from);
    if (from && state.edits.has(from) && (!own || own.fixed)) {
      general += 1;
      const item = document.createElement('div');
      item.className = 'item';
      item.dataset.edit = from;
      const text = document.createElement('pre');
      text.textContent = e.text;
      const drop = document.createElement('button');
      drop.type = 'button';
      drop.textContent = 'remove this edit';
      drop.title = 'drop ' + from + '=' + state.edits.get(from) + ' from the URL; the other edits stay';
      drop.addEventListener('click', () => dropEdit(from));
      item.append(text, drop);
      banner.append(item);
      continue;
    }
    const targets = new Set([find(e.path), own].filter(Boolean));
    for (const c of targets) {
      c.error.hidden = false;
      c.error.textContent += (c.error.textContent ? '\n' : '') + e.text;
      c.row.classList.add('invalid');
    }
    if (targets.size > 0) {
      marked += 1;
    } else {
      general += 1;
      const text = document.createElement('pre');
      text.className = 'item';
      text.textContent = e.text;
      banner.append(text);
    }
  }
  banner.hidden = general === 0;
  const fix = [marked && 'fix the marked value', general && 'see the error above'].filter(Boolean).join('; ');
  $('status').textContent = state.index === null
    ? 'pick a scenario above' + (state.edits.size ? '; the ' + state.edits.size + ' edit(s) of the URL are kept for it' : '')
    : errors.length
      ? (state.forecast === scenario().forecast ? "the charts show the file's values; " : 'the charts show the last valid edits; ') + fix
      : state.edits.size + ' edit(s) from ' + scenario().file + '; the URL holds them, share it to share this view';
}

async function save() {
  const r = await fetch('/api/save?' + query());
  if (!r.ok) {
    const body = await r.json();
    showErrors(body.errors || []);
    return;
  }
  const disposition = r.headers.get('Content-Disposition') || '';
  const m = /filename="([^"]+)"/.exec(disposition);
  const blob = await r.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = m ? m[1] : scenario().name + '-edited.toml';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

// ---------------------------------------------------------------------------------------------
// Chart helpers: SVG strings, drawn into the figures.

function esc(s) {
  return String(s).replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[ch]));
}

function linearTicks(lo, hi, count) {
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function logTicks(lo, hi) {
  const a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
  const every = Math.max(1, Math.ceil((b - a) / 8));
  const ticks = [];
  for (let e = a; e <= b; e += every) ticks.push(10 ** e);
  return ticks;
}

function tickLabel(v, log) {
  if (log) {
    const e = Math.round(Math.log10(v));
    return e >= -2 && e <= 3 ? String(10 ** e >= 1 ? 10 ** e : Number((10 ** e).toPrecision(1))) : '1e' + e;
  }
  return String(Number(v.toPrecision(6)));
}

/// The y range of finite values (positive ones on a log axis), padded.
function extent(values, log) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (log && v <= 0)) continue;
    lo = Math.min(lo, v); hi = Math.max(hi, v);
  }
  if (lo > hi) return log ? [1, 10] : [0, 1];
  if (log) return [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi) + 1e-12)];
  if (lo === hi) return [lo - 1, hi + 1];
  const pad = 0.05 * (hi - lo);
  return [lo - pad, hi + pad];
}

/// One plot: a frame with axes and lines. `series`: {label, colour, values, width, dash, data}.
/// `yMark(v)`, when given and not null for a y tick, names a tick drawn as a short mark at the
/// axis instead of a grid line across the plot.
function plot(o) {
  const { x, y, w, h, years, series } = o;
  const left = x + 58, right = x + w - 12, top = y + 8, bottom = y + h - 34;
  const [ylo, yhi] = o.yRange;
  const sx = (t) => left + (t - years[0]) / (years[years.length - 1] - years[0] || 1) * (right - left);
  const sy = o.log
    ? (v) => bottom - (Math.log10(v) - Math.log10(ylo)) / (Math.log10(yhi) - Math.log10(ylo)) * (bottom - top)
    : (v) => bottom - (v - ylo) / (yhi - ylo) * (bottom - top);
  let s = '<g class="axis">';
  const yticks = o.yTicks || (o.log ? logTicks(ylo, yhi) : linearTicks(ylo, yhi, 5));
  for (const v of yticks) {
    if (v < ylo * (1 - 1e-9) - 1e-12 || v > yhi * (1 + 1e-9) + 1e-12) continue;
    const py = sy(v).toFixed(1);
    const mark = o.yMark ? o.yMark(v) : null;
    if (mark) s += `<line class="tick" x1="${left - 4}" x2="${left}" y1="${py}" y2="${py}"/>`;
    else s += `<line class="grid" x1="${left}" x2="${right}" y1="${py}" y2="${py}"/>`;
    s += `<text x="${left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle"${mark ? ` data-tick="${esc(mark)}"` : ''}>${esc(o.yLabel ? o.yLabel(v) : tickLabel(v, o.log))}</text>`;
  }
  const span = years[years.length - 1] - years[0];
  const xstep = span > 16 ? 4 : span > 6 ? 2 : 1;
  for (let t = Math.ceil(years[0] / xstep) * xstep; t <= years[years.length - 1] + 1e-9; t += xstep) {
    const px = sx(t).toFixed(1);
    s += `<line class="grid" x1="${px}" x2="${px}" y1="${top}" y2="${bottom}"/>`;
    s += `<text x="${px}" y="${bottom + 15}" text-anchor="middle">${t}</text>`;
  }
  s += `<rect class="frame" x="${left}" y="${top}" width="${right - left}" height="${bottom - top}"/>`;
  if (o.xDesc) s += `<text class="desc" x="${(left + right) / 2}" y="${bottom + 30}" text-anchor="middle">${esc(o.xDesc)}</text>`;
  if (o.yDesc) s += `<text class="desc" transform="translate(${x + 13},${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yDesc)}</text>`;
  s += '</g>';
  if (!o.log && ylo < 0 && yhi > 0) s += `<line class="zero" x1="${left}" x2="${right}" y1="${sy(0)}" y2="${sy(0)}"/>`;
  for (const ser of series) {
    let d = '', pen = false;
    ser.values.forEach((v, k) => {
      const ok = Number.isFinite(v) && (!o.log || v > 0);
      if (!ok) { pen = false; return; }
      d += (pen ? 'L' : 'M') + sx(years[k]).toFixed(2) + ' ' + sy(Math.min(Math.max(v, o.log ? ylo : -Infinity), yhi)).toFixed(2);
      pen = true;
    });
    const data = ser.data ? ` data-series="${esc(ser.data)}" data-values="${esc(JSON.stringify(ser.values.map(text)))}"` : '';
    s += `<path d="${d}" fill="none" stroke="${ser.colour}" stroke-width="${ser.width || 2}"${ser.dash ? ' stroke-dasharray="6 4"' : ''}${data}/>`;
  }
  return { svg: s, sx, sy, top, bottom, left, right };
}

/// A legend: swatches in rows that wrap within `width`.
function legend(items, x, y, width) {
  let s = '<g class="legend">', cx = x, cy = y;
  for (const it of items) {
    const w = 34 + 7 * it.label.length + 14;
    if (cx + w > x + width && cx > x) { cx = x; cy += 18; }
    if (it.marker) {
      s += `<path d="M${cx + 13} ${cy + 3.5}L${cx + 21} ${cy + 3.5}L${cx + 17} ${cy - 4}Z" fill="${it.colour}"/>`;
    } else {
      s += `<line x1="${cx}" x2="${cx + 28}" y1="${cy}" y2="${cy}" stroke="${it.colour}" stroke-width="${it.width || 2}"${it.dash ? ' stroke-dasharray="6 4"' : ''}/>`;
    }
    s += `<text x="${cx + 34}" y="${cy}" dominant-baseline="middle">${esc(it.label)}</text>`;
    cx += w;
  }
  return { svg: s + '</g>', bottom: cy + 12 };
}

function svg(width, height, body, label) {
  return `<svg xmlns="${SVGNS}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(label)}">${body}</svg>`;
}

function title(t, width) {
  return `<text class="title" x="${width / 2}" y="20" text-anchor="middle">${esc(t)}</text>`;
}

// ---------------------------------------------------------------------------------------------
// The charts of one forecast

const W = 520;

function capabilityChart(f, years, doms) {
  const items = doms.map((d) => ({ label: d.name, colour: d.colour }));
  const lg = legend(items, 60, 40, W - 70);
  const series = f.domains.map((d, i) => ({ label: d.name, colour: doms[i].colour, values: d.capability.map(num), data: d.name }));
  const p = plot({ x: 0, y: lg.bottom, w: W, h: 300, years, series, yRange: [0, 1], yTicks: [0, 0.2, 0.4, 0.6, 0.8, 1], xDesc: 'year', yDesc: 'capability (share of tasks solved)' });
  return svg(W, lg.bottom + 300, title(f.scenario + ': capability by domain', W) + lg.svg + p.svg, 'capability by domain');
}

function leversChart(f, years, doms, colours) {
  const lv = f.levers;
  const series = [
    { label: 'params N', colour: colours.params, values: lv.params.map(num), width: 3, data: 'params' },
    { label: 'RL steps S', colour: colours.rl_steps, values: lv.rl_steps.map(num), width: 3, data: 'rl_steps' },
    { label: 'thinking tokens T', colour: colours.thinking_tokens, values: lv.thinking_tokens.map(num), width: 3, data: 'thinking_tokens' },
  ];
  f.domains.forEach((d, i) => series.push({ label: 'thought ceiling, ' + d.name, colour: doms[i].colour, values: d.thought_ceiling.map(num), dash: true, data: 'thought_ceiling ' + d.name }));
  for (const s of series) {
    const drawable = s.values.some((v) => Number.isFinite(v) && v > 0);
    if (!drawable) s.label += s.values.every((v) => v === Infinity) ? ' (off: not drawn)' : ' (zero: not drawn)';
  }
  const lg = legend(series.map((s) => ({ label: s.label, colour: s.colour, width: s.width, dash: s.dash })), 60, 40, W - 70);
  const yRange = extent(series.flatMap((s) => s.values), true);
  const p = plot({ x: 0, y: lg.bottom, w: W, h: 300, years, series, log: true, yRange, xDesc: 'year', yDesc: 'count (log scale)' });
  return svg(W, lg.bottom + 300, title(f.scenario + ': levers', W) + lg.svg + p.svg, 'levers');
}

function multiplierChart(f, years, doms) {
  const all = f.domains.flatMap((d) => d.thinking_multiplier_per_oom.map(num));
  if (!all.some(Number.isFinite)) {
    // Nothing finite: the reason, as the PNG chart gives it, instead of rows of triangles.
    const why = f.levers.thinking_tokens.map(num).every((v) => v === 0) ? 'no thinking tokens (inference.tokens is 0)' : 'thinking cannot replace one OOM';
    const p = plot({ x: 0, y: 40, w: W, h: 300, years, series: [], log: true, yRange: [1, 1000], xDesc: 'year', yDesc: 'thinking-token multiplier per OOM (log scale)' });
    const cx = (p.left + p.right) / 2, cy = (p.top + p.bottom) / 2;
    const note = `<text class="note" data-note="multiplier" x="${cx}" y="${cy - 9}" text-anchor="middle" fill="#777">inf in every year and domain:</text>`
      + `<text class="note" x="${cx}" y="${cy + 9}" text-anchor="middle" fill="#777">${esc(why)}</text>`;
    return svg(W, 340, title(f.scenario + ': thinking multiplier per OOM', W) + p.svg + note, 'thinking multiplier');
  }
  const anyInf = all.some((v) => v === Infinity);
  let [lo, hi] = extent(all, true);
  lo = Math.max(1, lo);
  if (hi <= lo) hi = lo * 100;
  // As the PNG chart (src/report/multiplier.rs): a band above the finite values holds one row
  // of triangles per domain, at 1.5, 2.5, ... rows above them; the band's floor is a dashed
  // line at 0.75 rows; its `inf` tick sits halfway up, between two rows; air above the last.
  const n = f.domains.length;
  const rowDecades = 0.045 * Math.log10(hi / lo);
  const above = (rows) => hi * 10 ** (rowDecades * rows);
  const top = anyInf ? above(n + 2) : hi;
  const ticks = logTicks(lo, hi).filter((v) => v >= lo && v <= hi);
  const infTick = anyInf ? above(Math.floor(n / 2) + 1) : NaN;
  if (anyInf) ticks.push(infTick);
  const series = f.domains.map((d, i) => {
    const values = d.thinking_multiplier_per_oom.map(num);
    const finite = values.some(Number.isFinite);
    return { label: finite ? d.name : d.name + ' (inf in every year)', colour: doms[i].colour, values, data: d.name };
  });
  const items = series.map((s) => ({ label: s.label, colour: s.colour }));
  if (anyInf) items.push({ label: 'inf: thinking cannot replace one OOM', colour: '#222', marker: true });
  const lg = legend(items, 60, 40, W - 70);
  const p = plot({ x: 0, y: lg.bottom, w: W, h: 300, years, series, log: true, yRange: [lo, top], yTicks: ticks, yLabel: (v) => (v === infTick ? 'inf' : tickLabel(v, true)), yMark: (v) => (v === infTick ? 'inf' : null), xDesc: 'year', yDesc: 'thinking-token multiplier per OOM (log scale)' });
  // Triangles sized to their row, so that rows do not touch and the `inf` tick between two
  // rows crosses none.
  const size = Math.min(4, 0.4 * (p.sy(hi) - p.sy(above(1))));
  let marks = '';
  f.domains.forEach((d, i) => {
    const y = p.sy(above(i + 1.5));
    d.thinking_multiplier_per_oom.forEach((v, k) => {
      if (num(v) !== Infinity) return;
      const x = p.sx(years[k]);
      marks += `<path data-inf="${esc(d.name)}" d="M${(x - size).toFixed(1)} ${(y + 0.875 * size).toFixed(1)}L${(x + size).toFixed(1)} ${(y + 0.875 * size).toFixed(1)}L${x.toFixed(1)} ${(y - size).toFixed(1)}Z" fill="${doms[i].colour}"/>`;
    });
  });
  let edge = '';
  if (anyInf) {
    const y = p.sy(above(0.75)).toFixed(1);
    edge = `<line x1="${p.left}" x2="${p.right}" y1="${y}" y2="${y}" stroke="#888" stroke-dasharray="6 4"/>`;
  }
  return svg(W, lg.bottom + 300, title(f.scenario + ': thinking multiplier per OOM', W) + lg.svg + p.svg + edge + marks, 'thinking multiplier');
}

/// Small multiples, one panel per entry of `panels` ({name, colour, series}), sharing `yRange`.
function panels(chartTitle, items, entries, yRange, yDesc, years, label) {
  const width = 1100, cols = 3, pw = width / cols, ph = 230;
  const lg = legend(items, 60, 40, width - 70);
  const rows = Math.ceil(entries.length / cols);
  let body = title(chartTitle, width) + lg.svg;
  entries.forEach((e, i) => {
    const px = (i % cols) * pw, py = lg.bottom + Math.floor(i / cols) * (ph + 26);
    body += `<rect x="${px + 70}" y="${py + 8}" width="12" height="12" fill="${e.colour}"/>`;
    body += `<text x="${px + 88}" y="${py + 18}" style="font-size:13px;font-weight:600">${esc(e.name)}</text>`;
    const last = Math.floor(i / cols) === rows - 1;
    body += plot({ x: px, y: py + 24, w: pw, h: ph, years, series: e.series, yRange, xDesc: last ? 'year' : '', yDesc: i % cols === 0 ? yDesc : '' }).svg;
  });
  return svg(width, lg.bottom + rows * (ph + 26) + 10, body, label);
}

function termsChart(f, years, doms, colours) {
  const names = [['pretrain', 'pretrain', 1], ['rl', 'rl', 1], ['erosion', '\u2212erosion', -1], ['inference', 'inference', 1], ['logit', 'total logit', 1]];
  const items = names.map(([k, label]) => ({ label, colour: colours[k], width: k === 'logit' ? 3 : 2 }));
  const entries = f.domains.map((d, i) => ({
    name: d.name,
    colour: doms[i].colour,
    series: names.map(([k, label, sign]) => ({ label, colour: colours[k], width: k === 'logit' ? 3 : 2, values: d[k].map((v) => sign * num(v)), data: k + ' ' + d.name })),
  }));
  const yRange = extent(entries.flatMap((e) => e.series.flatMap((s) => s.values)).concat([0]), false);
  return panels(f.scenario + ': logit terms by domain', items, entries, yRange, 'logits', years, 'logit terms');
}

function comparisonChart(f, years) {
  const all = state.data.scenarios;
  const domains = [];
  for (const s of all) for (const d of s.domains) if (!domains.includes(d.name)) domains.push(d.name);
  const items = all.map((s, i) => ({ label: s.name + (i === state.index ? ' (edited)' : ''), colour: s.colour, width: i === state.index ? 3.5 : 2 }));
  const entries = domains.map((name) => {
    const series = [];
    all.forEach((s, i) => {
      const fc = i === state.index ? f : s.forecast;
      const d = fc.domains.find((x) => x.name === name);
      if (!d) return;
      const sy = fc.levers.year.map(num);
      // Lines follow each scenario's own years, placed on this chart's year axis.
      const values = years.map((y) => { const k = sy.indexOf(y); return k < 0 ? NaN : num(d.capability[k]); });
      series.push({ label: s.name, colour: s.colour, width: i === state.index ? 3.5 : 2, values, data: s.name + ' ' + name });
    });
    const colour = (all[state.index].domains.find((d) => d.name === name) || all.flatMap((s) => s.domains).find((d) => d.name === name)).colour;
    return { name, colour, series };
  });
  return panels('Capability per domain, every scenario (the edited one thick)', items, entries, [0, 1], 'capability', years, 'comparison');
}

function unionYears(f) {
  const set = new Set(f.levers.year.map(num));
  for (const s of state.data.scenarios) for (const y of s.forecast.levers.year) set.add(num(y));
  return [...set].sort((a, b) => a - b);
}

function draw() {
  const f = state.forecast, s = scenario();
  const years = f.levers.year.map(num);
  const colours = state.data.colours;
  $('chart-capability').innerHTML = capabilityChart(f, years, s.domains);
  $('chart-levers').innerHTML = leversChart(f, years, s.domains, colours);
  $('chart-terms').innerHTML = termsChart(f, years, s.domains, colours);
  $('chart-comparison').innerHTML = comparisonChart(f, unionYears(f));
  $('chart-multiplier').innerHTML = multiplierChart(f, years, s.domains);
}

// ---------------------------------------------------------------------------------------------
// Start

/// The URL names a scenario there is not: the server's error (which lists the scenarios), and
/// no scenario shown until one is picked; the URL stays as it was.
async function unknownScenario() {
  const name = new URLSearchParams(location.search).get('scenario');
  document.querySelector('main').hidden = true;
  $('reset').disabled = true;
  $('save').disabled = true;
  $('description').textContent = '';
  let errors;
  try {
    const r = await fetch('/api/forecast?' + new URLSearchParams({ scenario: name }));
    errors = (await r.json()).errors;
  } catch (e) {
    errors = null;
  }
  const names = state.data.scenarios.map((s) => s.name).join(', ');
  showErrors(errors || [{ path: '', text: 'error: no scenario named ' + JSON.stringify(name) + '; the scenarios are: ' + names }]);
}

function showScenario() {
  document.querySelector('main').hidden = false;
  $('reset').disabled = false;
  $('save').disabled = false;
  const s = scenario();
  $('description').textContent = s.description ? s.name + ': ' + s.description + ' (' + s.file + ')' : s.file;
  for (const b of $('tabs').children) b.setAttribute('aria-pressed', String(b.dataset.name === s.name));
  state.remembered = {};
  state.forecast = null;
  buildControls();
}

async function start() {
  const r = await fetch('/api/scenarios');
  state.data = await r.json();
  readUrl();
  for (const [i, s] of state.data.scenarios.entries()) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = s.name;
    b.dataset.name = s.name;
    b.style.setProperty('--tab', s.colour);
    b.addEventListener('click', () => {
      state.inputAt = performance.now();
      // A URL that named no scenario keeps its edits for the one picked.
      if (state.index !== null) state.edits = new Map();
      state.index = i;
      showScenario();
      request();
    });
    $('tabs').append(b);
  }
  $('reset').addEventListener('click', () => {
    state.inputAt = performance.now();
    state.edits = new Map();
    state.remembered = {};
    syncControls();
    request();
  });
  $('save').addEventListener('click', save);
  $('toggle-erosion').addEventListener('change', (e) => toggle('erosion', e.target.checked));
  $('toggle-ceiling').addEventListener('change', (e) => toggle('ceiling', e.target.checked));
  if (state.index === null) await unknownScenario();
  else { showScenario(); await request(); }
  window.scalecast.ready = true;
}

start();
