// The « Essayer » forms of the API documentation: without JavaScript each form sends the
// browser to the operation's URL; with it, the answer (status and JSON) is shown in the page.
(function () {
  "use strict";

  function operationUrl(form) {
    var path = form.getAttribute("data-path");
    var query = new URLSearchParams();
    form.querySelectorAll("[data-in]").forEach(function (input) {
      var value = input.value.trim();
      if (input.getAttribute("data-in") === "path") {
        path = path.replace("{" + input.name + "}", encodeURIComponent(value || "-"));
      } else if (value) {
        query.append(input.name, value);
      }
    });
    var search = query.toString();
    return path + (search ? "?" + search : "");
  }

  function show(form, status, text) {
    var result = form.querySelector(".api-result");
    result.querySelector(".api-result-status").textContent = status;
    result.querySelector(".api-result-body").textContent = text;
    result.hidden = false;
  }

  document.querySelectorAll("form.api-try").forEach(function (form) {
    var labels = document.documentElement.lang === "en"
      ? { status: "Answer: ", url: " — URL: ", failed: "The request could not be sent." }
      : { status: "Réponse : ", url: " — adresse : ", failed: "La requête n’a pas pu être envoyée." };
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url = operationUrl(form);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "omit" })
        .then(function (response) {
          return response.text().then(function (body) {
            var text = body;
            try {
              text = JSON.stringify(JSON.parse(body), null, 2);
            } catch (error) {
              // not JSON: shown as it came
            }
            show(form, labels.status + response.status + " " + response.statusText + labels.url + url, text);
          });
        })
        .catch(function () {
          show(form, labels.failed, "");
        });
    });
  });
})();
