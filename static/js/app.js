// Common Ground: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  function updateAllocation(box) {
    var total = 0;
    var bad = false;
    box.querySelectorAll("[data-share]").forEach(function (input) {
      var raw = input.value.trim().replace(",", ".").replace("%", "");
      if (raw === "") return;
      var n = Number(raw);
      if (isNaN(n)) { bad = true; } else { total += n; }
    });
    var out = box.querySelector("[data-allocation-total]");
    if (!out) return;
    out.textContent = bad ? "?" : String(Math.round(total * 10) / 10);
    out.parentElement.classList.toggle("is-off", bad || (total !== 0 && Math.abs(total - 100) > 1));
  }

  function updateCounter(area) {
    var target = document.getElementById(area.dataset.counter);
    if (!target) return;
    var max = Number(area.getAttribute("maxlength"));
    var left = max - area.value.length;
    target.textContent = left + " of " + max + " characters left";
  }

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
  });
})();
