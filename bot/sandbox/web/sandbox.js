// The sandbox page: long-polls /api/state and draws every pane; people act through the API.
// Message HTML comes from the server already sanitised (bot/sandbox/render.py builds it from
// Telegram's entities, escaping all text); everything else is set as text, never as markup.
"use strict";

const view = {
  generation: -1, version: -1, active: null, wanted: null, panes: new Map(), toasts: new Set(),
};
const LOCALES = { uk: "uk-UA", ru: "ru-RU", en: "en-GB" };
const pageLanguage = LOCALES[localStorage.getItem("sandbox-language")]
  ? localStorage.getItem("sandbox-language") : "uk";
const timeFormat = new Intl.DateTimeFormat(LOCALES[pageLanguage], {
  timeZone: "Europe/Kyiv", hour: "2-digit", minute: "2-digit",
});
const clockFormat = new Intl.DateTimeFormat(LOCALES[pageLanguage], {
  timeZone: "Europe/Kyiv", weekday: "short", day: "numeric", month: "short", year: "numeric",
  hour: "2-digit", minute: "2-digit",
});
let strings = {};

function $(selector, root = document) { return root.querySelector(selector); }

// The page's own words (GET /api/strings, from the project's catalogs); {name} filled in.
function t(key, values = {}) {
  const text = strings[key] || key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
}

function translateStatic() {
  document.documentElement.lang = pageLanguage;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  }
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  const choice = $("#page-language");
  choice.value = pageLanguage;
  choice.addEventListener("change", () => {
    localStorage.setItem("sandbox-language", choice.value);
    location.reload();
  });
}

function roleText(pane) {
  const role = t(`role_${pane.role}`);
  return pane.role === "resident" ? `${role} · ${pane.language}` : role;
}

function setStatus(text) { $("#status").textContent = text; }

function setNote(text) { $("#note").textContent = text; } // what the last action did

async function post(path, body) {
  const init = { method: "POST" };
  if (body instanceof FormData) {
    init.body = body;
  } else {
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(body || {});
  }
  const response = await fetch(path, init);
  const text = await response.text();
  if (!response.ok) {
    setNote(t("not_done", { reason: text }));
    throw new Error(text);
  }
  return text ? JSON.parse(text) : {};
}

// -- panes ---------------------------------------------------------------------------------
function paneElement(pane) {
  let entry = view.panes.get(pane.key);
  if (entry) return entry;
  const node = $("#pane-template").content.firstElementChild.cloneNode(true);
  const titleId = `pane-title-${pane.key}`;
  node.id = `pane-${pane.key}`;
  node.dataset.pane = pane.key;
  node.setAttribute("aria-labelledby", titleId);
  $(".pane-title", node).id = titleId;
  $(".log", node).setAttribute("aria-label", t("messages_in", { chat: pane.title }));
  const input = $("input.text", node);
  input.id = `text-${pane.key}`;
  input.placeholder = t("message");
  const label = $(".text-label", node);
  label.htmlFor = input.id;
  label.textContent = t("message_from", { chat: pane.title });
  $(".send", node).textContent = t("send");
  $(".photo-text", node).textContent = t("photo");
  $(".as-text", node).textContent = t("write_as");
  $(".keyboard", node).setAttribute("aria-label", t("keyboard"));
  const photo = $(".photo input", node);
  photo.setAttribute("aria-label", t("photo_from", { chat: pane.title }));
  $(".compose", node).addEventListener("submit", (event) => {
    event.preventDefault();
    sendText(pane.key, node);
  });
  photo.addEventListener("change", () => sendPhoto(pane.key, node));
  $("#panes").append(node);
  entry = { node, messages: new Map(), members: "" };
  view.panes.set(pane.key, entry);
  const item = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  button.dataset.pane = pane.key;
  button.addEventListener("click", () => activate(pane.key, true));
  item.append(button);
  $("#switcher").append(item);
  entry.switch = button;
  if (view.active === null) activate(pane.key, false);
  return entry;
}

function activate(key, focus) {
  view.active = key;
  for (const [paneKey, entry] of view.panes) {
    const on = paneKey === key;
    entry.node.classList.toggle("active", on);
    entry.switch.setAttribute("aria-current", on ? "true" : "false");
  }
  if (focus) $("input.text", view.panes.get(key).node).focus();
}

function speaker(node) {
  const select = $(".as select", node);
  return select && !$(".as", node).hidden ? select.value : null;
}

async function sendText(key, node) {
  const input = $("input.text", node);
  const text = input.value;
  if (!text.trim()) return;
  await post(`/api/panes/${key}/text`, { text, as: speaker(node) });
  input.value = "";
}

