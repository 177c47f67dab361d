/* The BOM editor, improved: live footprint preview, rows added and removed in place,
   electricity-only fields shown for electricity lines. The form works without this file. */
(function () {
  "use strict";

  var form = document.getElementById("bom-editor");
  if (!form) { return; }
  var panel = document.getElementById("preview");
  var previewUrl = form.getAttribute("data-preview-url");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var tokenField = form.querySelector('input[name="csrf_token"]');
  var token = (meta && meta.getAttribute("content")) || (tokenField && tokenField.value) || "";
  var labels = {};
  Array.prototype.forEach.call(panel.attributes, function (attribute) {
    if (attribute.name.indexOf("data-label-") === 0) {
      labels[attribute.name.slice("data-label-".length)] = attribute.value;
    }
  });
  var timer = null;
  var sequence = 0;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  /* -- live preview ------------------------------------------------------------------ */

  function clearLiveErrors() {
    Array.prototype.forEach.call(form.querySelectorAll(".live-error"), function (slot) {
      slot.textContent = "";
      slot.classList.remove("live-error");
    });
    Array.prototype.forEach.call(form.querySelectorAll('[data-live-invalid]'), function (field) {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("data-live-invalid");
    });
  }

  function markProblem(problem) {
    if (!problem.field) { return false; }
    var slot = document.getElementById("err-" + problem.field);
    if (!slot || !form.contains(slot)) { return false; }
    slot.textContent = slot.classList.contains("live-error") && slot.textContent
      ? slot.textContent + "; " + problem.message : problem.message;
    slot.classList.add("live-error");
    var field = document.getElementById("f-" + problem.field);
    if (field && !field.hasAttribute("aria-invalid")) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("data-live-invalid", "");
    }
    return true;
  }

  function showResult(data) {
    var body = element("div");
    body.id = "preview-body";
    var total = element("p");
    /* numbers arrive as text written by the server's rule, the one every page uses */
    total.appendChild(element("strong", null, data.total_text));
    total.appendChild(document.createTextNode(" " + data.unit_text));
    if (data.grade) {
      total.appendChild(document.createTextNode(" · " + labels.grade + " " + data.grade.grade +
        (data.grade.label ? " (" + data.grade.label + ")" : "")));
    }
    body.appendChild(element("h3", null, labels.total));
    body.appendChild(total);

    body.appendChild(element("h3", null, labels.stages));
    var wrap = element("div", "table-wrap");
    var table = element("table");
    var tbody = element("tbody");
    data.stages.forEach(function (stage) {
      var row = element("tr");
      row.appendChild(element("td", null, stage.label));
      var cell = element("td");
      cell.style.width = "50%";
      var bar = element("span", "bar");
      bar.style.width = Math.max(0, Math.min(100, stage.bar * 100)).toFixed(1) + "%";
      if (stage.kg_co2e < 0) { bar.style.opacity = "0.5"; }
      cell.appendChild(bar);
      row.appendChild(cell);
      row.appendChild(element("td", "nowrap", stage.kg_text + " " + data.co2e));
      tbody.appendChild(row);
    });
    table.appendChild(tbody);
    wrap.appendChild(table);
    body.appendChild(wrap);

    if (data.hotspots.length) {
      body.appendChild(element("h3", null, labels.hotspots));
      var list = element("ol");
      data.hotspots.forEach(function (spot) {
        var text = spot.label + " (" + spot.stage_label + "): " + spot.kg_text + " " +
          data.co2e + ", " + spot.share_text;
        if (spot.modelled) { text += " · " + labels.modelled; }
        list.appendChild(element("li", null, text));
      });
      body.appendChild(list);
    }
    if (data.notes && data.notes.length) {
      body.appendChild(element("h3", null, labels.notes));
      var notes = element("ul", "muted");
      data.notes.forEach(function (note) { notes.appendChild(element("li", null, note)); });
      body.appendChild(notes);
    }
    return body;
  }

  function showProblems(problems) {
    var body = element("div");
    body.id = "preview-body";
    body.appendChild(element("h3", "error", labels.problems));
    var list = element("ul", "problems");
    problems.forEach(function (problem) {
      markProblem(problem);
      var item = element("li");
      item.appendChild(element("code", null, problem.human_where));
      item.appendChild(document.createTextNode(": " + problem.message));
      list.appendChild(item);
    });
    body.appendChild(list);
    return body;
  }

  function replaceBody(node) {
    var old = document.getElementById("preview-body");
    if (old) { old.parentNode.replaceChild(node, old); } else { panel.appendChild(node); }
  }

  function hasContent() {
    return Array.prototype.some.call(
      form.querySelectorAll('[name$="-amount"], [name^="parameters-"]'),
      function (field) { return field.value.trim() !== ""; });
  }

  function preview() {
    if (!hasContent()) { return; }
    var mine = ++sequence;
    var body = new URLSearchParams(new FormData(form));
    body.delete("action");
    panel.setAttribute("aria-busy", "true");
    fetch(previewUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": token, "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"},
      body: body.toString()
    }).then(function (response) {
      return response.json().then(function (data) { return {status: response.status, data: data}; });
    }).then(function (answer) {
      if (mine !== sequence) { return; }
      panel.removeAttribute("aria-busy");
      clearLiveErrors();
      if (answer.data && answer.data.ok) {
        replaceBody(showResult(answer.data));
      } else if (answer.data && answer.data.problems) {
        replaceBody(showProblems(answer.data.problems));
      } else {
        replaceBody(element("p", "error", labels.failed));
      }
    }).catch(function () {
      if (mine !== sequence) { return; }
      panel.removeAttribute("aria-busy");
      replaceBody(element("p", "error", labels.failed));
    });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(preview, 400);
  }

  /* -- rows ------------------------------------------------------------------------- */

  function renumber(container) {
    var rows = container.querySelectorAll(":scope > [data-row]");
    Array.prototype.forEach.call(rows, function (row, position) {
      var number = row.querySelector(".row-number");
      if (number) { number.textContent = String(position + 1); }
    });
  }

  function addRow(prefix) {
    var container = document.getElementById("rows-" + prefix);
    var template = document.getElementById("tmpl-" + prefix);
    if (!container || !template) { return false; }
    var index = parseInt(container.getAttribute("data-next"), 10) || 0;
    container.setAttribute("data-next", String(index + 1));
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__i__/g, String(index))
      .replace(/__n__/g, String(container.querySelectorAll(":scope > [data-row]").length + 1));
    var row = holder.firstElementChild;
    container.appendChild(row);
    prepareRow(row);
    renumber(container);
    var first = row.querySelector("select, input");
    if (first) { first.focus(); }
    return true;
  }

  function toggleElectricity(row) {
    var input = row.querySelector("[data-line-input]");
    var block = row.querySelector(".electricity-only");
    if (!input || !block) { return; }
    var off = input.value !== "" && input.value !== "electricity";
    block.hidden = off;
    Array.prototype.forEach.call(block.querySelectorAll("input, select"), function (field) {
      field.disabled = off;
    });
  }

  function prepareRow(row) {
    if (row.querySelector("[data-line-input]")) { toggleElectricity(row); }
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !form.contains(button)) { return; }
    if (button.hasAttribute("data-add")) {
      if (addRow(button.getAttribute("data-add"))) { event.preventDefault(); }
    } else if (button.hasAttribute("data-remove")) {
      var row = button.closest("[data-row]");
      if (row) {
        event.preventDefault();
        var container = row.parentNode;
        row.parentNode.removeChild(row);
        renumber(container);
        schedule();
      }
    }
  });

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.hasAttribute("data-category-select")) {
      var refresh = document.getElementById("refresh-category");
      if (refresh && form.requestSubmit) { form.requestSubmit(refresh); return; }
      if (refresh) { refresh.click(); return; }
    }
    if (target.hasAttribute("data-line-input")) {
      toggleElectricity(target.closest("[data-row]"));
    }
    schedule();
  });
  form.addEventListener("input", schedule);

  Array.prototype.forEach.call(form.querySelectorAll("[data-row]"), prepareRow);
  var refreshButton = document.getElementById("refresh-category");
  if (refreshButton && form.requestSubmit) { refreshButton.hidden = true; }  /* on change */
  schedule();
}());
