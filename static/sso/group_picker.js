// The group picker of "Add a mapping": type part of a group's name (or of its Okta id) in the
// Okta group ID field and pick one of the groups the sync or SCIM know here; the field keeps
// whatever is typed or pasted. Without script the field is a plain input for the id.
(() => {
  const option = (group) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "group-picker-option";
    button.setAttribute("role", "option");
    button.dataset.id = group.okta_group_id;
    button.dataset.name = group.name;
    const name = document.createElement("strong");
    name.textContent = group.name;
    const id = document.createElement("code");
    id.textContent = group.okta_group_id;
    const members = document.createElement("span");
    members.className = "muted";
    members.textContent = `${group.members} member${group.members === 1 ? "" : "s"}`;
    button.append(name, " ", id, " ", members);
    item.append(button);
    return item;
  };

  const nothing = () => {
    const item = document.createElement("li");
    item.className = "muted group-picker-none";
    item.textContent = "No group known here matches: paste the group's Okta ID.";
    return item;
  };

  for (const picker of document.querySelectorAll(".group-picker[data-search-url]")) {
    const input = picker.querySelector("input");
    const nameField = document.getElementById(picker.dataset.nameField);
    const list = document.createElement("ul");
    list.className = "group-picker-results";
    list.id = `${input.id}_groups`;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Okta groups known here");
    list.hidden = true;
    input.after(list);
    input.placeholder = "Type part of a group name, or paste its Okta ID";
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-autocomplete", "list");
    let timer;
    let asked = 0;
    let picked = "";

    const search = () => {
      const mine = ++asked;
      const url = `${picker.dataset.searchUrl}?q=${encodeURIComponent(input.value.trim())}`;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : { groups: [] }))
        .then((body) => {
          if (mine !== asked) return;
          list.replaceChildren(...(body.groups.length ? body.groups.map(option) : [nothing()]));
          list.hidden = false;
        })
        .catch(() => { list.hidden = true; });
    };

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Escape") list.hidden = true;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) search();
        else list.querySelector("button")?.focus();
      }
    });
    list.addEventListener("keydown", (event) => {
      const current = event.target.closest("li");
      if (event.key === "ArrowDown") current?.nextElementSibling?.querySelector("button")?.focus();
      if (event.key === "ArrowUp") (current?.previousElementSibling?.querySelector("button") || input).focus();
      if (event.key === "Escape") { list.hidden = true; input.focus(); }
      if (event.key.startsWith("Arrow")) event.preventDefault();
    });
    list.addEventListener("click", (event) => {
      const chosen = event.target.closest(".group-picker-option");
      if (!chosen) return;
      input.value = chosen.dataset.id;
      // The optional name follows the pick, unless someone typed their own.
      if (nameField && (!nameField.value || nameField.value === picked)) {
        nameField.value = chosen.dataset.name;
        picked = chosen.dataset.name;
      }
      list.hidden = true;
      input.focus();
    });
    document.addEventListener("click", (event) => {
      if (!picker.contains(event.target)) list.hidden = true;
    });
  }
})();
