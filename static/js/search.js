// Search as you type in the sidebar box. Without this script the box is a plain GET form.
(() => {
  "use strict";
  const form = document.querySelector("form[data-live-search]");
  if (!form || !window.fetch) return;
  const input = form.querySelector('input[name="q"]');
  const endpoint = form.dataset.liveSearch;
  const list = document.createElement("ul");
  const status = document.createElement("p");
  const empty = document.createElement("p");
  let timer = 0;
  let controller = null;
  let active = -1;

  list.id = "live-results";
  list.className = "live-results";
  list.hidden = true;
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Matching articles");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  empty.className = "live-results live-results--empty";
  empty.textContent = "No results.";
  empty.hidden = true;
  form.after(list, empty, status);
  // HTML allows the combobox role on a text field, not on type=search (the Nu checker
  // refuses it): the enhanced box is a text field whose keyboard still offers "search".
  input.type = "text";
  input.enterKeyHint = "search";
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  const options = () => Array.from(list.querySelectorAll('[role="option"]'));

  function close() {
    list.hidden = true;
    empty.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    const all = options();
    if (!all.length) return;
    active = (index + all.length) % all.length;
    all.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
    input.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  // The snippet is escaped HTML with <mark> around matches: rebuild it from text and
  // marks only, so nothing else from the response can ever become markup.
  function marked(html, className) {
    const span = document.createElement("span");
    span.className = className;
    const parsed = new DOMParser().parseFromString(html, "text/html").body;
    for (const node of parsed.childNodes) {
      if (node.nodeName === "MARK") {
        const mark = document.createElement("mark");
        mark.textContent = node.textContent;
        span.append(mark);
      } else {
        span.append(node.textContent);
      }
    }
    return span;
  }

  function option(id, url, children) {
    const item = document.createElement("li");
    item.id = id;
    item.dataset.url = url;
    item.setAttribute("role", "option");
    item.setAttribute("aria-selected", "false");
    item.append(...children);
    item.addEventListener("mousedown", (event) => {
      event.preventDefault(); // keep focus in the box until we navigate
      window.location.assign(url);
    });
    return item;
  }

  // A link-like option: "Did you mean" and "See all" are places to go, as results are.
  function suggestion(data) {
    const text = document.createElement("span");
    text.className = "live-results__suggestion";
    const word = document.createElement("strong");
    word.textContent = data.suggestion;
    text.append("Did you mean ", word, "?");
    return option("live-result-suggestion", `${form.action}?q=${encodeURIComponent(data.suggestion)}`, [text]);
  }

  function show(data, query) {
    const items = data.results.slice(0, 6).map((hit, i) =>
      option(`live-result-${i}`, hit.link || hit.url, [
        marked(hit.title_html, "live-results__title"),
        marked(hit.snippet, "live-results__snippet"),
      ]),
    );
    if (data.suggestion) items.unshift(suggestion(data));
    if (data.total > 0) {
      const more = document.createElement("span");
      more.className = "live-results__more";
      more.textContent = `See all ${data.total} result${data.total === 1 ? "" : "s"} →`;
      const all = option("live-result-all", `${form.action}?q=${encodeURIComponent(query)}`, [more]);
      all.classList.add("live-results__all");
      items.push(all);
    }
    // No results and nothing to suggest: a message, never a listbox without options.
    empty.hidden = items.length > 0;
    list.replaceChildren(...items);
    list.hidden = !items.length;
    input.setAttribute("aria-expanded", String(items.length > 0));
    input.removeAttribute("aria-activedescendant");
    active = -1;
    status.textContent = data.total
      ? `${data.total} results. Use the arrow keys to choose.`
      : data.suggestion ? `No results. Did you mean ${data.suggestion}?` : "No results.";
  }

  async function update() {
    const query = input.value.trim();
    if (query.length < 2) return close();
    controller?.abort();
    controller = new AbortController();
    try {
      // Until a space follows it, the last word is unfinished: let it match longer words.
      const typing = /\s$/.test(input.value) ? "" : "&typing=1";
      const response = await fetch(`${endpoint}?q=${encodeURIComponent(query)}${typing}`, {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return close();
      show(await response.json(), query);
    } catch (error) {
      if (error.name !== "AbortError") close();
    }
  }

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 180);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (list.hidden) return;
      event.preventDefault();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.assign(options()[active].dataset.url);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    } else if (event.key === "Escape") {
      input.value = ""; // as a search field does: a second Escape clears the box
    }
  });
  input.addEventListener("blur", close);
})();
