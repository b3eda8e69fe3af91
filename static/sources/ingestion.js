// Polls the ingestion status of the source being edited and updates the panel in place.
(() => {
  const box = document.querySelector("[data-ingestion-status]");
  if (!box) return;
  const active = (status) => status === "pending" || status === "processing";
  if (!active(box.dataset.status)) return;
  const label = box.querySelector("[data-ingestion-label]");
  const message = box.querySelector("[data-ingestion-message]");
  const bar = box.querySelector("[data-ingestion-progress]");
  const error = box.querySelector("[data-ingestion-error]");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(response.statusText);
      const data = await response.json();
      label.textContent = data.status_display;
      message.textContent = data.message;
      bar.value = data.progress;
      bar.textContent = `${data.progress}%`;
      bar.hidden = !active(data.status);
      error.textContent = data.error;
      error.hidden = !data.error;
      box.dataset.status = data.status;
      label.classList.toggle("w-status--primary", data.status === "ready");
      if (active(data.status)) window.setTimeout(poll, 1500);
    } catch (exc) {
      window.setTimeout(poll, 5000);
    }
  };
  window.setTimeout(poll, 1000);
})();
