/* Listing form: the size list offers only the scales of the chosen category (shoe sizes for
   shoes, head size for helmets…). Without JavaScript the list shows every scale in its own group
   and the server refuses a size that does not fit the category. */
(function () {
  "use strict";

  function narrow(select, original, groups) {
    var current = select.value;
    while (select.firstChild) {
      select.removeChild(select.firstChild);
    }
    Array.prototype.forEach.call(original.children, function (child) {
      if (child.tagName === "OPTGROUP") {
        if (groups === null || groups.indexOf(child.label) !== -1) {
          select.appendChild(child.cloneNode(true));
        }
      } else {
        select.appendChild(child.cloneNode(true));
      }
    });
    // Keep the chosen size only if it is still offered (in a group that stays)
    select.value = current;
    if (select.value !== current) {
      select.value = "";
    }
    select.disabled = groups !== null && groups.length === 0;
  }

  function init(select) {
    var groupsByCategory = JSON.parse(select.getAttribute("data-size-groups"));
    var category = document.getElementById(select.getAttribute("data-category-field"));
    if (!category) {
      return;
    }
    var original = select.cloneNode(true);
    function update() {
      var groups = Object.prototype.hasOwnProperty.call(groupsByCategory, category.value)
        ? groupsByCategory[category.value]
        : null;
      narrow(select, original, groups);
    }
    category.addEventListener("change", update);
    update();
  }

  document.querySelectorAll("select[data-size-groups]").forEach(init);
})();
