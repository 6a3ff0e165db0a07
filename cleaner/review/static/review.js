// The review page: a page's lines coloured by label, fixed with the keyboard.
// No framework and no build step: the server serves this file as it is.
"use strict";

const LABELS = { b: "body", n: "nav", r: "related", c: "comment" };
const ELEMENT = "data-cleaner-el";
const token = document.querySelector('meta[name="review-token"]').content;
// edits counts the changes made to the page shown; saved, the count its file holds.
const state = { pages: [], view: null, labels: [], unsure: new Set(), check: false,
                cursor: -1, anchor: -1, edits: 0, saved: 0, loading: false,
                saving: Promise.resolve(), outlined: null };
const $ = (id) => document.getElementById(id);
const KEEPALIVE_LIMIT = 60000;  // browsers refuse a keepalive request over 64 KiB

async function api(path, body, keepalive = false) {
  const data = body === undefined ? undefined : JSON.stringify(body);
  const options = data === undefined ? {} : {
    method: "POST", body: data, keepalive: keepalive && data.length < KEEPALIVE_LIMIT,
    headers: { "Content-Type": "application/json", "X-Review-Token": token } };
  const answer = await fetch(path, options);
  if (!answer.ok) throw new Error(`${path}: ${answer.status} ${(await answer.json()).error}`);
  return answer.json();
}

// --- the list of pages --------------------------------------------------------------

async function loadPages() {
  state.pages = await api("/api/pages");
  const rows = $("pages").tBodies[0];
  if (rows.rows.length === state.pages.length) {  // the same pages: update, keep the rows
    state.pages.forEach((page, i) => {
      rows.rows[i].querySelector(".name").textContent = pageName(page);
      rows.rows[i].querySelector(".unsure").textContent = String(page.unsure);
      rows.rows[i].querySelector("input.check").checked = page.check;
    });
    markCurrentRow();
    return;
  }
  rows.replaceChildren(...state.pages.map((page) => {
    const row = document.createElement("tr");
    row.dataset.index = page.index;
    const name = cell(pageName(page), "name");
    name.addEventListener("click", () => openPage(page.index));
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = page.check;
    box.className = "check";
    box.addEventListener("change", () => {
      box.blur();  // the keys go on moving lines, not toggling the box
      setCheck(page.index, box.checked).catch(showError);
    });
    const checkCell = cell("");
    checkCell.append(box);
    row.append(name, cell(String(page.unsure), "unsure"), checkCell);
    return row;
  }));
  markCurrentRow();
}

