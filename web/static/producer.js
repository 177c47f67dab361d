/* The BOM editor, improved: a live footprint preview (a side column on a desktop, a bottom
   sheet on a phone), a text filter over each line's inputs, units limited to the chosen
   input's dimension, rows added and removed in place, electricity-only fields shown for
   electricity lines. The form works without this file.

   Nothing is marked red before the producer has touched it: a field shows its problem once
   it was changed, or once the form was saved (the server then marks every field itself and
   the form carries data-checked). Until then the preview only lists what is still missing. */
(function () {
  "use strict";

  var form = document.getElementById("bom-editor");
  if (!form) { return; }
  var panel = document.getElementById("preview");
  var toggle = document.getElementById("preview-toggle");
  var summary = document.getElementById("preview-summary");
  var status = document.getElementById("preview-status");
  var unitOptions = document.getElementById("unit-options");
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
  var checked = form.hasAttribute("data-checked");
  var touched = {};
  var timer = null;
  var sequence = 0;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function each(nodes, callback) { Array.prototype.forEach.call(nodes, callback); }

  /* -- which fields the producer touched, and what they are called -------------------- */

  function isTouched(field) {
    if (checked) { return true; }
    if (!field) { return false; }
    if (touched[field]) { return true; }
    var prefix = field + "-";  /* "lines" is touched once any of its rows is */
    return Object.keys(touched).some(function (name) { return name.indexOf(prefix) === 0; });
  }

  function ownText(node) {
    /* a label's or legend's own words, before the field, the hint or the row number */
    var text = "";
    for (var child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 3) { text += child.textContent; continue; }
      if (child.nodeType === 1 && child.matches("span[title]")) { text += child.textContent; continue; }
      if (child.nodeType === 1 && child.matches(".row-number")) { text += " " + child.textContent; continue; }
      if (text.trim()) { break; }
    }
    return text.replace(/\s+/g, " ").trim();
  }

  function fieldTitle(problem) {
    var control = problem.field && document.getElementById("f-" + problem.field);
    var title = "";
    if (control && form.contains(control)) {
      var label = form.querySelector('label[for="f-' + problem.field + '"]') ||
        control.closest("label");
      title = label ? ownText(label) : "";
      var row = control.closest("[data-row]");
      var legend = row && row.querySelector("legend");
      if (legend) { title = ownText(legend) + " · " + title; }
      var list = row && row.parentNode.closest("fieldset");
      var listLegend = list && list.querySelector("legend");
      if (listLegend && row.getAttribute("data-row").indexOf("parameters-") === 0) {
        title = ownText(listLegend) + " · " + title;
      }
    } else if (problem.field) {  /* a list's own slot ("lines"): its section's heading */
      var slot = document.getElementById("err-" + problem.field);
      var box = slot && slot.closest("section, fieldset");
      var heading = box && box.querySelector("h2, legend");
      title = heading ? ownText(heading) : "";
    }
    return title || problem.human_where;
  }

  function goTo(field) {
    return function (event) {
      var control = document.getElementById("f-" + field) ||
        document.getElementById("err-" + field);
      if (!control) { return; }
      event.preventDefault();
      setOpen(false);
      var details = control.closest("details");
      if (details) { details.open = true; }
      control.scrollIntoView({block: "center"});
      if (control.focus) { control.focus({preventScroll: true}); }
    };
  }

  /* -- problems next to the fields ------------------------------------------------------ */

  function clearLiveErrors() {
    each(form.querySelectorAll(".live-error"), function (slot) {
      slot.textContent = "";
      slot.classList.remove("live-error");
    });
    each(form.querySelectorAll("[data-live-invalid]"), function (field) {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("data-live-invalid");
    });
  }

  function markProblem(problem) {
    if (!problem.field || !isTouched(problem.field)) { return; }
    var slot = document.getElementById("err-" + problem.field);
    if (!slot || !form.contains(slot)) { return; }
    if (!slot.classList.contains("live-error")) {
      slot.textContent = "";  /* the server's message of the last save gives way */
    }
    // several problems of one field, joined as the page's language writes it (the page
    // gives its semicolon, web/formatting.py's)
    slot.textContent = slot.textContent ? slot.textContent + labels.semicolon + problem.message
      : problem.message;
    slot.classList.add("live-error");
    var field = document.getElementById("f-" + problem.field);
    if (field && !field.hasAttribute("aria-invalid")) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("data-live-invalid", "");
    }
  }

  /* -- the preview ---------------------------------------------------------------------- */

  function setSummary(text, className) {
    summary.textContent = text;
    summary.className = className || "";
    status.textContent = text;
  }

  function showResult(data) {
    var body = element("div");
    body.id = "preview-body";
    var total = element("p", "total");
    /* numbers arrive as text written by the server's rule, the one every page uses */
    total.appendChild(element("strong", null, data.total_text));
    total.appendChild(document.createTextNode(" " + data.unit_text));
    body.appendChild(total);
    var headline = data.total_text + " " + data.unit_text;
    if (data.grade) {
      var grade = labels.grade + " " + data.grade.grade +
        (data.grade.label ? " · " + data.grade.label : "");
      body.appendChild(element("p", "grade", grade));
      headline += " · " + labels.grade + " " + data.grade.grade;
      if (data.grade.warning) {  /* below the published range: inputs may be missing */
        body.appendChild(element("p", "grade-warning", data.grade.warning));
        headline += " · " + data.grade.warning;
      }
    }
    setSummary(headline);

    body.appendChild(element("h3", null, labels.stages));
    var table = element("table");
    var tbody = element("tbody");
    data.stages.forEach(function (stage) {
      var row = element("tr");
      row.appendChild(element("td", null, stage.label));
      var cell = element("td");
      cell.style.width = "40%";
      var bar = element("span", "bar");
      bar.style.width = Math.max(0, Math.min(100, stage.bar * 100)).toFixed(1) + "%";
      if (stage.kg_co2e < 0) { bar.style.opacity = "0.5"; }
      cell.appendChild(bar);
      row.appendChild(cell);
      row.appendChild(element("td", "nowrap", stage.kg_text));
      tbody.appendChild(row);
    });
    table.appendChild(tbody);
    body.appendChild(table);

    if (data.hotspots.length) {
      body.appendChild(element("h3", null, labels.hotspots));
      var list = element("ol");
      data.hotspots.forEach(function (spot) {
        var text = labels.hotspot.replace("{input}", spot.label)
          .replace("{share}", spot.share_text).replace("{amount}", spot.kg_text + " " + data.co2e)
          .replace("{stage}", spot.stage_label);
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

  function problemList(problems, linked) {
    var list = element("ul", linked ? "missing" : "problems");
    problems.forEach(function (problem) {
      var item = element("li");
      var link = element("a", null, fieldTitle(problem));
      link.href = "#f-" + problem.field;
      link.addEventListener("click", goTo(problem.field));
      item.appendChild(link);
      /* a missing field is named; a wrong one, or a list as a whole, says what is wrong */
      if (!linked || !document.getElementById("f-" + problem.field)) {
        item.appendChild(document.createTextNode(labels.colon + problem.message));
      }
      list.appendChild(item);
    });
    return list;
  }

  function showProblems(data) {
    var body = element("div");
    body.id = "preview-body";
    var missing = data.problems.filter(function (p) { return p.missing; });
    var wrong = data.problems.filter(function (p) { return !p.missing; });
    data.problems.forEach(markProblem);
    if (missing.length) {
      body.appendChild(element("p", "incomplete", data.incomplete_text));
      body.appendChild(element("p", "muted", labels.missing));
      body.appendChild(problemList(missing, true));
      setSummary(data.incomplete_text, "summary-incomplete");
    } else {
      setSummary(labels.problems + " (" + wrong.length + ")", "summary-incomplete");
    }
    if (wrong.length) {
      body.appendChild(element("h3", "error", labels.problems));
      body.appendChild(problemList(wrong, false));
    }
    return body;
  }

  function replaceBody(node) {
    var old = document.getElementById("preview-body");
    old.parentNode.replaceChild(node, old);
  }

  function failed() {
    replaceBody(element("p", "error", labels.failed));
    setSummary(labels.failed);
  }

  function preview() {
    var mine = ++sequence;
    var body = new URLSearchParams(new FormData(form));
    body.delete("action");
    panel.setAttribute("aria-busy", "true");
    summary.textContent = labels.busy;
    fetch(previewUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": token, "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"},
      body: body.toString()
    }).then(function (response) {
      return response.json();
    }).then(function (data) {
      if (mine !== sequence) { return; }
      panel.removeAttribute("aria-busy");
      clearLiveErrors();
      if (data && data.ok) {
        replaceBody(showResult(data));
      } else if (data && data.problems) {
        replaceBody(showProblems(data));
      } else {
        failed();
      }
    }).catch(function () {
      if (mine !== sequence) { return; }
      panel.removeAttribute("aria-busy");
      failed();
    });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(preview, 400);
  }

  /* -- the sheet (phones) --------------------------------------------------------------- */

  function setOpen(open) {
    panel.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }

  toggle.addEventListener("click", function () {
    setOpen(!panel.classList.contains("open"));
  });

  /* -- a line's input: the text filter and the units of its dimension ------------------ */

  function matches(option, words) {
    var haystack = option.getAttribute("data-search") || option.textContent.toLowerCase();
    return words.every(function (word) { return haystack.indexOf(word) !== -1; });
  }

  function filterInputs(select, master, search, count) {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var current = select.value;
    var fragment = document.createDocumentFragment();
    var found = [];
    master.forEach(function (node) {
      if (node.tagName === "OPTGROUP") {
        var group = node.cloneNode(false);
        each(node.children, function (option) {
          var hit = matches(option, words);
          if (hit) { found.push(option.value); }
          if (hit || option.value === current) { group.appendChild(option.cloneNode(true)); }
        });
        if (group.children.length) { fragment.appendChild(group); }
      } else if (node.value === "" || node.value === current || matches(node, words)) {
        fragment.appendChild(node.cloneNode(true));
      }
    });
    select.textContent = "";
    select.appendChild(fragment);
    select.value = current;
    count.textContent = words.length ? labels.matches.replace("{count}", found.length) : "";
    if (words.length && found.length === 1 && current === "") {  /* one match: take it */
      select.value = found[0];
      select.dispatchEvent(new Event("change", {bubbles: true}));
    }
  }

  function prepareFilter(row) {
    var search = row.querySelector(".input-filter");
    var select = row.querySelector("[data-line-input]");
    if (!search || !select) { return; }
    var master = Array.prototype.map.call(select.children, function (n) {
      return n.cloneNode(true);
    });
    var count = element("span", "filter-count muted");
    count.id = search.id + "-count";
    count.setAttribute("role", "status");
    select.parentNode.insertBefore(count, select.nextSibling);
    search.setAttribute("aria-describedby", count.id);
    search.hidden = false;
    search.addEventListener("input", function () {
      filterInputs(select, master, search, count);
    });
  }

  function limitUnits(row) {
    /* the units of the chosen input's dimension; its own unit when the one shown no longer
       fits (diesel: kg, electricity: kWh) */
    var input = row.querySelector("[data-line-input]");
    var unit = row.querySelector('select[name$="-unit"]');
    if (!input || !unit || !unitOptions) { return; }
    var chosen = input.options[input.selectedIndex];
    var dimension = (chosen && chosen.getAttribute("data-dimension")) || "";
    var own = (chosen && chosen.getAttribute("data-unit")) || "";
    var current = unit.value;
    var blank = unit.querySelector('option[value=""]');
    var fragment = document.createDocumentFragment();
    if (blank) { fragment.appendChild(blank.cloneNode(true)); }
    var fits = false;
    each(unitOptions.content.querySelectorAll("optgroup"), function (group) {
      if (dimension && group.getAttribute("data-dimension") !== dimension) { return; }
      each(group.children, function (option) { fits = fits || option.value === current; });
      fragment.appendChild(group.cloneNode(true));
    });
    unit.textContent = "";
    unit.appendChild(fragment);
    unit.value = fits ? current : (dimension ? own : "");
  }

  function toggleElectricity(row) {
    var input = row.querySelector("[data-line-input]");
    var block = row.querySelector(".electricity-only");
    if (!input || !block) { return; }
    var off = input.value !== "electricity";
    block.hidden = off;
    each(block.querySelectorAll("input, select"), function (field) { field.disabled = off; });
  }

  function prepareRow(row) {
    if (row.querySelector("[data-line-input]")) {
      toggleElectricity(row);
      prepareFilter(row);
    }
  }

  /* -- rows ----------------------------------------------------------------------------- */

  function renumber(container) {
    each(container.querySelectorAll(":scope > [data-row]"), function (row, position) {
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
    var first = row.querySelector("input:not([hidden]), select");
    if (first) { first.focus(); }
    return true;
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
        container.removeChild(row);
        renumber(container);
        schedule();
      }
    }
  });

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.name) { touched[target.name] = true; }
    if (target.hasAttribute("data-category-select")) {
      var refresh = document.getElementById("refresh-category");
      if (refresh && form.requestSubmit) { form.requestSubmit(refresh); return; }
      if (refresh) { refresh.click(); return; }
    }
    if (target.hasAttribute("data-line-input")) {
      var row = target.closest("[data-row]");
      limitUnits(row);
      toggleElectricity(row);
    }
    schedule();
  });
  form.addEventListener("input", function (event) {
    if (!event.target.name) { return; }  /* the inputs' text filter sends nothing */
    touched[event.target.name] = true;
    schedule();
  });

  each(form.querySelectorAll("[data-row]"), prepareRow);
  var refreshButton = document.getElementById("refresh-category");
  if (refreshButton && form.requestSubmit) {  /* the category's change submits it */
    refreshButton.parentNode.hidden = true;
  }
  panel.classList.add("sheet");
  document.body.classList.add("has-sheet");
  toggle.hidden = false;
  preview();
}());
