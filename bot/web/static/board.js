// The supervisors' board (督办看板): a thin client of the bot's own API, like the form. The
// units come sorted by the server (those behind first); every decision is the server's, made
// by the same code as the chat's buttons. Pictures and files are fetched with the initData
// header and shown from blob: URLs, so nothing needs a cookie or a token in a URL.
"use strict";
(function () {
  const { api, el, t, heading, buttons, status, refused, main, BASE, initData, link, telegram } = window.taizhang;
  document.body.classList.add("board");
  const style = new Promise((ok) => document.head.append(
    el("link", { rel: "stylesheet", href: BASE + "board.css", onload: ok, onerror: ok })));
  let board = null;

  async function blob(path) {
    const headers = { Authorization: "tma " + initData };
    if (link) headers["X-Taizhang-Link"] = link;
    const res = await fetch(BASE + path, { headers });
    if (!res.ok) {
      let error = String(res.status);
      try { error = (await res.json()).error || error; } catch (e) { /* not JSON */ }
      throw new Error(error);
    }
    return res.blob();
  }
  async function picture(path, alt) {
    const img = el("img", { alt, class: "picture" });
    blob(path).then((b) => { img.src = URL.createObjectURL(b); }, (e) => status(e.message));
    return img;
  }
  async function download(path, name, ticket) {
    const tg = telegram();
    if (tg && tg.downloadFile && ticket && tg.isVersionAtLeast && tg.isVersionAtLeast("8.0")) {
      // Telegram's client saves the file itself: it fetches a URL, without our headers
      tg.downloadFile({ url: new URL(BASE + ticket, location.href).href, file_name: name });
      return;
    }
    status("…");
    try {
      const url = URL.createObjectURL(await blob(path));
      const a = el("a", { href: url, download: name });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      status("");
    } catch (e) { status(e.message); }
  }
  function section(id, title, ...kids) {
    return el("section", { class: "panel", id }, el("h2", { text: title }), ...kids);
  }
  // ----- the board at a glance: the figures on top, the units (found, sorted), the charts -----
  // Every colour is said in words too (红·滞后, 逾期, 未报送): never colour alone.
  function darkness() {
    // Telegram's theme gives no green or yellow: the page picks shades that read on its bg
    const rgb = (getComputedStyle(document.body).backgroundColor.match(/\d+/g) || [255, 255, 255]).map(Number);
    document.body.classList.toggle("dark", 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] < 128);
  }
  function tile(id, label, value, extra, tone) {
    return el("div", { class: "tile" + (tone ? " " + tone : ""), id },
      el("span", { class: "label", text: label }), el("strong", { text: String(value) }),
      extra ? el("span", { class: "extra", text: extra }) : null);
  }
  function figures() {
    const f = board.figures, w = f.weekly;
    const tiles = [
      tile("fig-problems", t("g_problems"), f.problems, f.closing ? t("g_closing", { count: f.closing }) : ""),
      tile("fig-closed", t("g_closed"), f.closed, t("g_rate") + " " + f.rate),
      tile("fig-overdue", t("g_overdue"), f.overdue, "", f.overdue ? "red" : ""),
    ];
    if (w.name) {
      const notIn = w.passed ? t("g_not_in") : t("g_not_yet");
      tiles.push(el("div", { class: "tile wide" + (w.passed && w.not_in ? " red" : w.not_in ? " yellow" : ""), id: "fig-weekly" },
        el("span", { class: "label", text: t("g_weekly", { name: w.name }) }),
        el("span", { class: "counts" },
          el("span", { id: "fig-on-time", text: t("g_on_time") + " " + w.on_time }),
          el("span", { id: "fig-late", text: t("g_late") + " " + w.late }),
          el("span", { id: "fig-not-in", class: w.not_in ? (w.passed ? "bad" : "watch") : "", text: notIn + " " + w.not_in })),
        el("span", { class: "extra", id: "fig-deadline", text: w.deadline })));
    }
    tiles.push(el("div", { class: "tile wide" + (f.cases_overdue ? " red" : ""), id: "fig-cases" },
      el("span", { class: "label", text: t("g_cases") }),
      el("span", { class: "counts" },
        el("span", { text: t("g_cases_open") + " " + f.cases_open }),
        el("span", { class: f.cases_overdue ? "bad" : "", text: t("g_cases_overdue") + " " + f.cases_overdue }))));
    return el("section", { class: "panel", id: "figures" }, el("h2", { class: "sr", text: t("g_figures") }),
      el("div", { class: "tiles" }, ...tiles));
  }
  function unitCard(u) {
    const said = (cls, text) => el("span", { class: cls, text });
    const problems = [u.total ? t("b_problems", { ...u, count: u.total }) + (u.closing ? t("b_closing", { count: u.closing }) : "") : t("b_no_items")];
    // the card's lines say the week's report, the problems and the cases overdue: only what
    // falls due soon is added, so no reason is said twice
    const said_already = ["report_due", "report_missing", "problems_overdue", "cases_overdue"];
    const counts = { problems_due_soon: u.due_soon, cases_due_today: u.cases_today };
    const why = u.reasons.filter((k) => !said_already.includes(k))
      .map((k) => t("g_why_" + k, { count: counts[k], days: board.soon_days }));
    return el("a", { href: "#", class: "unit " + u.colour + (u.behind ? " behind" : ""), id: "unit-" + u.id,
      "data-weekly": u.weekly, "data-colour": u.colour, onclick: (e) => { e.preventDefault(); fromBoard(() => showUnit(u.id)); } },
      el("span", { class: "top" }, el("strong", { text: u.name }), said("badge " + u.colour, t("g_colour_" + u.colour))),
      said("", problems[0]),
      u.overdue ? said("bad", "⚠ " + t("g_overdue") + " " + u.overdue) : null,
      u.total ? said("", t("g_rate_of", { rate: u.rate })) : null,
      said(u.weekly === "missing" ? "bad" : u.weekly === "due" ? "watch" : "", t("b_weekly", { state: u.weekly_text })),
      u.cases_open ? said(u.cases_overdue ? "bad" : "", t("b_cases", { open: u.cases_open, overdue: u.cases_overdue }) + (u.case_days ? t("b_case_days", { count: u.case_days }) : "")) : null,
      why.length ? said("why " + u.colour, why.join(" · ")) : null,
      u.urged ? said("urged", u.urged) : null);
  }
  const WEEKLY_ORDER = { missing: 0, due: 1, late: 2 };
  const SORTS = {
    standing: () => 0, // the server's order: red, yellow, green, the most behind first
    overdue: (a, b) => b.overdue - a.overdue,
    rate: (a, b) => (!a.total) - (!b.total) || a.rate - b.rate,
    missing: (a, b) => (WEEKLY_ORDER[a.weekly] ?? 3) - (WEEKLY_ORDER[b.weekly] ?? 3),
  };
  const view = { find: "", sort: "standing" };
  function drawUnits(box) {
    const q = view.find.trim();
    const order = new Map(board.units.map((u, i) => [u.id, i]));
    const shown = board.units.filter((u) => !q || u.name.includes(q))
      .sort((a, b) => SORTS[view.sort](a, b) || order.get(a.id) - order.get(b.id));
    box.replaceChildren(...(shown.length ? shown.map(unitCard) : [el("p", { class: "meta", id: "no-match", text: t("g_no_match", { text: q }) })]));
  }
  function unitsPanel() {
    const box = el("div", { class: "units", id: "unit-list" });
    const find = el("input", { type: "search", id: "find", placeholder: t("g_find"), "aria-label": t("g_find"), value: view.find,
      oninput: () => { view.find = find.value; drawUnits(box); } });
    const sort = el("select", { id: "sort", "aria-label": t("g_sort"), onchange: () => { view.sort = sort.value; drawUnits(box); } },
      ...Object.keys(SORTS).map((k) => el("option", { value: k, selected: k === view.sort, text: t("g_sort_" + k) })));
    drawUnits(box);
    return section("units", t("b_units"), el("div", { class: "tools" }, find, sort), box);
  }
  function legend(...keys) {
    return el("p", { class: "legend" }, ...keys.map((k) => el("span", { class: "key " + k }, el("i", {}), t("g_legend_" + k))));
  }
  // sizes go through the CSSOM: the page's Content-Security-Policy refuses style attributes
  function sized(node, prop, value) { node.style.setProperty(prop, value); return node; }
  function charts() {
    const c = board.charts;
    const most = Math.max(1, ...c.problems.map((b) => b.overdue + b.open + b.closed));
    const problems = c.problems.length ? [
      legend("overdue", "open", "closed"),
      el("ul", { class: "bars", id: "chart-problems" }, ...c.problems.map((b) => {
        const total = b.overdue + b.open + b.closed;
        const part = (k) => b[k] ? sized(el("span", { class: "seg " + k, title: t("g_legend_" + k) + " " + b[k] }), "flex-grow", b[k]) : null;
        return el("li", { "data-unit": b.name },
          el("span", { class: "name", text: b.name }),
          el("span", { class: "track" }, sized(el("span", { class: "bar" }, part("overdue"), part("open"), part("closed")), "width", (100 * total / most) + "%")),
          el("span", { class: "nums", text: [b.overdue ? t("g_legend_overdue") + " " + b.overdue : "", b.open ? t("g_legend_open") + " " + b.open : "", b.closed ? t("g_legend_closed") + " " + b.closed : ""].filter(Boolean).join(" · ") }));
      })),
      c.left_out ? el("p", { class: "meta", text: t("g_left_out", { count: c.left_out }) }) : null,
    ] : [el("p", { class: "meta", id: "chart-empty", text: t("g_no_chart") })];
    const weeks = c.weeks.length && board.figures.weekly.name ? [
      el("h3", { text: t("g_chart_weeks", { name: board.figures.weekly.name }) }),
      el("ul", { class: "bars", id: "chart-weeks" }, ...c.weeks.map((w) => {
        const share = w.units ? Math.round(100 * w.on_time / w.units) : 0;
        return el("li", {},
          el("span", { class: "name", text: w.day + " · " + share + "%" }),
          el("span", { class: "track" }, el("span", { class: "bar" },
            w.on_time ? sized(el("span", { class: "seg closed" }), "flex-grow", w.on_time) : null,
            w.late ? sized(el("span", { class: "seg late" }), "flex-grow", w.late) : null,
            w.units - w.on_time - w.late > 0 ? sized(el("span", { class: "seg none" }), "flex-grow", w.units - w.on_time - w.late) : null)),
          el("span", { class: "nums", text: t("g_chart_week", w) }));
      })),
    ] : [];
    return section("charts", t("b_charts"), el("h3", { text: t("g_chart_problems") }), ...problems, ...weeks);
  }
  function closeoutRow(c) {
    return el("li", { class: "waiting request", id: "closeout-" + c.item },
      el("a", { href: "#", onclick: (e) => { e.preventDefault(); fromBoard(() => showItem(c.item)); }, text: c.unit + " · " + c.code + " " + c.name }),
      closeoutFacts(c), evidenceFlags(c.evidence_flags, "flags-" + c.item));
  }
  function evidenceFlags(flags, id) { // a file used for another problem before, an old photo
    if (!flags || !flags.length) return null;
    return el("ul", { class: "flags", id }, ...flags.map((text) => el("li", { class: "flag", text })));
  }
  // ----- decisions: the request cards, confirm once, a reason to refuse, the trace, 催办 -----
  // Each decision is sent under an id made once per intent (X-Action-Id): a second tap, or the
  // network's retry, is answered with the first answer and decides nothing again. The tapped
  // button waits, disabled, until the answer, which is shown where the tap was.
  function actionId(prefix) {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return prefix + "-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  async function decideCall(path, body, action) {
    const headers = { Authorization: "tma " + initData, "Content-Type": "application/json", "X-Action-Id": action };
    if (link) headers["X-Taizhang-Link"] = link;
    try {
      const res = await fetch(BASE + path, { method: "POST", headers, body: JSON.stringify(body) });
      const data = await res.json();
      data.status = res.status;
      return data;
    } catch (e) {
      return { ok: false, error: String(e), status: 0 };
    }
  }
  function haptic(ok) {
    const tg = telegram();
    if (tg && tg.HapticFeedback) tg.HapticFeedback.notificationOccurred(ok ? "success" : "error");
  }
  // what a tap sends, once: the button waits (disabled, marked) until the answer comes
  async function once(button, intent, path, body) {
    if (button.disabled) return null;
    const label = button.textContent;
    button.disabled = true;
    button.classList.add("pending");
    button.setAttribute("aria-busy", "true");
    button.textContent = t("d_pending");
    intent.action = intent.action || actionId(intent.prefix);
    const res = await decideCall(path, body, intent.action);
    if (res.status !== 0) intent.action = null; // answered: a new tap is a new intent
    button.disabled = false;
    button.classList.remove("pending");
    button.removeAttribute("aria-busy");
    button.textContent = label;
    haptic(res.ok);
    return res;
  }
  function facts(rows) {
    const dl = el("dl", { class: "facts" });
    for (const [label, value, cls] of rows) {
      if (!value) continue;
      dl.append(el("dt", { text: label }), el("dd", { class: cls || "", text: value }));
    }
    return dl;
  }
  function trace(list, id) {
    const box = el("div", { class: "trace", id });
    box.append(el("h3", { text: t("d_decisions") }));
    if (!list.length) box.append(el("p", { class: "meta", text: t("d_no_decisions") }));
    else box.append(el("ul", { class: "list decisions" }, ...list.map((d) => el("li", { class: "decision " + d.what.replace(".", "-"), text: d.text }))));
    return box;
  }
  // the answer shown where the tap was: what was done, or why not (a field's error under it)
  function outcome(at, res) {
    for (const old of at.querySelectorAll(".outcome")) old.remove();
    const text = res.ok ? (res.said || []).join("\n\n") : res.error + (res.errors ? " " + Object.values(res.errors).join(" ") : "");
    const box = el("div", { class: "outcome " + (res.ok ? "done" : "error"), role: "status", text });
    at.append(box);
    box.scrollIntoView({ block: "nearest" });
    return box;
  }
  // a tap asks first: the question (if any) and 确认 / 取消 in place of the buttons tapped
  function askFirst(confirmRow, row, id, question, yes, run, cancelled) {
    const go = el("button", { type: "button", class: yes.cls, id: id + "-yes", text: yes.label, onclick: () => run(go) });
    const cancel = () => { confirmRow.hidden = true; row.hidden = false; if (cancelled) cancelled(); };
    confirmRow.replaceChildren(question ? el("p", { class: "question", text: question }) : "",
      el("p", { class: "actions" }, go, el("button", { type: "button", class: "cancel", id: id + "-cancel", text: t("d_cancel"), onclick: cancel })));
    confirmRow.hidden = false;
    row.hidden = true;
    go.focus({ preventScroll: true });
  }
  // 同意 / 不同意 of one request: 同意 asks once to confirm; 不同意 asks for the reason the
  // unit is told, and is not sent without one
  function decider(o) {
    const box = el("div", { class: "decide", id: o.id });
    const reason = el("textarea", { name: "reason", rows: 2, "aria-label": t("b_reason") });
    const reasonField = el("label", { class: "field reason", hidden: true }, el("span", { text: t("b_reason") }), reason);
    const intent = { prefix: o.prefix };
    const approve = el("button", { type: "button", class: "ok", id: o.approveId, text: o.approveLabel });
    const reject = el("button", { type: "button", class: "no", id: o.rejectId, text: o.rejectLabel });
    const row = el("p", { class: "actions" }, approve, reject);
    const confirmRow = el("div", { class: "confirm", hidden: true });
    const done = (res) => {
      outcome(box, res);
      if (res.ok) { row.remove(); confirmRow.remove(); reasonField.remove(); if (o.done) o.done(res); }
    };
    const ask = (question, yes, run) => {
      for (const e of box.querySelectorAll(".err")) e.remove();
      askFirst(confirmRow, row, o.id, question, yes, async (go) => {
        const res = await run(go);
        if (res) done(res);
      }, () => { reasonField.hidden = true; });
    };
    approve.addEventListener("click", () => ask(o.question, { label: t("d_confirm"), cls: "ok" },
      (go) => once(go, intent, o.path, { ...o.body, approve: true })));
    reject.addEventListener("click", () => {
      reasonField.hidden = false;
      ask("", { label: o.rejectLabel, cls: "no" }, async (go) => {
        for (const e of box.querySelectorAll(".err")) e.remove();
        if (!reason.value.trim()) { // said at the field; the server refuses it too
          reasonField.append(el("p", { class: "err", id: o.id + "-need", text: t("d_reason_needed") }));
          reason.focus();
          haptic(false);
          return null;
        }
        return once(go, intent, o.path, { ...o.body, approve: false, reason: reason.value });
      });
      reason.focus({ preventScroll: true });
    });
    box.append(reasonField, row, confirmRow);
    return box;
  }
  function requestCard(x) {
    const card = el("li", { class: "waiting request", id: "extension-" + x.case },
      el("p", { class: "title" }, el("strong", { text: x.code }), " · " + x.unit),
      x.case_text ? el("p", { class: "case-text", text: x.case_text }) : null,
      facts([[t("d_ext_reason"), x.reason, "reason"], [t("d_original"), x.due, "due"], [t("d_asked"), x.until, "until"]]),
      x.decisions && x.decisions.length ? trace(x.decisions, "decisions-" + x.case) : null, // its earlier requests
      decider({
        id: "decide-ext-" + x.case, prefix: "ext", path: "api/board/cases/" + x.case + "/decision", body: {},
        approveId: "ext-approve-" + x.case, rejectId: "ext-reject-" + x.case,
        approveLabel: t("b_ext_approve"), rejectLabel: t("d_reject_extension"),
        question: t("d_confirm_extension", { code: x.code, until: x.until, unit: x.unit }),
        done: () => { card.classList.add("decided"); recount(); },
      }));
    return card;
  }
  // a correction asked after the week's deadline: who asked, when, and each change it makes
  // (before → after, as it would be applied now); decided as the chat's buttons decide it
  function correctionCard(x) {
    const card = el("li", { class: "waiting request correction", id: "correction-" + x.request },
      el("p", { class: "title" }, el("strong", { text: x.unit }), " · " + x.report),
      facts([[t("d_cr_by"), x.by + " · " + x.at, "by"], [t("d_cr_due"), x.due, "due"]]),
      el("h3", { text: t("d_cr_changes") }),
      el("ul", { class: "list changes" }, ...x.changes.map((c) => el("li", { class: "change" },
        el("span", { class: "what", text: c.code + " " + c.field + "：" }),
        el("span", { class: "before", text: c.before }), el("span", { class: "arrow", text: " → " }),
        el("span", { class: "after", text: c.after })))),
      decider({
        id: "decide-cr-" + x.request, prefix: "cr", path: "api/board/corrections/" + x.request + "/decision", body: {},
        approveId: "cr-approve-" + x.request, rejectId: "cr-reject-" + x.request,
        approveLabel: t("b_cr_approve"), rejectLabel: t("d_reject_correction"),
        question: t("d_confirm_correction", { unit: x.unit, report: x.report }),
        done: () => { card.classList.add("decided"); recount(); },
      }));
    return card;
  }
  function urgeBox(unitId, name, urged) {
    const shown = el("span", { class: "urged", id: "urged", text: urged || "" });
    const box = el("div", { class: "urge", id: "urge" });
    const intent = { prefix: "urge" };
    const tap = el("button", { type: "button", class: "ok", id: "urge-button", text: t("d_urge") });
    const confirmRow = el("div", { class: "confirm", hidden: true });
    const row = el("p", { class: "actions" }, tap);
    tap.addEventListener("click", () => askFirst(confirmRow, row, "urge", t("d_confirm_urge", { unit: name }),
      { label: t("d_confirm"), cls: "ok" }, async (go) => {
        const res = await once(go, intent, "api/board/units/" + unitId + "/urge", {});
        if (!res) return;
        confirmRow.hidden = true;
        row.hidden = false;
        if (res.ok && res.urged) shown.textContent = res.urged;
        outcome(box, res);
      }));
    box.append(row, shown, confirmRow);
    return box;
  }
  function closeoutFacts(c) {
    return facts([[t("d_result"), c.result, "result"], [t("d_evidence"), (c.file_names || []).join("、") || t("b_files", { count: c.files }), "files"]]);
  }

  // 得分与排名: the last whole week's (month's, quarter's) scores as the server ranks them; the
  // band said in words too
  const ranked = { kind: "week" };
  function rankingTable(p) {
    return p.rows.length ? el("table", { class: "ranking", id: "ranking-table" },
      el("thead", {}, el("tr", {}, ...p.columns.map((text) => el("th", { text })))),
      el("tbody", {}, ...p.rows.map((row) => el("tr", { class: row.colour, "data-unit": row.unit },
        el("td", { text: String(row.rank) }), el("td", { text: row.unit }), el("td", { text: row.score }),
        el("td", {}, el("span", { class: "badge " + row.colour, text: row.colour_text })))))) : null;
  }
  function rankingPanel() {
    const r = board.ranking, box = el("div", { id: "ranking-body" });
    const draw = () => {
      const p = r.periods.find((x) => x.kind === ranked.kind) || r.periods[0];
      box.replaceChildren(...p.lines.map((text) => el("p", { text })), rankingTable(p));
    };
    const pick = el("select", { id: "ranking-period", "aria-label": r.label, onchange: () => { ranked.kind = pick.value; draw(); } },
      ...r.periods.map((p) => el("option", { value: p.kind, selected: p.kind === ranked.kind, text: p.name })));
    draw();
    return section("ranking", r.heading, el("div", { class: "tools" }, pick), box);
  }
  async function drawBoard() {
    heading(board.title, board.sub);
    darkness();
    const list = (rows, draw) => rows.length ? el("ul", { class: "list" }, ...rows.map(draw)) : el("p", { class: "meta", text: t("b_none") });
    const names = board.download_names;
    main.replaceChildren(
      figures(),
      el("div", { class: "columns" },
        el("div", {},
          section("waiting", t("b_waiting"),
            el("h3", { id: "closeouts-heading", text: t("b_closeouts", { count: board.closeouts_total }) }), list(board.closeouts, closeoutRow),
            board.closeouts_total > board.closeouts.length ? el("p", { class: "meta", text: t("b_more", { count: board.closeouts_total - board.closeouts.length }) }) : null,
            el("h3", { id: "extensions-heading", text: t("b_extensions", { count: board.extensions.length }) }), list(board.extensions, requestCard),
            el("h3", { id: "corrections-heading", text: t("b_corrections", { count: board.corrections.length }) }), list(board.corrections, correctionCard)),
          section("checkpoint", board.checkpoint.heading, ...board.checkpoint.lines.map((text) => el("p", { text }))),
          rankingPanel(),
          readsPanel(),
          leavePanel(),
          section("documents", t("b_documents"),
            el("p", {}, el("button", { type: "button", class: "link", id: "circular", onclick: () => download("api/board/circular.docx", names.circular, board.downloads.circular), text: "⬇ " + t("b_circular") })),
            el("p", {}, el("button", { type: "button", class: "link", id: "export", onclick: () => download("api/board/export.xlsx", names.export, board.downloads.export), text: "⬇ " + t("b_export") })))),
        el("div", {}, unitsPanel(), charts())));
    buttons(null, null);
  }
  // after a decision on the board: its counts, figures and units as they are now, each where
  // it is; the decided card stays with its outcome, and the page does not move
  async function recount() {
    const data = await api("GET", "api/board");
    if (!data.ok || !document.getElementById("figures")) return; // gone elsewhere meanwhile
    board = data;
    heading(board.title, board.sub);
    document.getElementById("figures").replaceWith(figures());
    document.getElementById("closeouts-heading").textContent = t("b_closeouts", { count: board.closeouts_total });
    document.getElementById("extensions-heading").textContent = t("b_extensions", { count: board.extensions.length });
    document.getElementById("corrections-heading").textContent = t("b_corrections", { count: board.corrections.length });
    const units = document.getElementById("unit-list");
    if (units) drawUnits(units);
  }
  // 已阅情况: each notice's units read (who, when) and unread (since when), and a notice sent
  // from here as /notice sends it; its own calls, so the board is drawn without waiting
  function readsPanel() {
    const list = el("div", { id: "reads-list" }, el("p", { class: "meta", text: "…" }));
    const text = el("textarea", { id: "notice-text", rows: "3", "aria-label": t("b_notice_text"), placeholder: t("b_notice_text") });
    const intent = { prefix: "notice", action: null };
    const send = el("button", { type: "button", class: "ok", id: "notice-send", onclick: async () => {
      const res = await once(send, intent, "api/board/notices", { text: text.value });
      if (!res) return;
      status(res.ok ? res.sent : res.error);
      if (res.ok) { text.value = ""; fill(); }
    }, text: t("b_notice_send") });
    const notice = (n) => el("details", { class: "notice", "data-id": n.id },
      el("summary", { text: n.head }),
      el("ul", { class: "list" }, ...n.units.map((u) => el("li", { class: u.read ? "" : "bad", text: u.text }))));
    async function fill() {
      const data = await api("GET", "api/board/notices");
      if (!data.ok) { list.replaceChildren(el("p", { class: "meta", text: data.error })); return; }
      list.replaceChildren(...(data.notices.length ? data.notices.map(notice) : [el("p", { class: "meta", text: t("b_reads_none") })]));
    }
    fill();
    return section("reads", t("b_reads"), list, text, el("p", { class: "actions" }, send));
  }
  // 请假与代岗: each unit with a liaison away (who, until when, who covers); a unit with
  // nobody present is marked in words; its own call, so the board is drawn without waiting
  function leavePanel() {
    const box = el("div", { id: "leave-list" }, el("p", { class: "meta", text: "…" }));
    const listOf = (rows, draw) => rows.length ? el("ul", { class: "list" }, ...rows.map(draw)) : el("p", { class: "meta", text: t("b_none") });
    api("GET", "api/board/leave").then((data) => {
      if (!data.ok) { box.replaceChildren(el("p", { class: "meta", text: data.error })); return; }
      const unit = (u) => el("li", { class: u.nobody ? "bad" : "", "data-unit": u.unit },
        el("strong", { text: u.unit + (u.nobody ? " · " + t("board_nobody") : "") }),
        ...u.lines.map((text) => el("p", { class: "meta", text })));
      box.replaceChildren(listOf(data.units, unit));
    });
    return section("leave", t("board_leave"), box);
  }
  let boardY = null; // where the board was scrolled when a unit or a problem was opened
  function fromBoard(open) { boardY = window.scrollY; return open(); }
  async function openBoard() {
    const data = await api("GET", "api/board");
    if (!data.ok) return refused(data);
    board = data;
    await drawBoard();
    window.scrollTo(0, boardY || 0); // back where the supervisor was
    boardY = null;
  }
  const back = () => ({ label: t("b_back"), run: openBoard });

  const ledgerView = { filter: "all" };
  async function showUnit(id) {
    const data = await api("GET", "api/board/units/" + id);
    if (!data.ok) { status(data.error); return; }
    heading(data.title, "");
    const box = el("div", { id: "ledger-box" });
    const keep = (it) => ledgerView.filter === "all" || (ledgerView.filter === "overdue" ? it.overdue : it.status === ledgerView.filter);
    const row = (it) => el("li", { class: "waiting" + (it.overdue ? " behind" : ""), "data-status": it.status },
      el("a", { href: "#", class: "title", onclick: (e) => { e.preventDefault(); showItem(it.id, () => showUnit(id)); }, text: it.code + " " + it.name }),
      it.overdue ? el("span", { class: "bad", text: "⚠ " + t("g_late_days", { days: it.late_days }) }) : null,
      el("span", { class: "meta", text: [it.status_text, it.due, it.last].filter(Boolean).join(" · ") }));
    const draw = () => {
      const rows = data.items.filter(keep);
      box.replaceChildren(rows.length ? el("ul", { class: "list", id: "ledger" }, ...rows.map(row))
        : el("p", { class: "meta", id: "ledger-empty", text: data.items.length ? t("g_none_here") : t("b_no_items") }));
      for (const chip of chips.querySelectorAll("button")) chip.setAttribute("aria-pressed", String(chip.dataset.key === ledgerView.filter));
    };
    const count = (key) => data.items.filter((it) => key === "all" || (key === "overdue" ? it.overdue : it.status === key)).length;
    const chips = el("div", { class: "chips", id: "filters", role: "group", "aria-label": t("g_filter") },
      ...data.filters.filter((f) => f.key === "all" || count(f.key)).map((f) => el("button", { type: "button", "data-key": f.key,
        class: f.key === "overdue" ? "bad" : "", onclick: () => { ledgerView.filter = f.key; draw(); }, text: f.label + " " + count(f.key) })));
    if (!chips.querySelector('[data-key="' + ledgerView.filter + '"]')) ledgerView.filter = "all";
    draw();
    main.replaceChildren(urgeBox(data.unit, data.title, data.urged), chips, box,
      el("p", {}, el("button", { type: "button", class: "link", id: "export-unit", onclick: () => download(data.download.path, data.download.name, data.download.ticket), text: "⬇ " + t("g_export_unit") })));
    window.scrollTo(0, 0);
    buttons(null, { label: t("b_back"), run: () => { ledgerView.filter = "all"; openBoard(); } });
  }

  async function showItem(id, backTo) {
    const data = await api("GET", "api/board/items/" + id);
    if (!data.ok) { status(data.error); return; }
    heading(data.title, "");
    const files = [];
    for (const f of data.files) {
      const get = el("button", { type: "button", class: "link", onclick: () => download(f.path, f.name, f.ticket), text: "⬇ " + (f.label || f.name || t("b_download")) });
      if (f.media === "photo") files.push(el("figure", {}, await picture(f.path, f.name), el("figcaption", {}, get)));
      else files.push(el("p", { class: "file" }, "📎 ", get));
    }
    const nodes = [
      el("div", { class: "said", id: "card", text: data.card }),
      el("h3", { text: t("b_history") }),
      el("ul", { class: "list", id: "history" }, ...data.history.map((text) => el("li", { text }))),
    ];
    if (files.length) nodes.push(el("h3", { text: t("b_evidence") }), el("div", { class: "evidence", id: "evidence" }, ...files));
    nodes.push(trace(data.decisions || [], "decisions"));
    if (data.ask) {
      const flags = evidenceFlags(data.evidence_flags, "flags");
      if (flags) nodes.push(flags);
      nodes.push(decider({
        id: "decide", prefix: "co", path: "api/board/items/" + id + "/decision", body: { ask: data.ask },
        approveId: "approve", rejectId: "reject", approveLabel: t("b_approve"), rejectLabel: t("b_reject"),
        question: t("d_confirm_closeout", { code: data.code, unit: data.unit }),
        done: async () => { // the trace gains the decision, where it is; the page does not move
          const now = await api("GET", "api/board/items/" + id);
          if (!now.ok) return;
          document.getElementById("card").textContent = now.card; // its status as it is now
          document.getElementById("decisions").replaceWith(trace(now.decisions || [], "decisions"));
        },
      }));
    }
    main.replaceChildren(...nodes);
    window.scrollTo(0, 0);
    buttons(null, backTo ? { label: t("b_back_ledger"), run: backTo } : back());
  }

  style.then(openBoard); // drawn once its style is in, so the layout never jumps
})();
