// The questionnaire builder: drag to reorder sections and questions on a laptop, and confirm a
// removal. A progressive enhancement: the move up/down buttons do the same without it, and the
// keyboard uses them. Words come from the page (translated there), never from this file.
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function revision() {
    var input = document.querySelector("input[name=revision]");
    return input ? input.value : "";
  }

  function announce(text) {
    var live = document.querySelector("[data-builder-live]");
    if (!live) return;
    live.textContent = text;
    live.classList.remove("visually-hidden");
    live.classList.add("alert", "alert-danger");
  }

  function move(item, to) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    body.append("revision", revision());
    body.append("to", String(to));
    fetch(item.dataset.moveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    }).then(function (response) {
      if (response.status === 204) {
        window.location.reload();
        return;
      }
      return response.text().then(function (text) { announce(text); });
    });
  }

  function enableDrag(list) {
    var dragged = null;
    var items = function () {
      return Array.prototype.filter.call(list.children, function (child) {
        return child.dataset && child.dataset.moveUrl;
      });
    };
    items().forEach(function (item) {
      item.setAttribute("draggable", "true");
      item.addEventListener("dragstart", function (event) {
        if (event.target !== item) return;
        dragged = item;
        item.classList.add("is-dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", item.id);
        event.stopPropagation();
      });
      item.addEventListener("dragend", function () {
        item.classList.remove("is-dragging");
      });
      item.addEventListener("dragover", function (event) {
        if (!dragged || dragged.parentElement !== list) return;
        event.preventDefault();
        event.stopPropagation();
      });
      item.addEventListener("drop", function (event) {
        if (!dragged || dragged.parentElement !== list || dragged === item) return;
        event.preventDefault();
        event.stopPropagation();
        var to = items().indexOf(item) + 1;
        var moving = dragged;
        dragged = null;
        move(moving, to);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.matchMedia("(pointer: fine)").matches) return; // phones: the buttons
    document.querySelectorAll("[data-reorder]").forEach(enableDrag);
  });

  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });
})();
