/* « Où ? »: a text box becomes an ARIA 1.2 combobox (list autocomplete) of the communes, postal
   codes and venues of its JSON block. Without JavaScript the box stays a plain text field that
   the server reads (and, when the text names several places, offers them as a list). */
(function () {
  "use strict";

  var MAX_OPTIONS = 10;

  function fold(text) {
    return text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/œ/gi, "oe")
      .replace(/æ/gi, "ae")
      .toLowerCase()
      .replace(/[\s\-\u2010-\u2014'’‘.,/()]+/g, " ")
      .trim();
  }

  function matches(place, typed) {
    var words = " " + place.words;
    return words.indexOf(" " + typed) !== -1;
  }

  function init(input) {
    var source = document.getElementById(input.getAttribute("data-place-combobox"));
    if (!source) {
      return;
    }
    var places = JSON.parse(source.textContent);
    var listbox = document.getElementById(input.getAttribute("aria-controls") || "");
    var status = document.getElementById(input.getAttribute("data-status"));
    if (!listbox) {
      return;
    }
    var options = [];
    var active = -1;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function setActive(index) {
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
        option.classList.toggle("combobox-option--active", i === index);
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function choose(index) {
      input.value = options[index].getAttribute("data-value");
      close();
      say("");
    }

    function open() {
      var typed = fold(input.value);
      listbox.textContent = "";
      options = [];
      active = -1;
      if (!typed) {
        close();
        return;
      }
      var found = places.filter(function (place) {
        return matches(place, typed);
      });
      found.slice(0, MAX_OPTIONS).forEach(function (place, i) {
        var option = document.createElement("li");
        option.id = listbox.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-value", place.value);
        option.className = "combobox-option";
        option.textContent = place.label;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box
        });
        option.addEventListener("click", function () {
          choose(i);
          input.focus();
        });
        listbox.appendChild(option);
        options.push(option);
      });
      if (options.length) {
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
      var template = input.getAttribute(options.length === 1 ? "data-one" : "data-many");
      say(options.length ? template.replace("%(num)s", String(found.length)) : input.getAttribute("data-none"));
    }

    input.addEventListener("input", open);
    input.addEventListener("keydown", function (event) {
      var expanded = input.getAttribute("aria-expanded") === "true";
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!expanded) {
          open();
        }
        if (options.length) {
          setActive(event.altKey ? active : (active + 1) % options.length);
        }
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (options.length && expanded) {
          setActive(active <= 0 ? options.length - 1 : active - 1);
        }
      } else if (event.key === "Enter") {
        if (expanded && active >= 0) {
          event.preventDefault(); // the first Enter picks, the next one searches
          choose(active);
        }
      } else if (event.key === "Escape") {
        if (expanded) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
        }
      } else if (event.key === "Tab") {
        if (expanded && active >= 0) {
          choose(active);
        } else {
          close();
        }
      }
    });
    input.addEventListener("blur", close);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-place-combobox]"), init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
