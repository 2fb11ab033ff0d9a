// Sends the add-article form to POST /v1/articles. The key goes in this one request's
// X-API-Key header and is cleared from the form afterwards; nothing is stored or logged.
"use strict";
(function () {
  const form = document.getElementById("add-article");
  const result = document.getElementById("add-result");
  if (!form || !result) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const field = (name) => form.elements.namedItem(name).value.trim();
    const article = { id: field("id"), outlet: field("outlet"), text: form.elements.namedItem("text").value };
    for (const name of ["title", "url", "published"]) {
      if (field(name)) article[name] = field(name);
    }
    const key = form.elements.namedItem("key");
    result.textContent = "Sending…";
    try {
      const response = await fetch("/v1/articles", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-API-Key": key.value },
        body: JSON.stringify({ articles: [article] }),
        credentials: "omit",
        cache: "no-store",
      });
      const body = await response.json().catch(() => ({}));
      result.replaceChildren();
      const message = document.createElement("p");
      if (response.ok) {
        const done = (body.results || [])[0] || {};
        message.textContent = `Added: ${done.status || "ok"}, ${(done.quotes || []).length} quotation(s) found. `;
        const link = document.createElement("a");
        link.href = "/articles/" + encodeURIComponent(done.duplicate_of || article.id);
        link.textContent = "Open the article";
        message.append(link);
      } else {
        message.textContent = `Not added (HTTP ${response.status}): ${body.detail || body.title || "error"}`;
      }
      result.append(message);
    } catch (error) {
      result.textContent = "Not added: the server could not be reached.";
    } finally {
      key.value = "";
    }
  });
})();
