// Polls the ingestion status of sources (the edit page's panel, or each row of the Sources
// listing) from their JSON status URL and updates them in place. Parts a box lacks (a
// listing row has no message) are skipped.
(() => {
  const active = (status) => status === "pending" || status === "processing";
  const watch = (box) => {
    if (!active(box.dataset.status)) return;
    const part = (name) => box.querySelector(`[data-ingestion-${name}]`);
    const label = part("label");
    const message = part("message");
    const bar = part("progress");
    const error = part("error");
    const poll = async () => {
      try {
        const response = await fetch(box.dataset.statusUrl, {
          headers: { Accept: "application/json" },
        });
        if (!response.ok) throw new Error(response.statusText);
        const data = await response.json();
        if (label) {
          label.textContent = data.status_display;
          label.classList.toggle("w-status--primary", data.status === "ready");
        }
        if (message) message.textContent = data.message;
        if (bar) {
          bar.value = data.progress;
          bar.textContent = `${data.progress}%`;
          bar.hidden = !active(data.status);
        }
        if (error) {
          error.textContent = data.error;
          error.hidden = !data.error;
        }
        box.dataset.status = data.status;
        if (active(data.status)) window.setTimeout(poll, 1500);
      } catch (exc) {
        window.setTimeout(poll, 5000);
      }
    };
    window.setTimeout(poll, 1000);
  };
  const start = () => document.querySelectorAll("[data-ingestion-status]").forEach(watch);
  // The listing loads this script in <head> (column media), the edit page with defer.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
