/* Crossdock: keyboard shortcuts, relative times, htmx settings. No framework, no build. */
(function () {
  "use strict";

  /* ---------------------------------------------------------------- htmx settings */
  if (window.htmx) {
    var c = window.htmx.config;
    c.includeIndicatorStyles = false; // crossdock.css owns .htmx-indicator (shown only after 200 ms)
    c.defaultSettleDelay = 0; // nothing here animates on settle; swap at once
    c.historyCacheSize = 0; // keep no page snapshots in sessionStorage (shared machines)...
    c.refreshOnHistoryMiss = true; // ...so Back reloads the full page rather than a partial
    // Swap 422 like 2xx, so a view can answer an invalid form with the form and its errors.
    c.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "422", swap: true },
      { code: "[45]..", swap: false, error: true },
      { code: "...", swap: false }
    ];
  }

  /* ---------------------------------------------------------------- relative time */
  var MIN = 60e3, HOUR = 60 * MIN, DAY = 24 * HOUR;
  var exact = new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  });
  var shortDate = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
  var longDate = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" });

  function plural(n, unit) { return n + " " + unit + (n === 1 ? "" : "s"); }

  function relative(date, now) {
    var diff = date - now, abs = Math.abs(diff), past = diff < 0, phrase;
    if (abs < 45e3) return past ? "just now" : "in a moment";
    if (abs < HOUR) phrase = Math.round(abs / MIN) + " min";
    else if (abs < DAY) phrase = Math.round(abs / HOUR) + " h";
    else if (abs < 30 * DAY) phrase = plural(Math.round(abs / DAY), "day");
    else return (date.getFullYear() === now.getFullYear() ? shortDate : longDate).format(date);
    return past ? phrase + " ago" : "in " + phrase;
  }

  function renderTimes(root) {
    var now = new Date();
    var nodes = (root || document).querySelectorAll("time[datetime][data-relative]");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      // Django's "c" format may carry microseconds; Date wants at most milliseconds.
      var d = new Date(el.getAttribute("datetime").replace(/(\.\d{3})\d+/, "$1"));
      if (isNaN(d)) continue;
      el.textContent = relative(d, now);
      el.title = exact.format(d);
    }
  }

  /* ---------------------------------------------------------------- keyboard */
  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function visible(el) { return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length); }

  function currentList() {
    var active = document.activeElement;
    var list = active && active.closest && active.closest("[data-keynav]");
    if (list) return list;
    var lists = document.querySelectorAll("[data-keynav]");
    for (var i = 0; i < lists.length; i++) if (visible(lists[i])) return lists[i];
    return null;
  }

  function linkOf(item) { return item.querySelector("[data-keynav-link]") || item.querySelector("a[href]"); }

  function move(step) {
    var list = currentList();
    if (!list) return false;
    var items = Array.prototype.filter.call(list.querySelectorAll("[data-keynav-item]"), visible);
    if (!items.length) return false;
    var index = items.findIndex(function (el) { return el.classList.contains("is-current"); });
    var next = index < 0 ? (step > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, index + step));
    if (index >= 0) items[index].classList.remove("is-current");
    var item = items[next];
    item.classList.add("is-current");
    var link = linkOf(item);
    if (link) link.focus({ preventScroll: true });
    item.scrollIntoView({ block: "nearest" });
    return true;
  }

  function openCurrent() {
    var item = document.querySelector("[data-keynav] [data-keynav-item].is-current");
    var link = item && linkOf(item);
    if (!link) return false;
    link.click(); // a click, so hx-get / hx-boost on the link still apply
    return true;
  }

  function focusField(id) {
    var el = document.getElementById(id);
    if (!el || el.disabled) return false;
    el.focus();
    if (el.select && el.id === "search") el.select();
    return true;
  }

  function openShortcuts() {
    var dialog = document.getElementById("shortcuts");
    if (!dialog || dialog.open || !dialog.showModal) return false;
    dialog.showModal();
    return true;
  }

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (isTyping(e.target)) return;
    if (document.querySelector("dialog[open]") && e.key !== "Escape") return; // a modal has the keyboard
    var done = false;
    switch (e.key) {
      case "j": done = move(1); break;
      case "k": done = move(-1); break;
      case "Enter":
        // a focused link or button handles Enter itself
        if (e.target === document.body || e.target.hasAttribute("data-keynav-item")) done = openCurrent();
        break;
      case "r": done = focusField("reply-body"); break;
      case "/": done = focusField("search"); break;
      case "?": done = openShortcuts(); break;
    }
    if (done) e.preventDefault();
  });

  // Keep the highlighted row in step with the mouse and with Tab.
  document.addEventListener("focusin", function (e) {
    var item = e.target.closest && e.target.closest("[data-keynav] [data-keynav-item]");
    if (!item || item.classList.contains("is-current")) return;
    var list = item.closest("[data-keynav]");
    var old = list.querySelector("[data-keynav-item].is-current");
    if (old) old.classList.remove("is-current");
    item.classList.add("is-current");
  });

  // Dialogs open with <button commandfor="id" command="show-modal">; browsers without
  // invoker commands (before 2025) get the same behaviour here.
  if (!("commandForElement" in HTMLButtonElement.prototype)) {
    document.addEventListener("click", function (e) {
      var btn = e.target.closest && e.target.closest("button[commandfor]");
      var dialog = btn && document.getElementById(btn.getAttribute("commandfor"));
      if (!dialog || dialog.tagName !== "DIALOG") return;
      var command = btn.getAttribute("command");
      if (command === "show-modal" && !dialog.open) dialog.showModal();
      else if (command === "close") dialog.close();
    });
  }

  // "All on this page" ticks the row boxes too, so what is selected is what you see.
  document.addEventListener("change", function (e) {
    var all = e.target;
    if (!all.matches || !all.matches('input[type="checkbox"][name="all_on_page"]')) return;
    document.querySelectorAll('input[type="checkbox"][name="ids"]').forEach(function (box) {
      if (box.form === all.form) box.checked = all.checked;
    });
  });

  /* ---------------------------------------------------------------- refusals are never silent */
  // A view that refuses a form draws it again with its errors (400, 403, 409, 413...): swap
  // that piece like a success. A whole error page (404, a CSRF 403, 405, 5xx) is not a piece
  // of this page: say what it says in a toast instead, and leave the form as it was.
  var FALLBACK = {
    403: "You can't do that here.",
    404: "That is no longer there, or not yours to see.",
    405: "That action isn't available here.",
    413: "That is too large to send.",
    429: "Too many requests: wait a moment and try again.",
  };

  function toast(text, tone) {
    var area = document.getElementById("toasts");
    if (!area) return;
    var el = document.createElement("div");
    el.className = "toast";
    el.setAttribute("data-tone", tone || "danger");
    el.setAttribute("role", "alert");
    var body = document.createElement("div");
    body.className = "toast__body";
    var label = document.createElement("span");
    label.className = "toast__tone";
    label.textContent = "Error:";
    body.appendChild(label);
    body.appendChild(document.createTextNode(" " + text));
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn btn--ghost btn--sm btn--icon toast__close";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "\u00d7";
    close.addEventListener("click", function () { el.remove(); });
    el.appendChild(body);
    el.appendChild(close);
    area.appendChild(el);
  }

  function pageMessage(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var heading = doc.querySelector("main h1, h1");
    var detail = doc.querySelector("main h1 + p, h1 + p");
    if (!heading) return "";
    return heading.textContent.trim() + (detail ? ". " + detail.textContent.trim() : "");
  }

  document.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail.xhr, status = xhr.status;
    if (status < 400) return;
    var type = xhr.getResponseHeader("Content-Type") || "";
    var body = xhr.responseText || "";
    var wholePage = /^\s*<!doctype/i.test(body);
    if (type.indexOf("text/html") === 0 && body.trim() && (!wholePage || e.detail.boosted)) {
      e.detail.shouldSwap = true; // the form with its errors, or a boosted link's error page
      e.detail.isError = false;
      return;
    }
    e.detail.shouldSwap = false;
    var text = (type.indexOf("text/html") === 0 && pageMessage(body)) || FALLBACK[status] ||
      "Something went wrong (" + status + "). Nothing was changed; try again.";
    toast(text);
  });

  document.addEventListener("htmx:sendError", function () {
    toast("Crossdock could not be reached. Nothing was sent; what you wrote is still here.");
  });

  /* ---------------------------------------------------------------- drafts survive */
  // What is typed in a textarea marked data-draft is kept in this browser until the form is
  // sent, so an expired session, a lost connection or a closed tab loses nothing.
  function draftKey(field) {
    return "crossdock:draft:" + location.pathname + ":" + field.getAttribute("data-draft");
  }

  function restoreDrafts(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll("textarea[data-draft]").forEach(function (field) {
      var saved = null;
      try { saved = localStorage.getItem(draftKey(field)); } catch (err) { return; }
      if (saved && !field.value.trim()) field.value = saved;
    });
  }

  document.addEventListener("input", function (e) {
    var field = e.target;
    if (!field.matches || !field.matches("textarea[data-draft]")) return;
    try {
      if (field.value.trim()) localStorage.setItem(draftKey(field), field.value);
      else localStorage.removeItem(draftKey(field));
    } catch (err) { /* storage full or disabled: the draft lives in the page only */ }
  });

  // Sent and accepted: forget the draft (before the swap replaces the form). A refusal keeps it.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var form = e.detail.requestConfig && e.detail.requestConfig.elt;
    if (!form || form.tagName !== "FORM" || e.detail.xhr.status >= 400) return;
    form.querySelectorAll("textarea[data-draft]").forEach(function (field) {
      try { localStorage.removeItem(draftKey(field)); } catch (err) { /* nothing kept */ }
    });
  });

  /* ---------------------------------------------------------------- start, and after every swap */
  function ready() {
    renderTimes(document);
    restoreDrafts(document);
    setInterval(function () { renderTimes(document); }, 60e3);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();

  // A refused transition comes back with its dialog marked data-open: show it again, as sent.
  function reopenDialogs(root) {
    root.querySelectorAll && root.querySelectorAll("dialog[data-open]").forEach(function (d) {
      if (!d.open && d.showModal) d.showModal();
    });
  }
  if (document.readyState !== "loading") reopenDialogs(document);
  else document.addEventListener("DOMContentLoaded", function () { reopenDialogs(document); });

  // htmx:load fires for each piece of new content (swaps, out-of-band swaps, history restores).
  document.addEventListener("htmx:load", function (e) {
    renderTimes(e.target);
    reopenDialogs(e.target);
    restoreDrafts(e.target);
  });
})();
