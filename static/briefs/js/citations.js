/* Briefdesk public site: note tooltips and "Copy citation".
 *
 * Progressive enhancement, no framework. Without this script a note reference is a plain link
 * to its endnote and the citation is selectable text. With it, hovering or focusing a note
 * reference (a.note-ref) shows the exact quote and its source and page, read from the endnote
 * #note-N already in the page. The tooltip follows WCAG 1.4.13: it can be hovered without
 * disappearing, dismissed with Escape without moving the pointer or focus, and stays until
 * the pointer or focus leaves.
 */
(function () {
  "use strict";

  var HIDE_DELAY = 250; // ms: time to move the pointer from the reference onto the tooltip
  var tooltip = null;
  var current = null; // the reference whose tooltip is shown
  var dismissed = null; // the reference whose tooltip Escape dismissed
  var hideTimer = null;
  var pointerOnTooltip = false;
  var refCounter = 0;

  function noteFor(ref) {
    var number = ref.getAttribute("data-note");
    return number ? document.getElementById("note-" + number) : null;
  }

  function getTooltip() {
    if (tooltip) return tooltip;
    tooltip = document.createElement("div");
    tooltip.id = "note-tooltip";
    tooltip.className = "note-tooltip";
    tooltip.setAttribute("role", "tooltip");
    tooltip.hidden = true;
    tooltip.addEventListener("mouseenter", function () {
      pointerOnTooltip = true;
      cancelHide();
    });
    tooltip.addEventListener("mouseleave", function () {
      pointerOnTooltip = false;
      if (current && document.activeElement !== current) scheduleHide();
    });
    document.body.appendChild(tooltip);
    return tooltip;
  }

  function cancelHide() {
    if (hideTimer) {
      window.clearTimeout(hideTimer);
      hideTimer = null;
    }
  }

  function scheduleHide() {
    cancelHide();
    hideTimer = window.setTimeout(hide, HIDE_DELAY);
  }

  function hide() {
    cancelHide();
    if (tooltip) tooltip.hidden = true;
    current = null;
    pointerOnTooltip = false;
  }

  function place(ref, tip) {
    var rect = ref.getBoundingClientRect();
    var margin = 8;
    var viewportWidth = document.documentElement.clientWidth;
    tip.style.left = "0px";
    tip.style.top = "0px";
    var width = tip.offsetWidth;
    var height = tip.offsetHeight;
    var left = rect.left + rect.width / 2 - width / 2;
    left = Math.max(margin, Math.min(left, viewportWidth - width - margin));
    var top = rect.bottom + 6;
    if (top + height > window.innerHeight - margin && rect.top - height - 6 > margin) {
      top = rect.top - height - 6; // no room below: above the reference
    }
    tip.style.left = left + window.scrollX + "px";
    tip.style.top = top + window.scrollY + "px";
  }

  function show(ref) {
    if (dismissed === ref) return;
    var note = noteFor(ref);
    var quote = note && note.querySelector(".endnote__quote");
    if (!quote) return; // e.g. a block previewed alone: the link still works
    var source = note.querySelector(".endnote__source");
    cancelHide();
    var tip = getTooltip();
    tip.textContent = "";
    var quoteEl = document.createElement("q");
    quoteEl.className = "note-tooltip__quote";
    quoteEl.textContent = quote.textContent.trim();
    tip.appendChild(quoteEl);
    if (source) {
      var sourceEl = document.createElement("span");
      sourceEl.className = "note-tooltip__source";
      sourceEl.textContent = "Note " + ref.getAttribute("data-note") + ": " +
        source.textContent.replace(/\s+/g, " ").trim();
      tip.appendChild(sourceEl);
    }
    tip.hidden = false;
    current = ref;
    place(ref, tip);
  }

  function refFrom(target) {
    return target && target.closest ? target.closest("a.note-ref") : null;
  }

  document.addEventListener("mouseover", function (event) {
    var ref = refFrom(event.target);
    if (ref) show(ref);
  });

  document.addEventListener("mouseout", function (event) {
    var ref = refFrom(event.target);
    if (!ref || ref.contains(event.relatedTarget)) return;
    if (dismissed === ref) dismissed = null;
    if (current === ref && document.activeElement !== ref) scheduleHide();
  });

  document.addEventListener("focusin", function (event) {
    var ref = refFrom(event.target);
    if (ref) show(ref);
  });

  document.addEventListener("focusout", function (event) {
    var ref = refFrom(event.target);
    if (!ref) return;
    if (dismissed === ref) dismissed = null;
    if (current === ref && !pointerOnTooltip) hide();
  });

  document.addEventListener("keydown", function (event) {
    if ((event.key === "Escape" || event.key === "Esc") && current) {
      dismissed = current;
      hide();
    }
  });

  window.addEventListener("resize", function () {
    if (current && tooltip && !tooltip.hidden) place(current, tooltip);
  });

  // Following a reference: the endnote's back-link returns to that very reference.
  document.addEventListener("click", function (event) {
    var ref = refFrom(event.target);
    if (!ref) return;
    hide();
    var back = document.querySelector('[data-note-back="' + ref.getAttribute("data-note") + '"]');
    if (!back) return;
    if (!ref.id) {
      refCounter += 1;
      ref.id = "note-" + ref.getAttribute("data-note") + "-ref-" + refCounter;
    }
    back.setAttribute("href", "#" + ref.id);
  });

  // "Copy citation" buttons (hidden in the markup: they only work with this script).
  function copyText(text, element) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var range = document.createRange();
      range.selectNodeContents(element);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      try {
        if (document.execCommand("copy")) resolve();
        else reject(new Error("copy refused"));
      } catch (error) {
        reject(error);
      }
    });
  }

  function setUpCopyButtons() {
    var buttons = document.querySelectorAll("button[data-copy-target]");
    Array.prototype.forEach.call(buttons, function (button) {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      if (!target) return;
      var status = button.parentNode.querySelector("[data-copy-status]");
      button.hidden = false;
      button.addEventListener("click", function () {
        copyText(target.textContent.trim(), target).then(
          function () {
            if (status) status.textContent = "Citation copied.";
          },
          function () {
            var range = document.createRange();
            range.selectNodeContents(target);
            window.getSelection().removeAllRanges();
            window.getSelection().addRange(range);
            if (status) status.textContent = "Citation selected: press Ctrl+C (or ⌘C) to copy.";
          }
        );
      });
    });
  }

  // Printing: open the data tables behind charts so that they print too.
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    openedForPrint = Array.prototype.filter.call(
      document.querySelectorAll("details.chart__data"),
      function (details) {
        return !details.open;
      }
    );
    openedForPrint.forEach(function (details) {
      details.open = true;
    });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (details) {
      details.open = false;
    });
    openedForPrint = [];
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpCopyButtons);
  } else {
    setUpCopyButtons();
  }
})();
