// Open the one-time token dialog as soon as the page loads.
document.addEventListener("DOMContentLoaded", () => {
  const dialog = document.querySelector("dialog[data-open-on-load]");
  if (dialog && dialog.showModal) dialog.showModal();
  else if (dialog) dialog.setAttribute("open", "");
});
