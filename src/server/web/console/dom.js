// Small DOM helpers: elements are built with h() (text is never parsed as HTML), plus the dialog and toasts.

/** Creates an element: h("a", { href: "#/" }, "text", child...). `on*` attributes take functions. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A table: `columns` are [header, (row) => cell, className?]; `rowAttrs(row)` gives each <tr>'s attributes. */
export function table(columns, rows, { empty = "none", rowAttrs = () => ({}) } = {}) {
  if (rows.length === 0) return h("p", { class: "muted" }, empty);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          columns.map(([title, , cls]) => h("th", { class: cls }, title)),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h(
            "tr",
            rowAttrs(row),
            columns.map(([, cell, cls]) => h("td", { class: cls }, cell(row))),
          ),
        ),
      ),
    ),
  );
}

export const badge = (text, kind = "") => h("span", { class: `badge ${kind}` }, text);

/** A progress bar, `percent` 0..100 (failed part in red after it). */
export function bar(percent, failedPercent = 0) {
  const clamp = (p) => Math.max(0, Math.min(100, Number.isFinite(p) ? p : 0));
  return h(
    "div",
    {
      class: "progress",
      role: "progressbar",
      "aria-valuenow": Math.floor(clamp(percent)),
      "aria-valuemin": 0,
      "aria-valuemax": 100,
    },
    h("span", { style: `width:${clamp(percent)}%` }),
    failedPercent > 0
      ? h("span", { class: "failed", style: `left:${clamp(percent)}%;width:${clamp(failedPercent)}%` })
      : null,
  );
}

/** Shows a transient message. */
export function toast(text, kind = "") {
  const el = h("div", { class: `toast ${kind}`, role: kind === "bad" ? "alert" : "status" }, text);
  document.getElementById("toasts").append(el);
  setTimeout(() => el.remove(), kind === "bad" ? 8000 : 4000);
}

/** An API error as SM words it: message, then details (hints) and the trace id. */
export function errorBox(error) {
  return h(
    "div",
    { class: "error-box", role: "alert" },
    h("div", { class: "error" }, error.message),
    error.details ? h("div", { class: "error" }, error.details) : null,
    error.traceId ? h("div", { class: "muted" }, `trace id ${error.traceId}`) : null,
  );
}

/**
 * Opens the modal dialog with `content` (a function given `close`); resolves with what close() was called with
 * (undefined when dismissed with Escape).
 */
export function openDialog(content) {
  const dialog = document.getElementById("dialog");
  return new Promise((resolve) => {
    const close = (value) => {
      dialog.removeEventListener("close", onClose);
      dialog.close();
      resolve(value);
    };
    const onClose = () => resolve(undefined);
    dialog.addEventListener("close", onClose, { once: true });
    mount(dialog, content(close));
    if (!dialog.open) dialog.showModal();
    dialog.querySelector("input:not([type=hidden]),select,textarea,button.primary")?.focus();
  });
}

/** Asks to confirm a destructive action; resolves true when confirmed. */
export function confirmDialog({ title, body, confirm = "Confirm", danger = true }) {
  return openDialog((close) =>
    h(
      "div",
      {},
      h("h2", {}, title),
      body,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", onclick: () => close(false) }, "Cancel"),
        h(
          "button",
          { type: "button", class: `primary ${danger ? "danger" : ""}`, onclick: () => close(true) },
          confirm,
        ),
      ),
    ),
  ).then((value) => value === true);
}