async function sendPhoto(key, node) {
  const input = $(".photo input", node);
  if (!input.files.length) return;
  const form = new FormData();
  form.append("photo", input.files[0]);
  const caption = $("input.text", node);
  if (caption.value.trim()) form.append("caption", caption.value);
  const as = speaker(node);
  if (as) form.append("as", as);
  await post(`/api/panes/${key}/photo`, form);
  caption.value = "";
  input.value = "";
}

async function press(key, node, message, row, column) {
  await post(`/api/panes/${key}/press`, { message, row, column, as: speaker(node) });
}

function messageNode(key, node, message) {
  const article = document.createElement("article");
  const who = message.from_bot ? t("bot") : message.mine ? t("you") : message.sender;
  article.className = `msg ${message.from_bot ? "bot" : message.mine ? "mine" : "other"}`;
  article.dataset.id = message.id;
  const time = timeFormat.format(new Date(message.time));
  article.setAttribute("aria-label", `${who}, ${time}${message.edited ? `, ${t("edited")}` : ""}`);
  if (!message.from_bot && !message.mine) {
    const name = document.createElement("div");
    name.className = "sender";
    name.textContent = message.sender;
    article.append(name);
  }
  if (message.photo) {
    const img = document.createElement("img");
    img.src = message.photo;
    img.alt = t("photo_of", { sender: who });
    img.className = "photo-view";
    article.append(img);
  }
  if (message.document) {
    const link = document.createElement("a");
    link.href = message.document.url;
    link.download = message.document.name;
    link.className = "document";
    link.textContent = `📄 ${message.document.name}`;
    article.append(link);
  }
  if (message.other || message.service) {
    const note = document.createElement("div");
    note.className = "note";
    note.textContent = `(${message.other || message.service})`;
    article.append(note);
  }
  if (message.html) {
    const body = document.createElement("div");
    body.className = "text";
    body.innerHTML = message.html; // sanitised by the server (see the top of this file)
    article.append(body);
  }
  const meta = document.createElement("div");
  meta.className = "meta";
  meta.textContent = message.edited ? `${time} · ${t("edited")}` : time;
  article.append(meta);
  if (message.buttons.length) {
    const group = document.createElement("div");
    group.className = "buttons";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", t("buttons"));
    message.buttons.forEach((row, r) => {
      const line = document.createElement("div");
      line.className = "row";
      row.forEach((button, c) => {
        let control;
        if (button.url) {
          control = document.createElement("a");
          control.href = button.url;
          control.target = "_blank";
          control.rel = "noopener noreferrer";
        } else {
          control = document.createElement("button");
          control.type = "button";
          control.disabled = Boolean(button.disabled);
          control.addEventListener("click", () => press(key, node, message.id, r, c));
        }
        control.className = "inline";
        control.dataset.pos = `${r}-${c}`;
        control.textContent = button.text;
        line.append(control);
      });
      group.append(line);
    });
    article.append(group);
  }
  return article;
}

function drawMessages(pane, entry) {
  const log = $(".log", entry.node);
  const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  const seen = new Set();
  let added = false;
  for (const message of pane.messages) {
    seen.add(message.id);
    const json = JSON.stringify(message);
    const old = entry.messages.get(message.id);
    if (old && old.json === json) continue;
    const fresh = messageNode(pane.key, entry.node, message);
    if (old) {
      const focused = old.node.contains(document.activeElement)
        ? document.activeElement.dataset.pos : null;
      old.node.replaceWith(fresh); // an edit: in place
      if (focused) {
        const again = fresh.querySelector(`[data-pos="${focused}"]`);
        if (again) again.focus();
        else $("input.text", entry.node).focus();
      }
    } else {
      log.append(fresh);
      added = true;
    }
    entry.messages.set(message.id, { json, node: fresh });
  }
  for (const [id, old] of entry.messages) {
    if (!seen.has(id)) {
      old.node.remove();
      entry.messages.delete(id);
    }
  }
  if (added && nearBottom) log.scrollTop = log.scrollHeight;
  const last = [...pane.messages].reverse().find((m) => m.from_bot);
  drawKeyboard(pane.key, entry, last ? last.keyboard : []);
}

function drawKeyboard(key, entry, rows) {
  const box = $(".keyboard", entry.node);
  const json = JSON.stringify(rows);
  if (box.dataset.json === json) return;
  box.dataset.json = json;
  box.replaceChildren();
  box.hidden = !rows.length;
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "row";
    for (const text of row) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = text;
      button.addEventListener("click", () =>
        post(`/api/panes/${key}/text`, { text, as: speaker(entry.node) }));
      line.append(button);
    }
    box.append(line);
  }
}

