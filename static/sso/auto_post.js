// SAML's HTTP-POST binding: submit the hidden form at once. A file, not an inline script,
// because the console's Content-Security-Policy allows scripts from the console only.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("saml-post");
  if (form) form.submit();
});
