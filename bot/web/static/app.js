// The ledger form (台账表单): a thin client of the bot's own API. Every rule is the server's;
// this page shows what it is told, sends what is typed, and says what the server answers.
// It reads Telegram's launch parameters from the URL's fragment itself, so it works the same
// with or without telegram-web-app.js (loaded from Telegram when it can be).
"use strict";
(function () {
  const main = document.getElementById("main");
  const BASE = main.dataset.base;
  const launch = new URLSearchParams(location.hash.slice(1));
  const query = new URLSearchParams(location.search);
  const initData = launch.get("tgWebAppData") || "";
  const link = launch.get("tgWebAppStartParam") || query.get("startapp") || "";
  let T = {}; // the page's words, from the server, in the chat's language
  let tg = null; // Telegram.WebApp, once its script has loaded inside Telegram
  let go = null, back = null; // what the main and back buttons do now
  const footGo = document.getElementById("go"), footBack = document.getElementById("back");

  function theme(params, scheme) {
    for (const [k, v] of Object.entries(params || {})) {
      document.documentElement.style.setProperty("--tg-theme-" + k.replace(/_/g, "-"), v);
    }
    // native controls (radios, date pickers) drawn for the theme's background, not the phone's
    const dark = scheme ? scheme === "dark"
      : params && params.bg_color ? luminance(params.bg_color) < 0.4
        : window.matchMedia("(prefers-color-scheme: dark)").matches;
    document.documentElement.dataset.scheme = dark ? "dark" : "light";
  }
  function luminance(hex) {
    const n = parseInt(String(hex).replace("#", ""), 16);
    return (0.299 * ((n >> 16) & 255) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255)) / 255;
  }
  try { theme(JSON.parse(launch.get("tgWebAppThemeParams") || "{}")); } catch (e) { /* none */ }

  // A word with {count} (or, without one, {days}) may come with its other plural forms as
  // "key#one" etc. (calls.ui_texts), picked by the rules of the words' language.
  let plural = null;
  function t(key, params) {
    const n = params && (typeof params.count === "number" ? params.count : params.days);
    if (typeof n === "number" && T.lang) {
      if (!plural) {
        plural = new Intl.PluralRules(T.lang);
        document.documentElement.lang = T.lang;
      }
      const form = key + "#" + plural.select(n);
      if (T[form]) key = form;
    }
    return (T[key] || key).replace(/\{(\w+)\}/g, (m, name) => (params && name in params ? params[name] : m));
  }
  function el(tag, attrs, ...kids) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v !== false && v != null) node.setAttribute(k, v === true ? "" : v);
    }
    for (const kid of kids) if (kid != null) node.append(kid);
    return node;
  }
  function status(text) { tell("", text); }
  function heading(title, sub) {
    document.getElementById("title").textContent = title || "";
    document.getElementById("sub").textContent = sub || "";
    document.title = title || document.title;
  }
  function buttons(main_, back_) {
    go = main_; back = back_;
    footGo.hidden = !main_; footGo.textContent = main_ ? main_.label : "";
    footBack.hidden = !back_; footBack.textContent = back_ ? back_.label : "";
    if (tg) {
      if (main_) { tg.MainButton.setText(main_.label); tg.MainButton.show(); } else tg.MainButton.hide();
      if (back_) tg.BackButton.show(); else tg.BackButton.hide();
    }
  }
  footGo.addEventListener("click", () => go && go.run(footGo));
  footBack.addEventListener("click", () => back && back.run());

  // ----- sending: who calls, one id per action, the answer at the top and at the action -----
  function authHeaders() {
    const headers = { Authorization: "tma " + initData };
    if (link) headers["X-Taizhang-Link"] = link;
    return headers;
  }
  function took(data) { if (data && data.texts) T = data.texts; return data; }
  function lost(e) { return { ok: false, error: T.no_network ? t("no_network") : String(e), status: 0 }; }
  // opts.action: the action's id (X-Action-Id); opts.keepalive: sent even as the page closes
  async function api(method, path, body, opts) {
    const headers = authHeaders();
    if (opts && opts.action) headers["X-Action-Id"] = opts.action;
    const init = { method, headers, keepalive: Boolean(opts && opts.keepalive) };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    let res, data;
    try {
      res = await fetch(BASE + path, init);
    } catch (e) {
      return lost(e);
    }
    try { data = await res.json(); } catch (e) { data = { ok: false, error: res.statusText || String(res.status) }; }
    took(data);
    data.status = res.status;
    return data;
  }
  // A form with files, sent with its upload's progress (fetch cannot tell it): onProgress(0..1).
  function sendForm(path, form, action, onProgress) {
    return new Promise((done) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", BASE + path);
      for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
      if (action) xhr.setRequestHeader("X-Action-Id", action);
      xhr.upload.onprogress = (e) => { if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total); };
      xhr.onload = () => {
        let data;
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = { ok: false, error: xhr.statusText || String(xhr.status) }; }
        took(data);
        data.status = xhr.status;
        done(data);
      };
      xhr.onerror = xhr.ontimeout = xhr.onabort = () => done(lost("network"));
      xhr.send(form);
    });
  }
  // Every write is one action: its id is made once and sent again with every retry, so the
  // server does it once; the tapped control is pending until the answer comes, and a second
  // tap meanwhile sends nothing (its answer could only repeat, or spoil, the first's).
  const actions = {}; // an action's key → { id, out }
  function actionId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return "a" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  async function once(key, control, run) {
    const action = actions[key] || (actions[key] = { id: actionId(), out: false });
    if (action.out) return null;
    action.out = true;
    pending(control, true);
    try {
      const data = await run(action.id);
      if (data && data.status !== 0) delete actions[key]; // answered: a later tap is a new action
      return data;
    } finally {
      action.out = false;
      pending(control, false);
    }
  }
  function pending(control, on) {
    if (!control) return;
    control.disabled = on;
    control.classList.toggle("pending", on);
    control.setAttribute("aria-busy", on ? "true" : "false");
    if (control === footGo && tg) {
      if (on) { tg.MainButton.showProgress(false); tg.MainButton.disable(); }
      else { tg.MainButton.hideProgress(); tg.MainButton.enable(); }
    }
  }
  // kind: "busy", "ok" or "bad"; shown in the bar at the top and, if given, at the action
  function tell(kind, text, at, buzz) {
    const bar = document.getElementById("status");
    bar.textContent = text || "";
    bar.className = kind || "";
    if (at) { at.textContent = text || ""; at.className = "note " + (kind || ""); }
    if (buzz && (kind === "ok" || kind === "bad")) haptic(kind === "ok" ? "success" : "error");
  }
  function haptic(type) {
    const app = window.Telegram && window.Telegram.WebApp;
    if (app && app.HapticFeedback) app.HapticFeedback.notificationOccurred(type);
  }
  // the note by the footer's buttons: where the thumb is, in Telegram above its main button
  function footNote() { return document.getElementById("note"); }
  function ask(text) {
    if (tg && tg.showConfirm) return new Promise((answer) => tg.showConfirm(text, answer));
    return Promise.resolve(window.confirm(text));
  }
  function refused(data) {
    tell("bad", data.error || String(data.status), footNote(), true);
    heading(data.error ? "⚠️" : "", "");
    main.replaceChildren(el("p", { class: "error", id: "refusal", text: data.error || String(data.status) }));
    buttons(null, null);
  }
  function said(data, title) {
    heading(title, "");
    main.replaceChildren(el("div", { class: "said", id: "said", text: (data.said || []).join("\n\n") }));
    buttons(null, null);
    tell("ok", title, footNote(), true);
  }

  // ----- the week -----
  let week = null;
  const timers = {};
  function itemOf(id) { return week.items.find((it) => it.id === id); }
  function collect(box) {
    const out = {};
    for (const input of box.querySelectorAll("[data-f]")) {
      if (input.type === "radio") { if (input.checked) out.status = input.value; }
      else out[input.dataset.f] = input.value;
    }
    if (!("status" in out)) out.status = "";
    return out;
  }
  // An item's answers are saved half a second after typing stops, as soon as a field is left
  // (a moment later: a tap on 预览并提交 that left it saves everything itself), and as the
  // page is hidden or closed (sent with keepalive, so the send outlives it).
  const LEFT = 150; // ms after a field is left
  const unsaved = new Set(); // items typed in and not yet saved
  const sent = {}; // an item's latest save: an older save's late answer is not shown
  function save(id, box, after) {
    clearTimeout(timers[id]);
    unsaved.add(id);
    guard();
    tell("busy", t("saving"), noteIn(box));
    timers[id] = setTimeout(() => put(id, box), after === undefined ? 500 : after);
  }
  async function put(id, box, keepalive) {
    clearTimeout(timers[id]);
    delete timers[id];
    const mine = (sent[id] = (sent[id] || 0) + 1);
    const data = await api("PUT", "api/week/items/" + id, collect(box), { keepalive });
    if (mine !== sent[id] || timers[id]) return; // typed again meanwhile: the next save tells
    if (!data.ok) { tell("bad", data.error, noteIn(box)); return; }
    unsaved.delete(id);
    guard();
    Object.assign(itemOf(id), data);
    const shown = document.getElementById("item-" + id) || box;
    renderErrors(shown, data.errors || {});
    shown.classList.toggle("todo", false);
    tell(Object.keys(data.errors || {}).length ? "bad" : "ok", t("saved"), noteIn(shown));
    count();
  }
  function noteIn(box) {
    return box.querySelector(":scope > .note") || box.appendChild(el("p", { class: "note", "aria-live": "polite" }));
  }
  function leaving() {
    keepForms();
    for (const id of [...unsaved]) {
      const box = document.getElementById("item-" + id);
      if (box) put(id, box, true); // a save still out may be cut off with the page: sent again
    }
  }
  window.addEventListener("pagehide", leaving);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") leaving(); });
  // Telegram asks before closing while something typed is not saved yet
  let formDirty = false;
  function guard() {
    if (!tg || !tg.enableClosingConfirmation) return;
    if (unsaved.size || formDirty) tg.enableClosingConfirmation();
    else tg.disableClosingConfirmation();
  }
  function renderErrors(box, errors) {
    for (const p of box.querySelectorAll(".err")) p.remove();
    for (const [field, text] of Object.entries(errors)) {
      const at = box.querySelector('[data-f="' + field + '"]');
      const p = el("p", { class: "err", text });
      (at ? at.closest("label, .statuses") : box).append(p);
    }
  }
  function count() {
    const done = week.items.filter((it) => it.missing.length === 0).length;
    heading(week.title, week.due + " · " + t("done_count", { done, total: week.items.length }));
  }
  function textField(box, it, field, label, kind) {
    const value = it.answer[field] || "";
    const input = kind === "date"
      ? el("input", { type: "date", value, "data-f": field, name: field + it.id })
      : el("textarea", { "data-f": field, name: field + it.id, rows: 2 }, value);
    input.addEventListener("input", () => save(it.id, box));
    input.addEventListener("change", () => save(it.id, box, LEFT));
    input.addEventListener("blur", () => { if (timers[it.id]) save(it.id, box, LEFT); });
    return el("label", { class: "field" }, el("span", { text: label }), input);
  }
  function itemBox(it) {
    const box = el("section", { class: "item", id: "item-" + it.id, "data-id": it.id });
    const st = it.answer.status;
    const choices = el("div", { class: "statuses", role: "radiogroup" });
    for (const s of week.statuses) {
      const input = el("input", { type: "radio", name: "st" + it.id, value: s.value, "data-f": "status", checked: st === s.value });
      input.addEventListener("change", () => { save(it.id, box); redraw(box, it); });
      choices.append(el("label", { class: st === s.value ? "on" : "" }, input, s.label));
    }
    box.append(
      el("h2", {}, el("a", { href: "#", onclick: (e) => { e.preventDefault(); showItem(it.id); }, text: it.code + " " + it.name })),
      el("p", { class: "meta", text: it.due }),
      ...itemMarks(it),
      el("p", { class: "last", text: t("last_line", { text: it.last }) }),
    );
    if (it.closing) return box; // its close-out was asked from the week: nothing to fill in
    box.append(choices, el("div", { class: "more" }));
    drawMore(box, it, st);
    return box;
  }
  // What the week says of a problem besides its answers: 逾期 with its days, or its close-out
  // asked from the week (申请销号中).
  function itemMarks(it) {
    const out = [];
    if (it.overdue) out.push(el("p", { class: "overdue", text: it.overdue }));
    if (it.closing) {
      out.push(el("p", { class: "closing", text: it.closing }));
      if (it.closing_note) out.push(el("p", { class: "meta", text: it.closing_note }));
    }
    return out;
  }
  // The statuses that must explain a delay (进度滞后; 按计划推进 too on an overdue problem).
  function explains(it, st) { return (it.delayed || ["late"]).includes(st); }
  function redraw(box, it) {
    const st = (collect(box).status) || "";
    for (const label of box.querySelectorAll(".statuses label")) label.classList.toggle("on", label.querySelector("input").checked);
    it.answer.status = st;
    drawMore(box, it, st);
  }
  function drawMore(box, it, st) {
    const more = box.querySelector(".more");
    more.replaceChildren();
    if (week.texted.includes(st) || st === "done") more.append(textField(box, it, "progress", t("progress") + (st === "done" ? t("optional") : "")));
    if (st === "done") {
      more.append(textField(box, it, "result", t("result")));
      more.append(evidenceField(it.answer.files, (f, i) => removeFile(it, f, i), (files) => uploadAll(it, files), it.id));
    }
    if (explains(it, st)) {
      if (st !== "late" && it.delay_note) more.append(el("p", { class: "overdue", text: it.delay_note }));
      more.append(textField(box, it, "reason", t("reason")), textField(box, it, "planned", t("planned"), "date"));
    }
  }
  // ----- evidence: the same picker in the week and the close-out -----
  let fileLimit = 20 * 1024 * 1024; // the server's, told on opening
  const PHOTO_SIDE = 2560, PHOTO_GOAL = 1.5 * 1024 * 1024;
  // files: [{name, media}]; remove(file, index); add(files); key: which item's
  function evidenceField(files, remove, add, key) {
    const list = el("ul", { class: "files" });
    files.forEach((f, i) => list.append(el("li", {}, el("span", { class: "fname", text: (f.media === "photo" ? "🖼 " : "📎 ") + f.name }),
      el("button", { type: "button", class: "remove", onclick: async (e) => {
        if (await ask(t("remove_ask", { name: f.name }))) remove(f, i, e.currentTarget);
      }, text: t("remove") }))));
    const pick = el("input", { type: "file", name: "evidence", multiple: true, accept: "image/*,application/pdf,.doc,.docx,.xls,.xlsx", "data-upload": key });
    pick.addEventListener("change", () => { const chosen = Array.from(pick.files || []); pick.value = ""; if (chosen.length) add(chosen); });
    return el("div", { class: "field evidence", "data-field": "evidence", "data-evidence": key }, el("span", { text: t("evidence") }), list,
      el("label", { class: "upload" }, "＋ " + t("add_file"), pick),
      el("progress", { max: 1, value: 0, hidden: true }), el("p", { class: "note", "aria-live": "polite" }));
  }
  function evidenceAt(key) { return document.querySelector('[data-evidence="' + key + '"]'); }
  function sizeText(bytes) { return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB"; }
  // A photo made for the network (long side at most 2560 px, JPEG, at most 1.5 MB when it can
  // be); anything else as it is. { file } to send, or { error } over the server's limit.
  async function fitted(file, key) {
    let out = file;
    if (/^image\/(jpeg|png|webp)$/.test(file.type)) {
      tell("busy", t("shrinking", { name: file.name }), noteAt(key));
      out = (await shrunk(file)) || file;
    }
    if (out.size > fileLimit) return { error: t("file_too_big", { name: file.name, size: sizeText(out.size), limit: sizeText(fileLimit) }) };
    return { file: out };
  }
  function noteAt(key) { const at = evidenceAt(key); return at && at.querySelector(".note"); }
  async function shrunk(file) {
    let image;
    try { image = await createImageBitmap(file); } catch (e) { return null; } // not one the phone can read
    const scale = Math.min(1, PHOTO_SIDE / Math.max(image.width, image.height));
    if (scale === 1 && file.size <= PHOTO_GOAL) return null;
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(image.width * scale);
    canvas.height = Math.round(image.height * scale);
    const pen = canvas.getContext("2d");
    pen.fillStyle = "#fff"; // a PNG's transparency on white, as JPEG has none
    pen.fillRect(0, 0, canvas.width, canvas.height);
    pen.drawImage(image, 0, 0, canvas.width, canvas.height);
    let blob = null;
    for (const quality of [0.85, 0.75, 0.65, 0.5, 0.35]) {
      blob = await new Promise((done) => canvas.toBlob(done, "image/jpeg", quality));
      if (blob && blob.size <= PHOTO_GOAL) break;
    }
    if (!blob || blob.size >= file.size) return null;
    return new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg", lastModified: file.lastModified });
  }
  function progressAt(key, fraction) {
    const at = evidenceAt(key);
    const bar = at && at.querySelector("progress");
    if (!bar) return;
    bar.hidden = fraction === null;
    bar.value = fraction || 0;
  }
  async function writeAccess() {
    if (tg && tg.initDataUnsafe && tg.initDataUnsafe.user && !tg.initDataUnsafe.user.allows_write_to_pm && tg.requestWriteAccess) {
      await new Promise((ok) => tg.requestWriteAccess(ok));
    }
  }
  // where the phone is, sent with the evidence when the person allows it (Telegram asks them
  // once); nothing when the client has no LocationManager, it is refused, or it takes too long
  function whereNow() {
    const lm = tg && tg.LocationManager;
    if (!lm || !lm.init) return Promise.resolve(null);
    const asked = new Promise((done) => {
      const get = () => {
        if (!lm.isLocationAvailable) { done(null); return; }
        lm.getLocation((at) => done(at ? { latitude: at.latitude, longitude: at.longitude, accuracy: at.horizontal_accuracy } : null));
      };
      if (lm.isInited) get(); else lm.init(get);
    });
    return Promise.race([asked, new Promise((done) => setTimeout(() => done(null), 30000))]);
  }
  async function withWhere(form) {
    const at = await whereNow();
    if (at) for (const [k, v] of Object.entries(at)) if (v !== null && v !== undefined) form.append(k, String(v));
    return form;
  }
  async function uploadAll(it, files) {
    await writeAccess();
    for (const file of files) await uploadOne(it, file);
  }
  async function uploadOne(it, file) {
    const key = "upload:" + it.id + ":" + file.name + ":" + file.size + ":" + file.lastModified;
    const picker = () => evidenceAt(it.id) && evidenceAt(it.id).querySelector(".upload");
    const data = await once(key, picker(), async (action) => {
      const ready = await fitted(file, it.id);
      if (ready.error) return { ok: false, status: 413, error: ready.error }; // nothing sent
      const form = new FormData();
      form.append("file", ready.file, ready.file.name);
      await withWhere(form);
      tell("busy", t("uploading", { name: ready.file.name }), noteAt(it.id));
      progressAt(it.id, 0);
      const answer = await sendForm("api/week/items/" + it.id + "/files", form, action, (f) => progressAt(it.id, f));
      progressAt(it.id, null);
      return answer;
    });
    if (!data) return;
    if (!data.ok) { tell("bad", data.error, noteAt(it.id), true); return; }
    Object.assign(it, data);
    replaceItem(it);
    tell("ok", t("uploaded", { name: file.name }), noteAt(it.id), true);
  }
  async function removeFile(it, f, index, control) {
    const data = await once("remove:" + it.id + ":" + index + ":" + f.name, control, (action) =>
      api("DELETE", "api/week/items/" + it.id + "/files/" + index, undefined, { action }));
    if (!data) return;
    if (!data.ok) { tell("bad", data.error, noteAt(it.id), true); return; }
    Object.assign(it, data);
    replaceItem(it);
    tell("ok", t("removed", { name: f.name }), noteAt(it.id));
  }
  function replaceItem(it) {
    const old = document.getElementById("item-" + it.id);
    if (old) old.replaceWith(itemBox(it));
    count();
  }
  // A long list drawn a slice at a time (a unit may have 1,000 open problems): the next slice
  // as its end comes near on scrolling, or when 显示更多 is tapped. What is drawn stays drawn,
  // so nothing typed is lost; answers not drawn are in the draft already.
  const SLICE = 50;
  let drawnItems = SLICE; // how much of the week is drawn, kept across its redraws
  function sliced(list, draw, shown, grown) {
    let n = Math.min(Math.max(shown, SLICE), list.length);
    const more = el("button", { type: "button", class: "link more", id: "more" });
    const left = () => { more.textContent = t("more_items", { left: list.length - n }); };
    const seen = "IntersectionObserver" in window
      ? new IntersectionObserver((es) => { if (es.some((e) => e.isIntersecting)) grow(); }, { rootMargin: "600px" })
      : null;
    function grow() {
      const next = Math.min(n + SLICE, list.length);
      more.before(...list.slice(n, next).map(draw));
      n = next;
      grown(n);
      if (n >= list.length) { more.remove(); if (seen) seen.disconnect(); } else left();
    }
    more.addEventListener("click", grow);
    const out = list.slice(0, n).map(draw);
    if (n < list.length) { left(); out.push(more); if (seen) seen.observe(more); }
    return out;
  }
  // The week drawn down to the problem `id` at least (a problem to show must be on the page).
  function drawWeek(id) {
    count();
    const at = id === undefined ? -1 : week.items.findIndex((it) => it.id === id);
    drawnItems = Math.max(drawnItems, at + 1);
    main.replaceChildren(...sliced(week.items, itemBox, drawnItems, (n) => { drawnItems = n; }),
      el("p", {}, el("button", { type: "button", class: "link", id: "new-problem", onclick: () => showNew(() => drawWeek()), text: "＋ " + t("new") })),
      el("p", {}, el("button", { type: "button", class: "link", id: "leave-open", onclick: () => showLeave(() => drawWeek()), text: "🗓 " + t("leave_open") })));
    buttons({ label: t("preview"), run: preview }, null);
  }
  // The preview: the whole week's answers in one call, which checks and saves them and
  // answers with each problem as it will be saved.
  async function preview() {
    for (const id of Object.keys(timers)) { clearTimeout(timers[id]); delete timers[id]; }
    const items = {};
    for (const box of main.querySelectorAll("section.item")) {
      if (box.querySelector("[data-f]")) items[box.dataset.id] = collect(box);
    }
    const data = await once("preview", footGo, () => {
      tell("busy", t("saving"), footNote());
      return api("POST", "api/week/preview", { items });
    });
    if (!data) return;
    if (!data.ok) { tell("bad", data.error, footNote(), true); return; }
    unsaved.clear(); // every answer on screen is saved now
    guard();
    tell("", "", footNote());
    for (const it of data.items) Object.assign(itemOf(it.id), it);
    if (!data.ready) return showTodo(data.items);
    status("");
    drawPreview(data.items);
  }
  function showTodo(items) {
    const todo = items.filter((it) => it.missing.length || Object.keys(it.errors || {}).length);
    drawWeek(todo[0].id);
    for (const it of todo) {
      const box = document.getElementById("item-" + it.id);
      if (!box) continue; // not drawn yet: marked when it is (its answers say what it lacks)
      box.classList.add("todo");
      renderErrors(box, it.errors || {});
      if (it.missing.length) box.append(el("p", { class: "err", text: it.missing.join("；") }));
    }
    document.getElementById("item-" + todo[0].id).scrollIntoView();
    status(t("done_count", { done: items.length - todo.length, total: items.length }));
  }
  function previewCard(it) {
    const rows = el("dl", { class: "rows" });
    for (const r of it.rows) rows.append(el("dt", { text: r.label }), el("dd", { text: r.value }));
    const files = it.answer.files.length
      ? el("ul", { class: "files" }, ...it.answer.files.map((f) => el("li", { text: (f.media === "photo" ? "🖼 " : "📎 ") + f.name })))
      : null;
    const edit = () => backToItem(it.id);
    return el("section", { class: "item preview", id: "preview-" + it.id, "data-id": it.id },
      el("h2", {}, el("a", { href: "#item-" + it.id, onclick: (e) => { e.preventDefault(); edit(); }, text: it.code + " " + it.name })),
      ...itemMarks(it), rows, files,
      it.closing ? null : el("button", { type: "button", class: "link edit", onclick: edit, text: t("preview_edit") }));
  }
  function drawPreview(items) {
    heading(week.title, t("preview_title"));
    main.replaceChildren(el("div", { id: "preview" }, ...sliced(items, previewCard, SLICE, () => {})));
    window.scrollTo(0, 0);
    buttons({ label: t("submit"), run: submit }, { label: t("back"), run: drawWeek });
  }
  // A tap on a problem in the preview: back to it in the week, ready to change.
  function backToItem(id) {
    drawWeek(id);
    const box = document.getElementById("item-" + id);
    if (!box) return;
    box.scrollIntoView({ block: "start" });
    const field = box.querySelector("input:checked, textarea, input");
    if (field) field.focus({ preventScroll: true });
  }
  async function submit() {
    const data = await once("submit", footGo, (action) => {
      tell("busy", t("sending"), footNote());
      return api("POST", "api/week/submit", undefined, { action });
    });
    if (!data) return;
    if (!data.ok) {
      if (data.missing) { await openWeek(); tell("bad", data.error, footNote(), true); return; }
      if (data.status === 0) { tell("bad", data.error, footNote(), true); return; } // nothing answered: tap again
      refused(data);
      return;
    }
    unsaved.clear(); // submitted: nothing is left to send as the page closes
    guard();
    said(data, t("submitted"));
    if (tg) tg.MainButton.hide();
  }
  async function openWeek(opened) {
    const data = opened || await api("GET", "api/week");
    if (!data.ok) return refused(data);
    week = data;
    drawWeek();
  }

  // ----- a new problem -----
  async function showNew(backTo, opened) {
    const data = opened || await api("GET", "api/new");
    if (!data.ok) return refused(data);
    heading(data.title, "");
    const form = el("form", { id: "new-form", onsubmit: (e) => e.preventDefault() });
    for (const f of data.fields) {
      let input;
      if (f.kind === "choice") {
        input = el("select", { name: f.field }, el("option", { value: "", text: t("choose") }),
          ...f.options.map((o) => el("option", { value: o.value, text: o.label })));
      } else if (f.kind === "date") input = el("input", { type: "date", name: f.field });
      else if (f.kind === "number") input = el("input", { type: "number", name: f.field, inputmode: "numeric" });
      else input = el("textarea", { name: f.field, rows: 2 });
      form.append(el("label", { class: "field", "data-field": f.field },
        el("span", { text: f.label + (f.optional ? t("optional") : "") }), input));
    }
    main.replaceChildren(form);
    window.scrollTo(0, 0);
    drafted("new", form);
    buttons({ label: t("add"), run: async (control) => {
      const res = await once("new", control, (action) => {
        tell("busy", t("sending"), footNote());
        return api("POST", "api/new", Object.fromEntries(new FormData(form).entries()), { action });
      });
      if (res && answered(form, res, data.title)) forget("new");
    } }, backTo ? { label: t("back"), run: backTo } : null);
  }

  // ----- 请假: the days and who covers, recorded (and ended early) as /leave does -----
  async function showLeave(backTo) {
    const data = await api("GET", "api/leave");
    if (!data.ok) return refused(data);
    heading(data.title, data.unit);
    const field = (name, label, input) => el("label", { class: "field", "data-field": name }, el("span", { text: label }), input);
    const day = (name) => el("input", { type: "date", name, min: data.today, value: data.today });
    const form = el("form", { id: "leave-form", onsubmit: (e) => e.preventDefault() },
      field("first", t("leave_first"), day("first")),
      field("last", t("leave_last"), day("last")),
      field("deputy", t("leave_deputy"), el("select", { name: "deputy" },
        ...data.deputies.map((o) => el("option", { value: o.value, text: o.label })))));
    const current = data.current.map((c) => {
      const end = el("button", { type: "button", class: "link leave-end", "data-id": c.id, text: t("leave_end"), onclick: async () => {
        const res = await once("leave-end-" + c.id, end, (action) => api("POST", "api/leave/end", { id: c.id }, { action }));
        if (res) answered(form, res, data.title);
      } });
      return el("section", { class: "item leave-current" }, el("p", { text: c.text }), end);
    });
    main.replaceChildren(...current, form);
    window.scrollTo(0, 0);
    buttons({ label: t("leave_save"), run: async (control) => {
      const res = await once("leave", control, (action) => {
        tell("busy", t("sending"), footNote());
        return api("POST", "api/leave", Object.fromEntries(new FormData(form).entries()), { action });
      });
      if (res) answered(form, res, data.title);
    } }, backTo ? { label: t("back"), run: backTo } : null);
  }

  // A form's answer: each field's refusal under it (422, the first scrolled to), a refusal of
  // the call, or what was said; whether it was done.
  function answered(form, res, title) {
    for (const p of form.querySelectorAll(".err")) p.remove();
    if (res.status === 422) {
      let first = null;
      for (const [field, text] of Object.entries(res.errors || {})) {
        const at = form.querySelector('[data-field="' + field + '"]');
        if (at) { at.append(el("p", { class: "err", text })); first = first || at; }
      }
      tell("bad", res.error, footNote(), true);
      if (first) {
        first.scrollIntoView({ block: "center" });
        const input = first.querySelector("input:not([type=file]), textarea, select");
        if (input) input.focus({ preventScroll: true });
      }
      return false;
    }
    if (res.status === 0) { tell("bad", res.error, footNote(), true); return false; } // tap again
    if (!res.ok) { refused(res); return false; }
    said(res, title);
    return true;
  }

  // ----- drafts of the new problem and the close-out: kept on this phone, per person -----
  // (the server's drafts are one flow per chat, the week's; these forms must not displace it)
  let kept = null; // the form on screen whose draft is kept: { name, form }
  function draftKey(name) {
    let user = "";
    try { user = JSON.parse(new URLSearchParams(initData).get("user")).id; } catch (e) { /* none */ }
    return "taizhang.draft." + user + "." + name;
  }
  function drafted(name, form) {
    kept = { name, form };
    let old = null;
    try { old = JSON.parse(localStorage.getItem(draftKey(name)) || "null"); } catch (e) { /* none */ }
    if (old) {
      for (const [field, value] of Object.entries(old)) if (form.elements[field] && form.elements[field].type !== "file") form.elements[field].value = value;
      formDirty = true;
      guard();
    }
    const keep = () => keepForms();
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    form.addEventListener("focusout", keep);
  }
  function keepForms() {
    if (!kept || !kept.form.isConnected) return;
    const values = {};
    for (const [field, value] of new FormData(kept.form).entries()) if (typeof value === "string" && value) values[field] = value;
    formDirty = Object.keys(values).length > 0;
    try {
      if (formDirty) localStorage.setItem(draftKey(kept.name), JSON.stringify(values));
      else localStorage.removeItem(draftKey(kept.name));
    } catch (e) { /* storage full or off: the form still works */ }
    guard();
  }
  function forget(name) {
    try { localStorage.removeItem(draftKey(name)); } catch (e) { /* none */ }
    kept = null;
    formDirty = false;
    guard();
  }

  // ----- one problem, and its close-out -----
  async function showItem(id, backTo, opened) {
    const data = opened || await api("GET", "api/items/" + id);
    if (!data.ok) return refused(data);
    heading(data.title, "");
    const card = el("div", { class: "said", text: data.card });
    const nodes = [card];
    let action = null;
    if (data.closable) {
      const form = el("form", { id: "close-form", onsubmit: (e) => e.preventDefault() },
        el("label", { class: "field", "data-field": "result" }, el("span", { text: t("result") }), el("textarea", { name: "result", rows: 3 })));
      const chosen = []; // the evidence, made for the network as it is chosen, sent with the form
      let preparing = Promise.resolve(); // files still being made smaller: the send waits for them
      const key = "close-" + id;
      const drawFiles = () => {
        const shown = chosen.map((f) => ({ name: f.name, media: f.type.startsWith("image/") ? "photo" : "document" }));
        const field = evidenceField(shown, (f, i) => { chosen.splice(i, 1); drawFiles(); }, (files) => {
          preparing = preparing.then(async () => {
            const refusals = [];
            for (const file of files) {
              const ready = await fitted(file, key);
              if (ready.error) refusals.push(ready.error); else chosen.push(ready.file);
            }
            drawFiles();
            if (refusals.length) tell("bad", refusals.join("\n"), noteAt(key), true);
            else tell("", "", noteAt(key));
          });
        }, key);
        const old = evidenceAt(key);
        if (old) old.replaceWith(field); else form.append(field);
      };
      drawFiles();
      drafted(key, form);
      nodes.push(form);
      action = { label: t("ask_close"), run: async (control) => {
        await writeAccess();
        const res = await once("close:" + id, control, async (action_) => {
          await preparing;
          const body = new FormData();
          body.append("result", form.result.value);
          for (const f of chosen) body.append("file", f, f.name);
          await withWhere(body);
          tell("busy", chosen.length ? t("uploading", { name: chosen.map((f) => f.name).join("、") }) : t("sending"), footNote());
          progressAt(key, chosen.length ? 0 : null);
          return sendForm("api/items/" + id + "/closeout", body, action_, (f) => progressAt(key, f))
            .finally(() => progressAt(key, null));
        });
        if (!res) return;
        if (res.ok) forget(key);
        if (res.ok && week && backTo !== null) return closedFromWeek(id, res);
        answered(form, res, data.title);
      } };
    } else if (data.why_not) nodes.push(el("p", { class: "error", text: data.why_not }));
    main.replaceChildren(...nodes);
    window.scrollTo(0, 0);
    buttons(action, week ? { label: t("back_week"), run: backTo || drawWeek } : null);
  }
  // The close-out asked from the week: back to the week, the problem shown as 申请销号中.
  async function closedFromWeek(id, res) {
    await openWeek();
    const box = document.getElementById("item-" + id);
    if (box) box.scrollIntoView({ block: "start" });
    tell("ok", (res.said || []).join(" "), null, true);
  }

  function telegram() {
    const app = window.Telegram && window.Telegram.WebApp;
    if (!app || !app.initData) return; // a browser outside Telegram: the page's own buttons
    tg = app;
    document.body.classList.add("tg");
    tg.ready();
    tg.expand();
    theme(tg.themeParams, tg.colorScheme);
    tg.onEvent("themeChanged", () => theme(tg.themeParams, tg.colorScheme));
    tg.MainButton.onClick(() => go && go.run(footGo)); // pending shown on Telegram's button
    tg.BackButton.onClick(() => back && back.run());
    buttons(go, back);
  }
  window.addEventListener("load", () => {
    const script = document.createElement("script");
    script.src = "https://telegram.org/js/telegram-web-app.js";
    script.onload = telegram;
    document.head.append(script);
  });

  // the supervisors' board is a script of its own, loaded only for them (board.js)
  window.taizhang = { api, el, t, heading, buttons, status, tell, once, ask, refused, said, main, BASE, initData, link, telegram: () => tg };
  function board() {
    const script = el("script", { src: BASE + "board.js" });
    document.head.append(script);
  }

  (async function start() {
    // sent by the page's first lines while this script loaded (index.html); without initData
    // the server says why
    const opened = took(await (window.taizhangOpening || api("GET", "api/open")));
    if (!opened.ok) return refused(opened);
    if (opened.file_limit) fileLimit = opened.file_limit;
    if (opened.page === "board") return board();
    const content = opened.content; // the page's own first answer, brought by this call
    if (opened.page === "new") return showNew(null, content);
    if (opened.page === "item") return showItem(opened.item, null, content);
    return openWeek(content);
  })();
})();
