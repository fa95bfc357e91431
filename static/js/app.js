// Common Ground: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // The words this file shows come from the page (data-msg-* on <body>, translated there), so
  // they are in the page's language; numbers are written the way that language writes them.
  function message(name) {
    return (document.body && document.body.dataset[name]) || "";
  }
  var pageLanguage = document.documentElement.lang || "en";

  function updateAllocation(box) {
    var total = 0;
    var bad = false;
    box.querySelectorAll("[data-share]").forEach(function (input) {
      var raw = input.value.trim().replace("%", "");
      // A share is at most 100: a comma is always a decimal comma ("12,5"), as the server reads it.
      raw = raw.replace(",", ".");
      if (raw === "") return;
      var n = Number(raw);
      if (isNaN(n)) { bad = true; } else { total += n; }
    });
    var out = box.querySelector("[data-allocation-total]");
    if (!out) return;
    out.textContent = bad ? "?" : (Math.round(total * 10) / 10).toLocaleString(pageLanguage);
    out.parentElement.classList.toggle("is-off", bad || (total !== 0 && Math.abs(total - 100) > 1));
  }

  function updateCounter(area) {
    var target = document.getElementById(area.dataset.counter);
    if (!target) return;
    var max = Number(area.getAttribute("maxlength"));
    var left = max - area.value.length;
    target.textContent = message("msgCharsLeft")
      .replace("{left}", left.toLocaleString(pageLanguage))
      .replace("{max}", max.toLocaleString(pageLanguage));
  }

  // A split's boxes: the server says beside each box what keeps it from counting (swapped in
  // out of band with each autosave); the box itself is marked invalid for screen readers.
  function markShareProblems() {
    document.querySelectorAll(".share-problem").forEach(function (problem) {
      var input = document.getElementById(problem.id.replace(/-problem$/, ""));
      if (!input) return;
      if (problem.textContent.trim()) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    });
  }
  // A typed answer (a number, a text) is marked invalid while its status says what is wrong.
  function markTypedProblems() {
    document.querySelectorAll("fieldset.question").forEach(function (question) {
      var status = question.querySelector(".answer-status");
      var bad = !!status && (status.classList.contains("is-error") || status.classList.contains("is-draft"));
      question.querySelectorAll("input[type=text]:not([data-share]), textarea").forEach(function (input) {
        if (bad) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      });
    });
  }
  document.addEventListener("htmx:afterSettle", function () {
    markShareProblems();
    markTypedProblems();
  });

  document.addEventListener("input", function (event) {
    var el = event.target;
    if (el.matches("[data-share]")) updateAllocation(el.closest("[data-allocation]"));
    if (el.matches("textarea[data-counter]")) updateCounter(el);
  });

  // "None of these" excludes every other option of its question, and vice versa.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.type !== "checkbox" || !el.name) return;
    var group = document.querySelectorAll('input[type="checkbox"][name="' + el.name + '"]');
    if (el.checked && el.hasAttribute("data-exclusive")) {
      group.forEach(function (other) { if (other !== el) other.checked = false; });
    } else if (el.checked) {
      group.forEach(function (other) { if (other.hasAttribute("data-exclusive")) other.checked = false; });
    }
  }, true);

  // Giving an answer unticks "Don't know"; ticking "Don't know" clears the answer.
  document.addEventListener("input", function (event) {
    var el = event.target;
    var question = el.closest("fieldset.question");
    if (!question) return;
    var unknown = question.querySelector("[data-unknown]");
    if (!unknown) return;
    if (el === unknown) {
      if (unknown.checked) {
        question.querySelectorAll("input, select, textarea").forEach(function (input) {
          if (input === unknown || input.type === "hidden") return;
          if (input.type === "radio" || input.type === "checkbox") input.checked = false;
          else input.value = "";
        });
      }
    } else if (unknown.checked) {
      unknown.checked = false;
    }
  }, true);

  // A change still waiting to be saved when the page goes away (the tab closed, the phone
  // locked, another app opened) is sent at once with sendBeacon, so closing loses nothing.
  // Each question's edits are counted: a save clears the question only if nothing was typed
  // after that save was sent (else a slow save would hide a newer, unsent change).
  var unsaved = new Set();
  var edits = new WeakMap();
  var sentEdits = new WeakMap();
  function markUnsaved(event) {
    var question = event.target.closest && event.target.closest("fieldset.question[hx-post]");
    if (!question) return;
    unsaved.add(question);
    edits.set(question, (edits.get(question) || 0) + 1);
  }
  document.addEventListener("input", markUnsaved);
  document.addEventListener("change", markUnsaved);
  document.addEventListener("htmx:beforeRequest", function (event) {
    var question = event.detail.elt;
    if (unsaved.has(question)) sentEdits.set(question, edits.get(question) || 0);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var question = event.detail.elt;
    if (!(event.detail.successful || (event.detail.xhr && event.detail.xhr.status === 422))) return;
    if ((edits.get(question) || 0) === sentEdits.get(question)) unsaved.delete(question);
  });
  function sendUnsaved() {
    if (!unsaved.size || !navigator.sendBeacon) return;
    unsaved.forEach(function (question) {
      var form = question.closest("form");
      var token = form && form.querySelector("[name=csrfmiddlewaretoken]");
      var data = new FormData();
      question.querySelectorAll("input, select, textarea").forEach(function (input) {
        if (!input.name || input.disabled) return;
        if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
        data.append(input.name, input.value);
      });
      if (token) data.append("csrfmiddlewaretoken", token.value);
      navigator.sendBeacon(question.getAttribute("hx-post"), data);
    });
    unsaved.clear();
  }
  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches(".answer-form")) unsaved.clear();  // it saves all
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") sendUnsaved();
  });
  window.addEventListener("pagehide", sendUnsaved);

  // An autosave the server refused or never answered says so under its question.
  function notSaved(event) {
    var question = event.detail.elt;
    if (!question || !question.matches || !question.matches("fieldset.question")) return;
    var status = question.querySelector(".answer-status");
    if (!status) return;
    var code = event.detail.xhr ? event.detail.xhr.status : 0;
    status.className = "answer-status is-error";
    status.setAttribute("role", "alert");
    status.textContent = message((code === 404 || code === 410)
      ? "msgNotSavedGone"
      : code === 403
        ? "msgNotSavedExpired"
        : code === 400
          ? "msgNotSavedUnreadable"
          : "msgNotSavedOffline");
  }
  document.addEventListener("htmx:responseError", notSaved);
  document.addEventListener("htmx:sendError", notSaved);

  // Navbar toggle without Bootstrap's JavaScript bundle.
  document.addEventListener("click", function (event) {
    var toggler = event.target.closest("[data-toggle-target]");
    if (!toggler) return;
    var target = document.querySelector(toggler.dataset.toggleTarget);
    if (!target) return;
    var open = target.classList.toggle("show");
    toggler.setAttribute("aria-expanded", open ? "true" : "false");
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-allocation]").forEach(updateAllocation);
    document.querySelectorAll("textarea[data-counter]").forEach(updateCounter);
    // On a phone the section tabs scroll sideways: bring the current one into view.
    var current = document.querySelector(".section-steps [aria-current]");
    if (current) {
      var strip = current.closest("ol");
      var tab = current.parentElement;
      strip.scrollLeft = tab.offsetLeft - strip.offsetLeft - (strip.clientWidth - tab.offsetWidth) / 2;
    }
  });
  // ---- Facilitators: progress board, personal links, participant forms ----

  // The board refreshes itself (htmx polling). Skip a refresh while the facilitator uses it
  // (an open actions menu, focus inside) or while the tab is hidden, so nothing jumps away.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var board = event.detail.elt;
    if (!board || !board.matches || !board.matches("[data-board]")) return;
    var busy = board.querySelector("details[open]") ||
      (document.activeElement && document.activeElement !== document.body && board.contains(document.activeElement));
    if (document.hidden || busy) event.preventDefault();
  });

  // A refresh that was redirected (logged out, workshop gone): reload the page instead of
  // pasting another page into the board.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var board = event.detail.elt;
    if (!board || !board.matches || !board.matches("[data-board]")) return;
    var xhr = event.detail.xhr;
    if (xhr && xhr.responseURL && xhr.responseURL.indexOf(board.getAttribute("hx-get")) === -1) {
      event.detail.shouldSwap = false;
      window.location.reload();
    }
  });

  // The workshop is gone or no longer shared with this facilitator: show the page that says so.
  document.addEventListener("htmx:responseError", function (event) {
    var board = event.detail.elt;
    if (board && board.matches && board.matches("[data-board]") && event.detail.xhr.status === 404) {
      window.location.reload();
    }
  });

  // One actions menu open at a time; Escape or a click elsewhere closes it.
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (!menu.matches || !menu.matches("details.actions-menu") || !menu.open) return;
    document.querySelectorAll("details.actions-menu[open]").forEach(function (other) {
      if (other !== menu) other.open = false;
    });
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = document.activeElement && document.activeElement.closest("details.actions-menu[open]");
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.actions-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });

  // Copy a personal link shown once.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var input = document.querySelector(button.dataset.copyTarget);
    var status = document.querySelector(button.dataset.copyStatus);
    if (!input) return;
    function done(ok) {
      if (status) status.textContent = message(ok ? "msgCopiedStatus" : "msgCopyFailed");
      if (ok) button.textContent = message("msgCopied");
    }
    input.focus();
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(function () { done(true); }, function () { done(false); });
    } else {
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      done(ok);
    }
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("[data-select-on-focus]")) event.target.select();
  });

  // Picking a role picks its usual side, unless the facilitator chose another side.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("select[data-sets-side]")) event.target.dataset.previous = event.target.value;
  });
  document.addEventListener("change", function (event) {
    var role = event.target;
    if (!role.matches("select[data-sets-side]")) return;
    var side = role.form && role.form.querySelector("select[data-side-for-role]");
    if (!side) return;
    var usual = {};
    side.dataset.sideForRole.split(",").forEach(function (pair) {
      var parts = pair.split(":");
      usual[parts[0]] = parts[1];
    });
    var before = role.dataset.previous || "";
    if (side.value === "" || side.value === usual[before]) side.value = usual[role.value] || "";
    role.dataset.previous = role.value;
  });

  // ---- Consensus dashboard (workshops/dashboard/views.py) ----

  // The dashboard and comparison poll themselves ([data-live], htmx). Skip a refresh while the
  // tab is hidden or the facilitator has something open or focused inside (a "how this was
  // scored" or source disclosure), so nothing closes under their cursor.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var live = event.detail.elt;
    if (!live || !live.matches || !live.matches("[data-live]")) return;
    var busy = live.querySelector("details[open]") ||
      (document.activeElement && document.activeElement !== document.body && live.contains(document.activeElement));
    if (document.hidden || busy) event.preventDefault();
  });
  // A refresh that was redirected (logged out): reload rather than paste the login page in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var live = event.detail.elt;
    if (!live || !live.matches || !live.matches("[data-live]")) return;
    var xhr = event.detail.xhr;
    if (xhr && xhr.responseURL && xhr.responseURL.indexOf(live.getAttribute("hx-get").split("?")[0]) === -1) {
      event.detail.shouldSwap = false;
      window.location.reload();
    }
  });
  // The agenda's print button.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
