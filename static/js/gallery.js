/* Listing photos: each element with data-gallery becomes a carousel (previous, next, thumbnails,
   position « 2 / 5 », arrow keys) whose photo opens full size in a modal dialog (focus kept inside,
   Escape closes, arrow keys move, focus back on the photo when it closes).
   Without JavaScript, or without <dialog>, every photo shows in turn as a link to its full-size file. */
(function () {
  "use strict";

  var FOCUSABLE = "a[href], button:not([disabled]), [tabindex]:not([tabindex='-1'])";

  function fill(template, n, total) {
    return template.replace("{n}", String(n)).replace("{total}", String(total));
  }

  function init(root) {
    var slides = Array.prototype.slice.call(root.querySelectorAll("[data-gallery-slide]"));
    var total = slides.length;
    var dialog = root.querySelector("[data-gallery-dialog]");
    var frame = root.querySelector("[data-gallery-dialog-frame]");
    var canZoom = dialog && typeof dialog.showModal === "function";
    var current = 0;

    function zoomLink(index) {
      return slides[index].querySelector("[data-gallery-zoom]");
    }

    function showPosition() {
      var visible = fill(root.getAttribute("data-position"), current + 1, total);
      var spoken = fill(root.getAttribute("data-position-spoken"), current + 1, total);
      Array.prototype.forEach.call(root.querySelectorAll("[data-gallery-position]"), function (el) {
        var shown = document.createElement("span");
        shown.setAttribute("aria-hidden", "true");
        shown.textContent = visible;
        var said = document.createElement("span");
        said.className = "visually-hidden";
        said.textContent = spoken;
        el.replaceChildren(shown, said);
      });
    }

    function showInDialog() {
      var source = slides[current].querySelector("img");
      var image = document.createElement("img");
      image.className = "gallery-dialog-image";
      image.src = zoomLink(current).getAttribute("href");
      image.alt = source.alt;
      frame.replaceChildren(image);
    }

    function show(index) {
      current = (index + total) % total;
      slides.forEach(function (slide, position) {
        slide.hidden = position !== current;
      });
      Array.prototype.forEach.call(root.querySelectorAll("[data-gallery-thumb]"), function (thumb) {
        if (Number(thumb.getAttribute("data-gallery-thumb")) === current) {
          thumb.setAttribute("aria-current", "true");
        } else {
          thumb.removeAttribute("aria-current");
        }
      });
      showPosition();
      if (canZoom && dialog.open) {
        showInDialog();
      }
    }

    function move(step) {
      // Focus on the photo itself follows it, so that Enter still zooms the one shown
      var onPhoto = document.activeElement === zoomLink(current);
      show(current + step);
      if (onPhoto) {
        zoomLink(current).focus();
      }
    }

    function open(index) {
      show(index);
      showInDialog();
      dialog.showModal();
      dialog.querySelector("[data-gallery-close]").focus();
    }

    function keepFocusInside(event) {
      var focusable = Array.prototype.filter.call(dialog.querySelectorAll(FOCUSABLE), function (el) {
        return el.offsetParent !== null;
      });
      if (!focusable.length) {
        return;
      }
      var first = focusable[0];
      var last = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }

    root.classList.add("gallery--enhanced");
    Array.prototype.forEach.call(
      root.querySelectorAll("[data-gallery-controls], [data-gallery-thumbs]"),
      function (el) {
        el.hidden = false;
      }
    );
    root.addEventListener("click", function (event) {
      var target = event.target.closest("button, a");
      if (!target || !root.contains(target)) {
        return;
      }
      if (target.hasAttribute("data-gallery-previous")) {
        show(current - 1);
      } else if (target.hasAttribute("data-gallery-next")) {
        show(current + 1);
      } else if (target.hasAttribute("data-gallery-thumb")) {
        show(Number(target.getAttribute("data-gallery-thumb")));
      } else if (target.hasAttribute("data-gallery-close")) {
        dialog.close();
      } else if (target.hasAttribute("data-gallery-zoom") && canZoom) {
        event.preventDefault();
        open(slides.indexOf(target.closest("[data-gallery-slide]")));
      }
    });
    root.addEventListener("keydown", function (event) {
      if (event.key === "Tab" && canZoom && dialog.open) {
        keepFocusInside(event);
      } else if (total > 1 && (event.key === "ArrowLeft" || event.key === "ArrowRight")) {
        event.preventDefault();
        move(event.key === "ArrowLeft" ? -1 : 1);
      }
    });
    if (canZoom) {
      dialog.addEventListener("close", function () {
        frame.replaceChildren();
        zoomLink(current).focus();
      });
    }
    show(0);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-gallery]"), init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