function pageName(page) {
  return page.error ? `${page.name} (cannot read its labels: ${page.error})` : page.name;
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function markCurrentRow() {
  for (const row of $("pages").tBodies[0].rows) {
    row.classList.toggle("current", state.view !== null && Number(row.dataset.index) === state.view.index);
  }
}

// --- one page ---------------------------------------------------------------------

async function openPage(index) {
  if (state.view !== null && state.view.index === index) return;
  state.loading = true;  // keys wait: they would change the page being left
  try {
    await saveIfChanged();
    const view = await api(`/api/pages/${index}`);
    Object.assign(state, { view, labels: view.lines.map((l) => l.label), check: view.check,
                           unsure: new Set(view.lines.flatMap((l, i) => (l.unsure ? [i] : []))),
                           edits: 0, saved: 0, outlined: null });
  } finally {
    state.loading = false;
  }
  $("page-name").textContent = state.view.name;
  $("saved").textContent = "";
  drawLines();
  const first = nextLine(-1, 1);
  state.cursor = state.anchor = first;
  showHtml(state.view);
  moveTo(first, false);
  markCurrentRow();
  $("lines").focus();
}

function drawLines() {
  $("lines").replaceChildren(...state.view.lines.map((line, i) => {
    const item = document.createElement("li");
    item.dataset.i = i;
    if (!line.text.trim()) { item.className = "blank"; return item; }
    const tag = document.createElement("span");
    tag.className = "tag";
    item.append(tag, document.createTextNode(line.text));
    item.addEventListener("click", (event) => moveTo(i, event.shiftKey));
    return item;
  }));
  for (let i = 0; i < state.labels.length; i++) paintLine(i);
}

function paintLine(i) {
  const item = $("lines").children[i];
  const line = state.view.lines[i];
  if (!line.text.trim()) return;
  const label = state.labels[i];
  for (const name of [...item.classList]) if (name.startsWith("label-")) item.classList.remove(name);
  item.classList.add(`label-${label || "none"}`);  // the cursor and selection stay
  item.classList.toggle("unsure", state.unsure.has(i));
  const p = line.p && label ? ` ${line.p[label].toFixed(2)}` : "";
  item.firstChild.textContent = `${label || "-"}${p}`;
  item.title = line.p ? Object.entries(line.p).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ") : "";
}

function showHtml(view) {
  const frame = $("shown");
  frame.hidden = !view.html;
  if (view.html) {
    frame.src = `/shown/${view.index}.html`;
    frame.onload = () => {
      state.outlined = null;
      outline();
      // A click on the page moves the focus into the frame: its keys still label lines.
      if (frame.contentDocument) frame.contentDocument.addEventListener("keydown", onKey);
    };
  } else {
    frame.removeAttribute("src");
  }
}

// --- moving and selecting -----------------------------------------------------------

function isText(i) { return i >= 0 && i < state.labels.length && state.view.lines[i].text.trim() !== ""; }

function nextLine(from, step) {
  for (let i = from + step; i >= 0 && i < state.labels.length; i += step) if (isText(i)) return i;
  return from;
}

function selection() {
  const [low, high] = [Math.min(state.cursor, state.anchor), Math.max(state.cursor, state.anchor)];
  const chosen = [];
  for (let i = low; i <= high; i++) if (isText(i)) chosen.push(i);
  return chosen;
}

function moveTo(i, extend) {
  if (!isText(i)) return;
  state.cursor = i;
  if (!extend) state.anchor = i;
  const chosen = new Set(selection());
  for (const item of $("lines").children) {
    const k = Number(item.dataset.i);
    item.classList.toggle("cursor", k === i);
    item.classList.toggle("selected", chosen.has(k) && chosen.size > 1);
  }
  $("lines").children[i].scrollIntoView({ block: "nearest" });
  outline();
}

function outline() {
  const frame = $("shown");
  if (frame.hidden || state.cursor < 0) return;
  const doc = frame.contentDocument;
  if (!doc) return;
  if (state.outlined) state.outlined.style.outline = "";
  const element = doc.querySelector(`[${ELEMENT}="${state.view.lines[state.cursor].element}"]`);
  state.outlined = element;
  if (element) {
    element.style.outline = "3px solid #e00";
    element.scrollIntoView({ block: "center" });
  }
}

// --- labelling ----------------------------------------------------------------------

function setLabel(label, wholeBoxes) {
  let lines = selection();
  if (wholeBoxes) {
    const boxes = new Set(lines.map((i) => state.view.lines[i].box).filter((b) => b >= 0));
    lines = lines.concat(state.view.lines.flatMap((l, i) => (boxes.has(l.box) && isText(i) ? [i] : [])));
  }
  for (const i of new Set(lines)) {
    state.labels[i] = label;
    state.unsure.delete(i);  // the person has looked at it: a plain label from now on
    paintLine(i);
  }
  changed();
}

function changed() {
  state.edits += 1;
  $("saved").textContent = "changed";
}

function nextUnsure() {
  const after = [...state.unsure].filter((i) => i > state.cursor).sort((a, b) => a - b);
  const target = after.length ? after[0] : Math.min(...state.unsure);
  if (Number.isFinite(target)) moveTo(target, false);
}

// One save at a time, each of the labels as they are when it is sent; an edit made
// while it is on its way keeps the page unsaved.
function save(keepalive = false) {
  state.saving = state.saving.catch(() => {}).then(() => sendLabels(keepalive));
  return state.saving;
}

async function sendLabels(keepalive) {
  if (state.view === null) return;
  const edits = state.edits;
  const done = await api(`/api/pages/${state.view.index}`, {
    labels: [...state.labels], unsure: [...state.unsure], check: state.check }, keepalive);
  state.saved = Math.max(state.saved, edits);
  await loadPages();
  $("saved").textContent = state.edits > state.saved ? "changed"
    : `saved, ${done.unsure} unsure left`;
}

async function saveIfChanged(keepalive = false) {
  if (state.edits > state.saved) await save(keepalive);
}

async function setCheck(index, check) {
  if (state.view !== null && state.view.index === index) {
    state.check = check;
    changed();
    await save();
    return;
  }
  const view = await api(`/api/pages/${index}`);
  await api(`/api/pages/${index}`, {
    labels: view.lines.map((l) => l.label),
    unsure: view.lines.flatMap((l, i) => (l.unsure ? [i] : [])), check });
  await loadPages();
}

async function stepPage(step) {
  if (state.view === null) return;
  const next = state.view.index + step;
  if (next >= 0 && next < state.pages.length) await openPage(next);
}

// --- training -----------------------------------------------------------------------

async function train() {
  await saveIfChanged();
  $("train").disabled = true;
  $("train-result").replaceChildren();
  let status;
  try {
    await api("/api/train", {});
    do {
      await new Promise((done) => setTimeout(done, 500));
      status = await api("/api/train");
      $("train-state").textContent = `${status.state}…`;
    } while (status.state === "running");
  } finally {
    $("train").disabled = false;  // a failed request must not leave Train dead
  }
  $("train-state").textContent = `${status.state}: ${status.message} (${status.seconds} s)`;
  if (status.table && status.table.site) $("train-result").append(comparison(status.table));
}

function comparison(table) {
  const out = document.createElement("table");
  out.id = "comparison";
  const head = out.createTHead().insertRow();
  for (const name of ["", "site model", "base", "support"]) head.append(Object.assign(document.createElement("th"), { textContent: name }));
  const body = out.createTBody();
  const row = (name, site, base, support = "") => {
    const tr = body.insertRow();
    tr.dataset.figure = name;
    tr.append(cell(name), cell(site.toFixed(3)), cell(base.toFixed(3)), cell(String(support)));
    tr.cells[1].className = site > base ? "better" : site < base ? "worse" : "";
  };
  for (const label of Object.keys(table.site.labels)) {
    for (const metric of ["precision", "recall", "f1"]) {
      row(`${label} ${metric}`, table.site.labels[label][metric], table.base.labels[label][metric],
          metric === "f1" ? table.site.labels[label].support : "");
    }
  }
  row("macro-F1", table.site.macro_f1, table.base.macro_f1);
  if (table.site.body_text_f1 !== null) row("body text F1", table.site.body_text_f1, table.base.body_text_f1);
  return out;
}

// --- keys ---------------------------------------------------------------------------

// Keys by their lowercase letter; Shift (event.shiftKey, whatever case the key comes in)
// extends a move, and turns a label key into "the whole block".
const MOVES = { j: 1, arrowdown: 1, k: -1, arrowup: -1 };
const KEYS = {
  u: nextUnsure, s: save, "]": () => stepPage(1), "[": () => stepPage(-1),
  x: () => { state.check = !state.check; changed(); return save(); },
};

function onKey(event) {
  if (state.view === null || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.matches("input:not([type=checkbox]), textarea")) return;  // typing, not keys
  if (state.loading) { event.preventDefault(); return; }
  const key = event.key.toLowerCase();
  let action = KEYS[key];
  if (key in MOVES) action = () => moveTo(nextLine(state.cursor, MOVES[key]), event.shiftKey);
  if (key in LABELS) action = () => setLabel(LABELS[key], event.shiftKey);
  if (!action) return;
  event.preventDefault();
  Promise.resolve(action()).catch(showError);
}

function showError(error) { $("saved").textContent = String(error.message || error); }

document.addEventListener("keydown", onKey);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") saveIfChanged(true).catch(showError);
});
$("train").addEventListener("click", () => train().catch(showError));
loadPages().then(() => { if (state.pages.length) return openPage(0); }).catch(showError);
