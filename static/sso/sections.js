// The old single Authentication page had #role-mapping and #okta-sync anchors; its URL now
// redirects to the Identity provider section, so an old link with one of those anchors is
// sent on to the section that holds it. Without script, the anchor is simply ignored.
(() => {
  const anchor = window.location.hash.slice(1);
  if (!anchor) return;
  const link = document.querySelector(`.auth-sections a[data-anchor="${CSS.escape(anchor)}"]`);
  if (link && link.getAttribute("aria-current") !== "page") window.location.replace(link.href);
})();