function drawMembers(pane, entry) {
  if (!pane.members) return;
  const json = JSON.stringify(pane.members);
  if (entry.members === json) return;
  entry.members = json;
  const label = $(".as", entry.node);
  const select = $("select", label);
  select.replaceChildren(...pane.members.map((member) => {
    const option = document.createElement("option");
    option.value = member.id;
    option.textContent = member.name;
    return option;
  }));
  label.hidden = false;
}

function showToast(toast) {
  const entry = view.panes.get(toast.pane);
  if (!entry) return;
  const box = $(".toasts", entry.node);
  const item = document.createElement("div");
  item.className = toast.alert ? "toast alert" : "toast";
  item.textContent = toast.text;
  if (toast.alert) {
    item.setAttribute("role", "alertdialog");
    item.setAttribute("aria-label", t("alert"));
    const ok = document.createElement("button");
    ok.type = "button";
    ok.textContent = t("ok");
    ok.addEventListener("click", () => item.remove());
    item.append(ok);
    box.append(item);
    ok.focus();
  } else {
    box.append(item);
    setTimeout(() => item.remove(), 5000); // a toast fades as Telegram's does
  }
}

function draw(state) {
  if (state.generation !== view.generation) {
    for (const entry of view.panes.values()) {
      entry.node.remove();
      entry.switch.parentElement.remove();
    }
    view.panes.clear();
    view.toasts.clear();
    view.active = null;
    view.generation = state.generation;
  }
  view.version = state.version;
  const statuses = { ready: "ready", starting: "starting", stopped: "wiping" };
  setStatus(t(statuses[state.status] || "failed"));
  document.body.dataset.status = state.status;
  const now = new Date(state.clock.now);
  const hours = Math.round(state.clock.offset_seconds / 360) / 10;
  $("#clock-now").textContent = t("kyiv", { time: clockFormat.format(now) }) +
    (hours > 0 ? ` · ${t("ahead", { hours })}` : "");
  const violations = $("#violations");
  violations.hidden = !state.violations.length;
  violations.replaceChildren();
  if (state.violations.length) {
    const title = document.createElement("strong");
    title.textContent = t("violations");
    const list = document.createElement("ul");
    for (const text of state.violations) {
      const item = document.createElement("li");
      item.textContent = text;
      list.append(item);
    }
    violations.append(title, list);
  }
  for (const pane of state.panes) {
    const entry = paneElement(pane);
    $(".pane-title", entry.node).textContent = pane.title;
    $(".pane-role", entry.node).textContent = roleText(pane);
    entry.switch.textContent = `${pane.title} · ${roleText(pane)}`;
    drawMembers(pane, entry);
    drawMessages(pane, entry);
  }
  if (view.wanted && view.panes.has(view.wanted)) {
    activate(view.wanted, true);
    view.wanted = null;
  }
  for (const toast of state.toasts) {
    if (view.toasts.has(toast.id)) continue;
    view.toasts.add(toast.id);
    showToast(toast);
  }
}

async function poll() {
  for (;;) {
    try {
      const query = `since=${view.version}&generation=${view.generation}`;
      const response = await fetch(`/api/state?${query}`, { cache: "no-store" });
      if (!response.ok) throw new Error(String(response.status));
      draw(await response.json());
    } catch (error) {
      setStatus(t("lost"));
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function controls() {
  for (const button of document.querySelectorAll("[data-step]")) {
    button.addEventListener("click", async () => {
      const result = await post("/api/clock", { step: button.dataset.step });
      if (result.ok === false) setNote(t(result.reason));
      else if (result.to) {
        setNote(t("moved_to", { time: t("kyiv", { time: clockFormat.format(new Date(result.to)) }) }));
      } else setNote(t("moved_by", { step: button.textContent }));
    });
  }
  $("#add-person").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const result = await post("/api/panes", {
      name: form.elements.name.value, language: form.elements.language.value,
    });
    form.reset();
    view.wanted = result.pane;
  });
  const reset = $("#reset");
  const confirm = $("#reset-confirm");
  reset.addEventListener("click", () => {
    confirm.hidden = !confirm.hidden;
    reset.setAttribute("aria-expanded", String(!confirm.hidden));
    if (!confirm.hidden) $("#reset-yes").focus();
  });
  $("#reset-yes").addEventListener("click", async () => {
    confirm.hidden = true;
    reset.setAttribute("aria-expanded", "false");
    setStatus(t("wiping"));
    await post("/api/reset");
  });
}

async function main() {
  try {
    const response = await fetch(`/api/strings?language=${pageLanguage}`);
    strings = await response.json();
  } catch (error) {
    strings = {}; // the English keys' texts stay; the page still works
  }
  translateStatic();
  controls();
  poll();
}

main();
