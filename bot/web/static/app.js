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

  function theme(params) {
    for (const [k, v] of Object.entries(params || {})) {
      document.documentElement.style.setProperty("--tg-theme-" + k.replace(/_/g, "-"), v);
    }
  }
  try { theme(JSON.parse(launch.get("tgWebAppThemeParams") || "{}")); } catch (e) { /* none */ }

  function t(key, params) {
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
  function status(text) { document.getElementById("status").textContent = text || ""; }
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
  footGo.addEventListener("click", () => go && go.run());
  footBack.addEventListener("click", () => back && back.run());

  async function api(method, path, body) {
    const headers = { Authorization: "tma " + initData };
    if (link) headers["X-Taizhang-Link"] = link;
    const init = { method, headers };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    let res, data;
    try {
      res = await fetch(BASE + path, init);
      data = await res.json();
    } catch (e) {
      data = { ok: false, error: String(e) };
    }
    if (data.texts) T = data.texts;
    data.status = res ? res.status : 0;
    return data;
  }
  function refused(data) {
    heading(data.error ? "⚠️" : "", "");
    main.replaceChildren(el("p", { class: "error", id: "refusal", text: data.error || String(data.status) }));
    buttons(null, null);
  }
  function said(data, title) {
    heading(title, "");
    main.replaceChildren(el("div", { class: "said", id: "said", text: (data.said || []).join("\n\n") }));
    buttons(null, null);
    if (tg) tg.HapticFeedback && tg.HapticFeedback.notificationOccurred("success");
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
  function save(id, box) {
    clearTimeout(timers[id]);
    status(t("saving"));
    timers[id] = setTimeout(async () => {
      const data = await api("PUT", "api/week/items/" + id, collect(box));
      if (!data.ok) { status(data.error); return; }
      Object.assign(itemOf(id), data);
      renderErrors(box, data.errors || {});
      box.classList.toggle("todo", false);
      status(t("saved"));
      count();
    }, 500);
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
    input.addEventListener("change", () => save(it.id, box));
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
      el("p", { class: "last", text: t("last") + "：" + it.last }),
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
      const files = el("ul", { class: "files" });
      it.answer.files.forEach((f, i) => files.append(el("li", {}, (f.media === "photo" ? "🖼 " : "📎 ") + f.name,
        el("button", { type: "button", onclick: () => removeFile(it, i), text: t("remove") }))));
      const pick = el("input", { type: "file", accept: "image/*,application/pdf,.doc,.docx,.xls,.xlsx", "data-upload": it.id });
      pick.addEventListener("change", () => upload(it, pick));
      more.append(el("div", { class: "field" }, el("span", { text: t("evidence") }), files,
        el("label", { class: "upload" }, "＋ " + t("add_file"), pick)));
    }
    if (explains(it, st)) {
      if (st !== "late" && it.delay_note) more.append(el("p", { class: "overdue", text: it.delay_note }));
      more.append(textField(box, it, "reason", t("reason")), textField(box, it, "planned", t("planned"), "date"));
    }
  }
  async function upload(it, pick) {
    const file = pick.files && pick.files[0];
    if (!file) return;
    if (tg && tg.initDataUnsafe && tg.initDataUnsafe.user && !tg.initDataUnsafe.user.allows_write_to_pm && tg.requestWriteAccess) {
      await new Promise((ok) => tg.requestWriteAccess(ok));
    }
    const form = new FormData();
    form.append("file", file, file.name);
    status(t("saving"));
    const data = await api("POST", "api/week/items/" + it.id + "/files", form);
    if (!data.ok) { status(data.error); return; }
    Object.assign(it, data);
    status(t("saved"));
    replaceItem(it);
  }
  async function removeFile(it, index) {
    const data = await api("DELETE", "api/week/items/" + it.id + "/files/" + index);
    if (!data.ok) { status(data.error); return; }
    Object.assign(it, data);
    replaceItem(it);
  }
  function replaceItem(it) {
    const old = document.getElementById("item-" + it.id);
    if (old) old.replaceWith(itemBox(it));
    count();
  }
  function drawWeek() {
    count();
    main.replaceChildren(...week.items.map(itemBox),
      el("p", {}, el("button", { type: "button", class: "link", id: "new-problem", onclick: () => showNew(drawWeek), text: "＋ " + t("new") })));
    buttons({ label: t("preview"), run: preview }, null);
  }
  // The preview: the whole week's answers in one call, which checks and saves them and
  // answers with each problem as it will be saved.
  async function preview() {
    for (const id of Object.keys(timers)) clearTimeout(timers[id]);
    const items = {};
    for (const box of main.querySelectorAll("section.item")) {
      if (box.querySelector("[data-f]")) items[box.dataset.id] = collect(box);
    }
    status(t("saving"));
    const data = await api("POST", "api/week/preview", { items });
    if (!data.ok) { status(data.error); return; }
    for (const it of data.items) Object.assign(itemOf(it.id), it);
    if (!data.ready) return showTodo(data.items);
    status("");
    drawPreview(data.items);
  }
  function showTodo(items) {
    const todo = items.filter((it) => it.missing.length || Object.keys(it.errors || {}).length);
    drawWeek();
    for (const it of todo) {
      const box = document.getElementById("item-" + it.id);
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
    main.replaceChildren(el("div", { id: "preview" }, ...items.map(previewCard)));
    window.scrollTo(0, 0);
    buttons({ label: t("submit"), run: submit }, { label: t("back"), run: drawWeek });
  }
  // A tap on a problem in the preview: back to it in the week, ready to change.
  function backToItem(id) {
    drawWeek();
    const box = document.getElementById("item-" + id);
    if (!box) return;
    box.scrollIntoView({ block: "start" });
    const field = box.querySelector("input:checked, textarea, input");
    if (field) field.focus({ preventScroll: true });
  }
  async function submit() {
    buttons(null, null);
    status(t("saving"));
    const data = await api("POST", "api/week/submit");
    status("");
    if (!data.ok) {
      if (data.missing) { await openWeek(); status(data.error); return; }
      refused(data);
      return;
    }
    said(data, t("submitted"));
    if (tg) tg.MainButton.hide();
  }
  async function openWeek() {
    const data = await api("GET", "api/week");
    if (!data.ok) return refused(data);
    week = data;
    drawWeek();
  }

  // ----- a new problem -----
  async function showNew(backTo) {
    const data = await api("GET", "api/new");
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
    buttons({ label: t("add"), run: async () => {
      const values = Object.fromEntries(new FormData(form).entries());
      answered(form, await api("POST", "api/new", values), data.title);
    } }, backTo ? { label: t("back"), run: backTo } : null);
  }

  // A form's answer: each field's refusal under it (422), a refusal of the call, or what was said.
  function answered(form, res, title) {
    for (const p of form.querySelectorAll(".err")) p.remove();
    if (res.status === 422) {
      for (const [field, text] of Object.entries(res.errors || {})) {
        const at = form.querySelector('[data-field="' + field + '"]');
        if (at) at.append(el("p", { class: "err", text }));
      }
      status(res.error);
      return;
    }
    if (!res.ok) return refused(res);
    said(res, title);
  }

  // ----- one problem, and its close-out -----
  async function showItem(id, backTo) {
    const data = await api("GET", "api/items/" + id);
    if (!data.ok) return refused(data);
    heading(data.title, "");
    const card = el("div", { class: "said", text: data.card });
    const nodes = [card];
    let action = null;
    if (data.closable) {
      const form = el("form", { id: "close-form", onsubmit: (e) => e.preventDefault() },
        el("label", { class: "field", "data-field": "result" }, el("span", { text: t("result") }), el("textarea", { name: "result", rows: 3 })),
        el("label", { class: "field", "data-field": "evidence" }, el("span", { text: t("evidence") }),
          el("input", { type: "file", name: "evidence", multiple: true, accept: "image/*,application/pdf,.doc,.docx,.xls,.xlsx" })));
      nodes.push(form);
      action = { label: t("ask_close"), run: async () => {
        const body = new FormData();
        body.append("result", form.result.value);
        for (const f of form.evidence.files) body.append("file", f, f.name);
        const res = await api("POST", "api/items/" + id + "/closeout", body);
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
    status((res.said || []).join(" "));
    if (tg && tg.HapticFeedback) tg.HapticFeedback.notificationOccurred("success");
  }

  function telegram() {
    const app = window.Telegram && window.Telegram.WebApp;
    if (!app || !app.initData) return; // a browser outside Telegram: the page's own buttons
    tg = app;
    document.body.classList.add("tg");
    tg.ready();
    tg.expand();
    theme(tg.themeParams);
    tg.onEvent("themeChanged", () => theme(tg.themeParams));
    tg.MainButton.onClick(() => go && go.run());
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
  window.taizhang = { api, el, t, heading, buttons, status, refused, said, main, BASE, initData, link, telegram: () => tg };
  function board() {
    const script = el("script", { src: BASE + "board.js" });
    document.head.append(script);
  }

  (async function start() {
    const opened = await api("GET", "api/open"); // without initData the server says why
    if (!opened.ok) return refused(opened);
    if (opened.page === "board") return board();
    if (opened.page === "new") return showNew(null);
    if (opened.page === "item") return showItem(opened.item, null);
    return openWeek();
  })();
})();
