/* Search-then-choose as an ARIA combobox (core.search, core/widgets/search_choice.html).
 *
 * Without this script the widget is a search box (a GET of the page) and the
 * matches as radio buttons. With it, typing asks /staff/search/<source>/
 * (JSON, at most a few rows the person may choose) and shows the matches as
 * a listbox: arrows move, Enter or a click chooses, Escape closes. Choosing
 * puts the match in the form as a checked radio button, as the page would.
 * No inline script, nothing from elsewhere (CSP 'self').
 */
(function () {
  "use strict";

  var DELAY = 250;
  var counter = 0;

  function enhance(root) {
    var input = root.querySelector("input[type=search]");
    var results = root.querySelector(".search-choice-results");
    var url = root.getAttribute("data-search-url");
    var name = root.getAttribute("data-name");
    if (!input || !results || !url || !name) {
      return;
    }
    counter += 1;
    var listId = "search-choice-list-" + counter;
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "search-choice-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.parentNode.insertBefore(list, input.nextSibling);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var timer = null;
    var active = -1;
    var asked = 0;

    function options() {
      return list.querySelectorAll("[role=option]");
    }

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var all = options();
      if (!all.length) {
        return;
      }
      active = (index + all.length) % all.length;
      for (var i = 0; i < all.length; i += 1) {
        all[i].setAttribute("aria-selected", i === active ? "true" : "false");
      }
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    function choose(option) {
      var value = option.getAttribute("data-value");
      var label = option.textContent;
      var choices = results.querySelectorAll(".choice, p");
      for (var i = 0; i < choices.length; i += 1) {
        choices[i].parentNode.removeChild(choices[i]);
      }
      var row = document.createElement("div");
      row.className = "choice";
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.name = name;
      radio.value = value;
      radio.id = listId + "-chosen";
      radio.checked = true;
      var text = document.createElement("label");
      text.htmlFor = radio.id;
      text.textContent = label;
      row.appendChild(radio);
      row.appendChild(text);
      results.appendChild(row);
      input.value = label;
      close();
    }

    function show(data, ask) {
      if (ask !== asked) {
        return; // an older answer arriving late
      }
      while (list.firstChild) {
        list.removeChild(list.firstChild);
      }
      (data.results || []).forEach(function (result, index) {
        var item = document.createElement("li");
        item.id = listId + "-" + index;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.setAttribute("data-value", String(result.value));
        item.textContent = result.label;
        item.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box
        });
        item.addEventListener("click", function () {
          choose(item);
        });
        list.appendChild(item);
      });
      active = -1;
      if (list.firstChild) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
    }

    function ask() {
      var text = input.value.trim();
      if (!text) {
        close();
        return;
      }
      asked += 1;
      var mine = asked;
      var separator = url.indexOf("?") === -1 ? "?" : "&";
      fetch(url + separator + "q=" + encodeURIComponent(text), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          show(data, mine);
        })
        .catch(function () {
          close(); // the Search button still works
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (open) {
          highlight(active + 1);
        } else {
          ask();
        }
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault(); // choose, do not search
        choose(options()[active]);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
  }

  function start() {
    var roots = document.querySelectorAll("[data-search-choice]");
    for (var i = 0; i < roots.length; i += 1) {
      enhance(roots[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
