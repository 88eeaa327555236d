// Live progress of an Okta sync run: poll its JSON endpoint, then reload to show the result.
(function () {
  function watch(box) {
    const url = box.dataset.progressUrl;
    const tick = () => {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
        .then((data) => {
          const fields = { phase: data.phase || "Waiting for a worker", ...data.progress };
          box.querySelectorAll("[data-progress]").forEach((el) => {
            const value = fields[el.dataset.progress];
            if (value !== undefined) el.textContent = value;
          });
          const badge = box.querySelector("[data-run-status]");
          if (badge) {
            badge.textContent = data.status_label;
            // Queued → Running is the one change seen live (a finished run reloads the page
            // and the server colours it): its tone follows ({% status_badge %}'s tone-*).
            if (data.status === "running" && badge.dataset.status !== "running") {
              badge.dataset.status = "running";
              badge.classList.replace("tone-waiting", "tone-running");
            }
          }
          if (data.finished) window.location.reload();
          else setTimeout(tick, 1000);
        })
        .catch(() => setTimeout(tick, 5000));
    };
    tick();
  }
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-progress-url]").forEach(watch);
  });
})();
