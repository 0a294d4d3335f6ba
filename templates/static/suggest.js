/* 阳光公开 suggestions while typing, on every search box (input[name=q] in a role=search form):
   a WAI-ARIA 1.2 combobox with a listbox (arrow keys, Enter, Escape). From /api/suggest when the
   search service answers, else from search/data/g/<n>.js (search/index/forgiving.py: per first one
   or two characters of the key, search/spelling.py suggest_key). Without JavaScript the form works as is. */
(function () {
  "use strict";
  var me = document.currentScript, src = me ? me.src : "";
  var root = src.replace(/static\/suggest\.js(?:[?#].*)?$/, "");
  if (!root || !document.querySelector) return;
  var rest = location.href.indexOf(root) === 0 ? location.href.slice(root.length) : "";
  var mode = (rest.match(/^(care|a11y)\//) || [""])[0], fileMode = location.protocol === "file:";
  var service = fileMode ? false : null, store = { f: null, g: {} }, waiting = {}, serial = 0;
  var Y = window.YGSearch = window.YGSearch || {}, before = Y.forgiving;
  Y.forgiving = function (f) { store.f = f; if (before) before(f); };
  Y.suggest = function (n, table) { store.g[n] = table; };

  function load(path, done) {
    if (waiting[path] === true) { done(); return; } // loaded already
    if (waiting[path]) { waiting[path].push(done); return; }
    waiting[path] = [done];
    var s = document.createElement("script");
    s.src = root + "search/data/" + path;
    s.onload = s.onerror = function () { var f = waiting[path]; waiting[path] = true; f.forEach(function (g) { g(); }); };
    document.head.appendChild(s);
  }
  function key(text) { return text.normalize("NFKC").toLowerCase().replace(/[\s()[\]【】〔〕﹝﹞〖〗]/g, "").slice(0, 24); }
  function hash(term) { var h = 0; for (var i = 0; i < term.length; i++) h = (h * 31 + term.charCodeAt(i)) % 1000003; return h; }
  function url(slug, text) {
    var page = fileMode ? "index.html" : "";
    return slug ? root + mode + "records/" + encodeURIComponent(slug) + "/" + page : root + mode + "search/" + page + "?q=" + encodeURIComponent(text);
  }
  function fromFiles(prefix, done) {
    var k = key(prefix);
    if (!k) { done([]); return; }
    load("f.js", function () {
      if (!store.f) { done([]); return; }
      var bucket = k.slice(0, 2), n = hash(bucket) % store.f.gshards;
      load("g/" + n + ".js", function () {
        var out = [];
        ((store.g[n] || {})[bucket] || []).forEach(function (e) {
          if (out.length < 10 && e[0].indexOf(k) === 0) out.push({ text: e[1], url: url(e[2], e[1]) });
        });
        done(out);
      });
    });
  }
  function suggestions(prefix, done) {
    if (service === false) { fromFiles(prefix, done); return; }
    fetch(root + "api/suggest?q=" + encodeURIComponent(prefix), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok || (r.headers.get("Content-Type") || "").indexOf("json") < 0) throw new Error(); return r.json(); })
      .then(function (body) {
        service = true;
        done(body.suggestions.map(function (s) { return { text: s.text, url: s.url.charAt(0) === "/" ? root + mode + s.url.slice(1) : s.url }; }));
      })
      .catch(function () { service = false; fromFiles(prefix, done); });
  }

  function attach(input, number) {
    var list = document.createElement("ul"), items = [], active = -1, timer = null;
    list.id = "suggest-" + number;
    list.className = "suggest-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "检索建议");
    list.hidden = true;
    input.parentNode.insertBefore(list, input.nextSibling);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");
    function close() {
      list.hidden = true; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function mark(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      if (i >= 0) input.setAttribute("aria-activedescendant", list.children[i].id); else input.removeAttribute("aria-activedescendant");
    }
    function show(found) {
      items = found;
      list.textContent = "";
      found.forEach(function (s, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = s.text;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); location.href = s.url; });
        list.appendChild(li);
      });
      if (!found.length) { close(); return; }
      list.hidden = false; active = -1;
      input.setAttribute("aria-expanded", "true");
      input.removeAttribute("aria-activedescendant");
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var value = input.value.trim(), mine = ++serial;
      if (!value) { close(); return; }
      timer = setTimeout(function () { suggestions(value, function (found) { if (mine === serial) show(found); }); }, 60);
    });
    input.addEventListener("keydown", function (e) {
      var open = !list.hidden && items.length;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!open) return;
        e.preventDefault();
        var step = e.key === "ArrowDown" ? 1 : -1;
        mark(active + step < -1 ? items.length - 1 : active + step >= items.length ? -1 : active + step);
      } else if (e.key === "Enter" && open && active >= 0) {
        e.preventDefault();
        location.href = items[active].url;
      } else if (e.key === "Escape" && open) {
        e.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }
  Array.prototype.forEach.call(document.querySelectorAll('form[role="search"] input[name="q"]'), attach);
})();
