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
  function unitCard(u) {
    const lines = [
      t("b_problems", u) + (u.closing ? t("b_closing", { count: u.closing }) : ""),
      t("b_weekly", { state: u.weekly_text }),
      t("b_cases", { open: u.cases_open, overdue: u.cases_overdue }) + (u.case_days ? t("b_case_days", { days: u.case_days }) : ""),
    ];
    return el("a", { href: "#", class: "unit" + (u.behind ? " behind" : ""), id: "unit-" + u.id, "data-weekly": u.weekly,
      onclick: (e) => { e.preventDefault(); showUnit(u.id); } },
      el("strong", { text: u.name }), ...lines.map((text) => el("span", { text })));
  }
  function closeoutRow(c) {
    return el("li", { class: "waiting", id: "closeout-" + c.item },
      el("a", { href: "#", onclick: (e) => { e.preventDefault(); showItem(c.item); }, text: c.unit + " · " + c.code + " " + c.name }),
      el("span", { class: "meta", text: t("b_result", { text: c.result }) + " · " + t("b_files", { count: c.files }) }));
  }
  function extensionRow(x) {
    const row = el("li", { class: "waiting", id: "extension-" + x.case }, el("span", { class: "said", text: x.text }));
    const decide = (approve) => async () => {
      const res = await api("POST", "api/board/cases/" + x.case + "/decision", { approve });
      if (!res.ok) { status(res.error); return; }
      status((res.said || []).join(" "));
      openBoard();
    };
    row.append(el("p", { class: "actions" },
      el("button", { type: "button", class: "ok", onclick: decide(true), text: t("b_ext_approve") }),
      el("button", { type: "button", class: "no", onclick: decide(false), text: t("b_reject") })));
    return row;
  }
  async function drawBoard() {
    heading(board.title, board.sub);
    const list = (rows, draw) => rows.length ? el("ul", { class: "list" }, ...rows.map(draw)) : el("p", { class: "meta", text: t("b_none") });
    const chart = await picture("api/board/chart.png", t("b_charts"));
    chart.id = "chart";
    main.replaceChildren(
      el("div", { class: "columns" },
        el("div", {},
          section("waiting", t("b_waiting"),
            el("h3", { text: t("b_closeouts", { count: board.closeouts_total }) }), list(board.closeouts, closeoutRow),
            board.closeouts_total > board.closeouts.length ? el("p", { class: "meta", text: t("b_more", { count: board.closeouts_total - board.closeouts.length }) }) : null,
            el("h3", { text: t("b_extensions", { count: board.extensions.length }) }), list(board.extensions, extensionRow)),
          section("checkpoint", board.checkpoint.heading, ...board.checkpoint.lines.map((text) => el("p", { text }))),
          section("documents", t("b_documents"),
            el("p", {}, el("button", { type: "button", class: "link", id: "circular", onclick: () => download("api/board/circular.docx", "circular.docx", board.downloads.circular), text: "⬇ " + t("b_circular") })),
            el("p", {}, el("button", { type: "button", class: "link", id: "export", onclick: () => download("api/board/export.xlsx", "taizhang.xlsx", board.downloads.export), text: "⬇ " + t("b_export") })))),
        el("div", {},
          section("units", t("b_units"), el("div", { class: "units" }, ...board.units.map(unitCard))),
          section("charts", t("b_charts"), chart))));
    buttons(null, null);
  }
  async function openBoard() {
    const data = await api("GET", "api/board");
    if (!data.ok) return refused(data);
    board = data;
    await drawBoard();
    window.scrollTo(0, 0);
  }
  const back = () => ({ label: t("b_back"), run: openBoard });

  async function showUnit(id) {
    const data = await api("GET", "api/board/units/" + id);
    if (!data.ok) { status(data.error); return; }
    heading(data.title, "");
    const rows = data.items.map((it) => el("li", { class: "waiting" + (it.overdue ? " behind" : "") },
      el("a", { href: "#", onclick: (e) => { e.preventDefault(); showItem(it.id, () => showUnit(id)); }, text: it.code + " " + it.name }),
      el("span", { class: "meta", text: [it.status_text, it.due, it.last].filter(Boolean).join(" · ") })));
    main.replaceChildren(rows.length ? el("ul", { class: "list", id: "ledger" }, ...rows) : el("p", { text: t("b_no_items") }));
    window.scrollTo(0, 0);
    buttons(null, back());
  }

  async function showItem(id, backTo) {
    const data = await api("GET", "api/board/items/" + id);
    if (!data.ok) { status(data.error); return; }
    heading(data.title, "");
    const files = [];
    for (const f of data.files) {
      const get = el("button", { type: "button", class: "link", onclick: () => download(f.path, f.name, f.ticket), text: "⬇ " + (f.name || t("b_download")) });
      if (f.media === "photo") files.push(el("figure", {}, await picture(f.path, f.name), el("figcaption", {}, get)));
      else files.push(el("p", { class: "file" }, "📎 ", get));
    }
    const nodes = [
      el("div", { class: "said", id: "card", text: data.card }),
      el("h3", { text: t("b_history") }),
      el("ul", { class: "list", id: "history" }, ...data.history.map((text) => el("li", { text }))),
    ];
    if (files.length) nodes.push(el("h3", { text: t("b_evidence") }), el("div", { class: "evidence", id: "evidence" }, ...files));
    if (data.ask) {
      const reason = el("textarea", { name: "reason", rows: 2 });
      const decide = async (approve) => {
        const res = await api("POST", "api/board/items/" + id + "/decision", { ask: data.ask, approve, reason: reason.value });
        if (!res.ok) { status(res.error + (res.errors ? " " + Object.values(res.errors).join(" ") : "")); return; }
        main.replaceChildren(el("div", { class: "said", id: "said", text: (res.said || []).join("\n\n") }));
        buttons(null, back());
      };
      nodes.push(el("div", { class: "decide", id: "decide" },
        el("label", { class: "field" }, el("span", { text: t("b_reason") }), reason),
        el("p", { class: "actions" },
          el("button", { type: "button", class: "ok", id: "approve", onclick: () => decide(true), text: t("b_approve") }),
          el("button", { type: "button", class: "no", id: "reject", onclick: () => decide(false), text: t("b_reject") }))));
    }
    main.replaceChildren(...nodes);
    window.scrollTo(0, 0);
    buttons(null, backTo ? { label: t("b_back_ledger"), run: backTo } : back());
  }

  style.then(openBoard); // drawn once its style is in, so the layout never jumps
})();
