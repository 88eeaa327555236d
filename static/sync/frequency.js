// Show only the detail field that the chosen Replication Frequency uses.
document.addEventListener("DOMContentLoaded", () => {
  const frequency = document.getElementById("id_frequency");
  if (!frequency) return;
  const details = { minutes: "id_every_minutes", daily: "id_daily_at", cron: "id_cron" };
  const show = () => {
    for (const [value, id] of Object.entries(details)) {
      const field = document.getElementById(id)?.closest(".field");
      if (field) field.hidden = frequency.value !== value && !field.classList.contains("has-error");
    }
  };
  frequency.addEventListener("change", show);
  show();
});
