// Turns a text selection in the source reader into TextPositionSelector offsets and opens the
// evidence form prefilled with them. Each .reader-text holds exactly one page's slice of the
// full text (data-start is its offset), so an offset is data-start plus the characters before
// the selection boundary inside it.
(() => {
  const tool = document.querySelector(".reader-selection-tool");
  if (!tool) return;
  const button = tool.querySelector("[data-create-evidence]");
  const info = tool.querySelector("[data-selection-info]");
  const idle = info.textContent;
  let current = null;

  const offsetOf = (node, offset) => {
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    const container = element && element.closest(".reader-text");
    if (!container) return null;
    const range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return Number(container.dataset.start) + range.toString().length;
  };

  const update = () => {
    const selection = window.getSelection();
    current = null;
    if (selection && selection.rangeCount && !selection.isCollapsed) {
      const range = selection.getRangeAt(0);
      let start = offsetOf(range.startContainer, range.startOffset);
      let end = offsetOf(range.endContainer, range.endOffset);
      if (start !== null && end !== null && end > start) {
        const text = range.toString();
        // Leave out the white space a mouse selection often takes at either end.
        start += text.length - text.trimStart().length;
        end -= text.length - text.trimEnd().length;
        if (end > start) current = { start, end, length: end - start };
      }
    }
    button.disabled = !current;
    info.textContent = current
      ? `${current.length} characters selected (offsets ${current.start}–${current.end}).`
      : idle;
  };

  document.addEventListener("selectionchange", update);
  button.addEventListener("click", () => {
    if (!current) return;
    const url = new URL(tool.dataset.evidenceAddUrl, window.location.href);
    url.searchParams.set("source", tool.dataset.sourceId);
    url.searchParams.set("start", current.start);
    url.searchParams.set("end", current.end);
    window.location.assign(url.toString());
  });
})();
