/* The « Copier le jeton » button of a new API token: shown only when the browser can copy, it
   puts the field's text on the clipboard and says so in a status message. Without JavaScript, the
   member selects the text of the read-only field and copies it. */
(function () {
  "use strict";

  function init(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.querySelector("[data-copy-status]");
    if (!field || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) {
          status.textContent = button.getAttribute("data-copied");
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), init);
    var secret = document.getElementById("new-secret");
    if (secret) {
      secret.focus();
    }
  });
})();
