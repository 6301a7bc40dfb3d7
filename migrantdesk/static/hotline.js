// The hotline screen: keyboard shortcuts (Alt+N/S/G/E, by physical key so they work in any
// keyboard layout), arrow keys through the callers found, the summary kept as a draft in this
// browser (keyed by call), a sign-in detour that keeps it when the session has expired, and
// htmx swapping form errors (422) and stale edits (409) in place.
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }

  function focus(element) {
    if (!element) { return false; }
    element.focus();
    if (element.scrollIntoView) { element.scrollIntoView({ block: "nearest" }); }
    return true;
  }

  var SHORTCUTS = {
    KeyN: function () {
      var start = byId("start-call");
      if (start) { start.click(); return true; }
      return false;
    },
    KeyS: function () {
      var search = byId("field-q");
      if (search) { search.select(); }
      return focus(search);
    },
    KeyG: function () { return focus(byId("guidance-heading")); },
    KeyE: function () { return focus(byId("field-summary")); }
  };

  document.addEventListener("keydown", function (event) {
    if (event.altKey && !event.ctrlKey && !event.metaKey && SHORTCUTS[event.code]) {
      if (SHORTCUTS[event.code]()) { event.preventDefault(); }
      return;
    }
    var target = event.target;
    var results = Array.prototype.slice.call(document.querySelectorAll(".result-choice"));
    if (target.id === "field-q") {
      if (event.key === "ArrowDown" || event.key === "Enter") {
        if (results.length) { event.preventDefault(); focus(results[0]); }
        else if (event.key === "Enter") { event.preventDefault(); }
      }
      return;
    }
    var index = results.indexOf(target);
    if (index >= 0) {
      if (event.key === "ArrowDown") { event.preventDefault(); focus(results[Math.min(index + 1, results.length - 1)]); }
      if (event.key === "ArrowUp") {
        event.preventDefault();
        focus(index === 0 ? byId("field-q") : results[index - 1]);
      }
      if (event.key === "Escape") { event.preventDefault(); focus(byId("field-q")); }
    }
  });

  // --- the summary draft -------------------------------------------------------------------
  function draftStore() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function restoreDraft() {
    var store = draftStore();
    if (!store) { return; }
    var page = byId("hotline");
    var ended = page && page.getAttribute("data-ended-call");
    if (ended) { store.removeItem("hotline-draft-" + ended); }
    var area = document.querySelector("textarea[data-draft-key]");
    if (!area) { return; }
    var key = area.getAttribute("data-draft-key");
    var draft = store.getItem(key);
    if (draft && draft !== area.value) {
      area.value = draft;
      var status = byId("draft-status");
      if (status) { status.textContent = status.getAttribute("data-restored") || ""; }
    }
  }

  document.addEventListener("input", function (event) {
    var key = event.target.getAttribute && event.target.getAttribute("data-draft-key");
    var store = draftStore();
    if (key && store) { store.setItem(key, event.target.value); }
  });

  // --- htmx: errors swap in place; an expired session detours through sign-in ----------------
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 422 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      return;
    }
    var expired = status === 401;
    if (status === 400) {
      try { expired = JSON.parse(event.detail.xhr.responseText).error.code === "csrf_failed"; }
      catch (e) { expired = false; }
    }
    if (expired) {
      window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname));
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var swapped = event.detail.target;
    var summary = document.querySelector("#facts #error-summary, #end-call #error-summary");
    if (summary && swapped && (swapped.id === "facts" || swapped.id === "end-call")) {
      summary.focus();
    }
    var announce = document.querySelector("#guidance [data-announce]");
    var status = byId("guidance-status");
    if (announce && status && swapped && swapped.id === "guidance") {
      status.textContent = announce.getAttribute("data-announce");
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restoreDraft);
  } else {
    restoreDraft();
  }
})();
