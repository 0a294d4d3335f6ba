/* 阳光公开 static search: answers /search/?q=… in the browser from search/data/ (no server).
   Same tokenising rule as search/analysis.py; the index format is described in
   search/index/static_index.py. Files are loaded with <script> tags, so this works from file://. */
(function () {
  "use strict";
  var results = document.getElementById("search-results");
  if (!results || results.getAttribute("data-source") !== "static") return; // the service answered
  var match = location.href.match(/^(.*?\/)((?:care|a11y)\/)?search\/(?:index\.html)?(?:[?#].*)?$/);
  var root = match ? match[1] : "/";
  var modeRoot = root + (match && match[2] ? match[2] : ""); // links stay in 长者模式 /care/ or 无障碍 /a11y/
  var data = root + "search/data/";
  var fileMode = location.protocol === "file:";
  var PAGE_SIZE = 10, MAX_CHARS = 64, MAX_RAW = 256, MAX_PARTS = 8, MAX_TERMS = 48;
  var EXACT = 30, TITLE = 4, SNIPPET = 90;
  var RUNS = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9a-z]+/g;
  var DOC_NUMBER = /^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+\s*[\(\[【〔﹝〖]?\s*\d{4}\s*[\)\]】〕﹞〗]?\s*第?\s*\d+\s*号?$/;
  var DOC_FOLD = /[\s\(\)\[\]【】〔〕﹝﹞〖〗第号]/g;
  var INDEX_NUMBER = /^[0-9a-z]{6,18}[\/\-]\d{4}-\d{1,8}$/;
  var CONTROL = /[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var BODY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_!$%()*+,.:";

  var store = { meta: null, fold: {}, terms: {}, body: {}, docs: {}, facets: {}, forgiving: null, pinyin: {}, fixes: {}, sounds: {}, phrase: {} };
  var waiting = {};
  window.YGSearch = {
    meta: function (m) { store.meta = m; },
    fold: function (pairs) { for (var i = 0; i + 1 < pairs.length; i += 2) store.fold[pairs[i]] = pairs[i + 1]; },
    terms: function (n, table) { store.terms[n] = table; },
    body: function (n, table) { store.body[n] = table; },
    docs: function (n, rows) { store.docs[n] = rows; },
    facet: function (name, text) {  // v/<name>.js: the records of one filter value, as a set
      var set = {};
      postingsOf(text).forEach(function (r) { set[r] = 1; });
      store.facets[name] = set;
    },
    forgiving: function (f) { store.forgiving = f; },
    pinyin: function (n, table) { store.pinyin[n] = table; },
    fixes: function (n, table) { store.fixes[n] = table; },
    phrase: function (n, table) { store.phrase[n] = table; },
    sounds: function (table) {  // toneless pinyin → its characters; kept as character → syllables
      store.sounds = {};
      for (var syllable in table) for (var i = 0; i < table[syllable].length; i++) {
        var c = table[syllable][i];
        (store.sounds[c] = store.sounds[c] || []).push(syllable);
      }
    }
  };

  function load(path, done) {
    if (waiting[path] === true) { done(); return; } // loaded already
    if (waiting[path]) { waiting[path].push(done); return; }
    waiting[path] = [done];
    var s = document.createElement("script");
    s.src = data + path;
    s.onload = s.onerror = function () { var f = waiting[path]; waiting[path] = true; f.forEach(function (g) { g(); }); };
    document.head.appendChild(s);
  }
  function loadAll(paths, done) {
    var left = paths.length;
    if (!left) { done(); return; }
    paths.forEach(function (p) { load(p, function () { if (--left === 0) done(); }); });
  }

  function normalise(text) {
    var s = text.normalize("NFKC").toLowerCase(), out = "";
    for (var i = 0; i < s.length; i++) out += store.fold[s[i]] || s[i];
    return out;
  }
  function isAscii(run) { return run.charCodeAt(0) < 0x3400; }
  function queryTerms(text) {
    var out = [], runs = text.match(RUNS) || [];
    runs.forEach(function (run) {
      if (isAscii(run)) out.push(run.slice(0, 32));
      else if (run.length === 1) out.push(run);
      else for (var i = 0; i + 1 < run.length; i++) out.push(run.substr(i, 2));
    });
    return out.filter(function (t, i) { return out.indexOf(t) === i; });
  }
  // search/analysis.py body_grams: one or two characters as they are, longer runs as every second trigram and the last, a word as itself
  function bodyGrams(text) {
    var out = [], runs = text.match(RUNS) || [];
    runs.forEach(function (run) {
      if (isAscii(run)) out.push(run.slice(0, 32));
      else if (run.length <= 2) out.push(run);
      else {  // every second trigram and the last
        for (var i = 0; i + 2 < run.length; i += 2) out.push(run.substr(i, 3));
        out.push(run.substr(run.length - 3, 3));
      }
    });
    return out.filter(function (t, i) { return out.indexOf(t) === i; });
  }
  // search/analysis.py phrase_offsets: per run of five or more characters, the five at 0, 3, 6 … (at every
  // character in a run shorter than ten) and
  // the last five, each with where it starts in the phrase without spaces
  function phraseOffsets(text) {
    var out = [], re = new RegExp(RUNS.source, "g"), m;
    while ((m = re.exec(text))) {
      var run = m[0], at = [];
      if (isAscii(run) || run.length < 5) continue;
      var start = m.index - (text.slice(0, m.index).match(/\s/g) || []).length;
      for (var i = 0, step = run.length < 10 ? 1 : 3; i + 5 <= run.length; i += step) at.push(i);
      if (at.indexOf(run.length - 5) < 0) at.push(run.length - 5);
      at.forEach(function (i) { out.push([run.substr(i, 5), start + i]); });
    }
    return out;
  }
  // search/index/body_index.py phrase_bucket: FNV-1a of the code points, modulo 2,097,143
  function phraseBucket(gram) {
    var h = 2166136261;
    for (var i = 0; i < gram.length; i++) h = Math.imul(h ^ gram.charCodeAt(i), 16777619) >>> 0;
    return h % 2097143;
  }
  function phraseName(bucket) {  // static_index.phrase_name
    var v = Math.floor(bucket / store.meta.xshards), name = "";
    do { name = String.fromCharCode(97 + v % 26) + name; v = Math.floor(v / 26); } while (v);
    return name;
  }
  var CRC = [];
  for (var c = 0; c < 256; c++) {
    var r = c;
    for (var k = 0; k < 8; k++) r = r & 1 ? 0xEDB88320 ^ (r >>> 1) : r >>> 1;
    CRC.push(r >>> 0);
  }
  function crc32(word) {  // zlib.crc32 of an ASCII word (search/stored.py word_hash)
    var h = 0xFFFFFFFF;
    for (var i = 0; i < word.length; i++) h = CRC[(h ^ word.charCodeAt(i)) & 0xFF] ^ (h >>> 8);
    return (h ^ 0xFFFFFFFF) >>> 0;
  }
  // search/index/static_index.py body_term: a gram's name in b/<n>.js and its shard hash
  function bodyName(gram) {
    if (!isAscii(gram)) return [gram, hash(gram)];
    var crc = crc32(gram), name = "", v = crc;
    do { name = String.fromCharCode(97 + v % 26) + name; v = Math.floor(v / 26); } while (v);
    return ["#" + name, crc % 1000003];
  }
  function parse(raw, extra) {
    if (raw.length > MAX_RAW) throw new Error("检索词过长：最多 " + MAX_CHARS + " 个字");
    var text = normalise(raw).replace(CONTROL, " ").split(/\s+/).filter(Boolean).join(" ");
    if (text.length > MAX_CHARS) throw new Error("检索词过长：最多 " + MAX_CHARS + " 个字");
    var parts = [], highlights = [], total = 0, re = /"([^"]*)"|(\S+)/g, m;
    var synonyms = extra || store.meta.synonyms;
    while ((m = re.exec(text))) {
      var chunk = (m[1] !== undefined ? m[1] : m[2]).trim();
      var variants = [chunk].concat(synonyms[chunk] || []), alts = [];
      variants.forEach(function (v) {
        var terms = queryTerms(v);
        if (!terms.length) return;
        if (terms.length > MAX_TERMS) throw new Error("检索词过长，请缩短后再试");
        var compact = v.replace(/ /g, "");
        var alt = { terms: terms, grams: bodyGrams(v), text: v.replace(/\s/g, ""), offsets: phraseOffsets(v),
          doc: DOC_NUMBER.test(compact) ? normalise(compact).replace(DOC_FOLD, "") : null,
          idx: INDEX_NUMBER.test(compact) ? normalise(compact).replace(/[^0-9a-z]/g, "") : null };
        alts.push(alt);
        total += terms.length;
        if (alt.doc || alt.idx) highlights.push(v); else highlights = highlights.concat(v.match(RUNS) || []);
      });
      if (alts.length) parts.push({ text: chunk, alts: alts, quoted: m[1] !== undefined });
    }
    if (parts.length > MAX_PARTS) throw new Error("检索词过多：最多 " + MAX_PARTS + " 个词");
    if (total > MAX_TERMS * 2) throw new Error("检索词过多，请缩短后再试");
    return { text: text, parts: parts, highlights: highlights.filter(function (h, i) { return h && highlights.indexOf(h) === i; }) };
  }

  function hash(term) {
    var h = 0;
    for (var i = 0; i < term.length; i++) h = (h * 31 + term.charCodeAt(i)) % 1000003;
    return h;
  }
  // static_index.decode_term_postings: record·2 (+1 in the title) as deltas, or split: the title records "|" the others
  function postings(term) {
    var text = (store.terms[hash(term) % store.meta.shards] || {})[term], at = text ? text.indexOf("|") : -1;
    if (at < 0) return decode(text, ALPHABET);
    var out = postingsOf(text.slice(0, at)).map(function (r) { return r * 2 + 1; })
      .concat(postingsOf(text.slice(at + 1)).map(function (r) { return r * 2; }));
    return out.sort(function (a, b) { return a - b; });
  }
  function bodyPostings(gram) {
    if (!store.meta.bshards) return [];
    var name = bodyName(gram);
    return postingsOf((store.body[name[1] % store.meta.bshards] || {})[name[0]]);
  }
  function postingsOf(text) {  // static_index.decode_body_postings: deltas, or a bitmap
    var out = [];
    if (!text || text[0] !== "~") return decode(text, BODY_ALPHABET);
    for (var i = 1; i < text.length; i++) {  // a bitmap: six records a character, bit 32 first
      var v = BODY_ALPHABET.indexOf(text[i]);
      for (var b = 0; b < 6; b++) if (v & (32 >> b)) out.push((i - 1) * 6 + b);
    }
    return out;
  }
  // static_query.phrase_entry: the records of a check gram's bucket (x/<n>.js) and, unless it is written
  // without them, per record [modulus, its positions]
  function phraseEntry(gram) {
    var bucket = phraseBucket(gram), text = (store.phrase[bucket % store.meta.xshards] || {})[phraseName(bucket)] || "";
    var at = text.indexOf("|"), records = postingsOf(at < 0 ? text : text.slice(0, at)), table = null;
    if (at >= 0) {
      var data = text.slice(at + 1), current = [], n = 0;
      table = {};
      for (var i = 0; i < data.length;) {
        if (data[i] === "~") { table[records[n++]] = [0, []]; i++; continue; }  // repeated there: any position
        var first = BODY_ALPHABET.indexOf(data[i]), wide = first & 16, value = first & 15, width = wide ? 3 : 2;
        for (var j = 1; j < width; j++) value = value * 64 + BODY_ALPHABET.indexOf(data[i + j]);
        i += width;
        current.push(value);
        if (first & 32) { table[records[n++]] = [wide ? 65536 : 1024, current]; current = []; }
      }
    }
    var holders = {};
    records.forEach(function (r) { holders[r] = 1; });
    return [holders, table];
  }
  // static_query.aligned: the records of docs whose body has the check grams at their distances in the phrase
  function aligned(offsets, docs) {
    if (!offsets.length || !store.meta.xshards) return docs;
    var tables = offsets.map(function (o) { return [o[1]].concat(phraseEntry(o[0])); }), out = {};
    for (var d in docs) {
      var shifts = null, held = true;
      for (var k = 0; k < tables.length && held; k++) {
        var offset = tables[k][0], holders = tables[k][1], table = tables[k][2];
        if (!holders[d]) { held = false; break; }
        if (!table || !table[d][0]) continue;
        var e = table[d], found = {};
        e[1].forEach(function (p) { found[((p - offset) % e[0] + e[0]) % e[0]] = 1; });
        if (shifts === null) shifts = found;
        else { var next = {}; for (var s in shifts) if (found[s]) next[s] = 1; shifts = next; }
        if (!Object.keys(shifts).length) held = false;
      }
      if (held) out[d] = 1;
    }
    return out;
  }
  function decode(text, alphabet) {
    var out = [], value = 0, last = 0;
    if (!text) return out;
    for (var i = 0; i < text.length; i++) {
      var d = alphabet.indexOf(text[i]);
      value = value * 32 + (d & 31);
      if (d < 32) { last += value; out.push(last); value = 0; }
    }
    return out;
  }
  function isTrigram(t) { return t.length === 3 && t >= "\u3400"; }
  function bodyShards(q) {
    var files = [];
    if (!store.meta.bshards) return files;
    q.parts.forEach(function (p) { p.alts.forEach(function (a) {
      a.grams.forEach(function (g) { files.push("b/" + (bodyName(g)[1] % store.meta.bshards) + ".js"); });
      if (store.meta.xshards && needsCheck(p))  // the check grams of a phrase (exactFirst)
        a.offsets.forEach(function (o) { files.push("x/" + (phraseBucket(o[0]) % store.meta.xshards) + ".js"); });
    }); });
    return files;
  }
  // search/analysis.py needs_check: a part longer than one gram could match in pieces
  function needsCheck(part) {
    return part.alts.some(function (a) { return a.grams.length > 1 || (part.quoted && a.terms.length > 1); });
  }
  function neededTerms(q) {
    var terms = [];
    q.parts.forEach(function (p) { p.alts.forEach(function (a) {
      terms = terms.concat(a.terms);
      if (needsCheck(p)) terms = terms.concat(a.grams.filter(isTrigram));  // metadata trigrams: the exact check
      if (a.doc) terms.push("#d" + a.doc);
      if (a.idx) terms.push("#i" + a.idx);
    }); });
    return terms;
  }
  function scoreAlternative(alt, count) {
    var scores = null;
    alt.terms.forEach(function (term) {
      var list = postings(term), docs = {}, seen = {};
      list.forEach(function (p) { seen[p >> 1] = 1; });
      var idf = Math.log(1 + count / (Object.keys(seen).length || 1));
      list.forEach(function (p) {
        var doc = p >> 1, w = idf * ((p & 1) ? TITLE : 1);
        docs[doc] = Math.max(docs[doc] || 0, w);
      });
      if (scores === null) scores = docs;
      else {
        var next = {};
        for (var k in scores) if (k in docs) next[k] = scores[k] + docs[k];
        scores = next;
      }
    });
    scores = scores || {};
    [["#d", alt.doc], ["#i", alt.idx]].forEach(function (e) {
      if (!e[1]) return;
      postings(e[0] + e[1]).forEach(function (p) { scores[p >> 1] = (scores[p >> 1] || 0) + EXACT; });
    });
    return scores;
  }
  // Records whose body holds every term of alt, each with the sum of the terms' idf (static_query._body).
  function scoreBody(alt, count) {
    var docs = null, weight = 0, out = {};
    if (!store.meta.bshards || !alt.grams.length) return out;
    alt.grams.forEach(function (term) {
      var list = bodyPostings(term), next = {};
      weight += Math.log(1 + count / (list.length || 1));
      list.forEach(function (d) { if (docs === null || docs[d]) next[d] = 1; });
      docs = next;
    });
    weight = Math.floor(weight * 1e6 + 0.5) / 1e6;
    for (var d in docs) out[d] = weight;
    return out;
  }
  // Per record: [every part matched in the metadata, metadata score, parts matched in the metadata, body score]
  function evaluate(q) {
    var meta = store.meta, count = meta.count, total = null;
    q.parts.forEach(function (part) {
      var best = {}, body = {};
      function keep(scores) { for (var k in scores) best[k] = Math.max(best[k] || 0, scores[k]); }
      part.alts.forEach(function (alt) {
        keep(scoreAlternative(alt, count));
        var b = scoreBody(alt, count);
        for (var k in b) body[k] = Math.max(body[k] || 0, b[k]);
      });
      named(part).forEach(function (name) {
        for (var i in store.facets[name] || {}) best[i] = Math.max(best[i] || 0, 1);
      });
      var scores = {};
      for (var k in best) scores[k] = [true, best[k], 1, 0];
      for (k in body) if (!(k in best)) scores[k] = [false, 0, 0, body[k]];
      if (total === null) total = scores;
      else {
        var next = {};
        for (k in total) if (k in scores) {
          var a = total[k], b = scores[k];
          next[k] = [a[0] && b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]];
        }
        total = next;
      }
    });
    return total || {};
  }
  // search/ranking.py rank_key: metadata matches first by score; then parts matched in the metadata, body score, number
  function rankKey(s, id) { return s[0] ? [0, -s[1], 0, id] : [1, -s[2], -s[3], id]; }
  function compareKeys(a, b) { for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1; return 0; }
  // static_query.evaluate: the facets (v/a<n>.js, v/c<n>.js) of the agencies a part names and of the categories it is the name of
  function named(part) {
    var meta = store.meta, needle = normalise(part.text), out = [];
    if (!needle) return out;
    meta.agencies.forEach(function (a, i) { if (normalise(a).indexOf(needle) >= 0) out.push("a" + i); });
    meta.categories.forEach(function (c, i) { if (normalise(c.split("/").pop()) === needle) out.push("c" + i); });
    return out;
  }
  // static_query.filter: the facets the filters set need; null when one names a value the site lacks
  function filterFacets(params) {
    var meta = store.meta, out = [], kinds = meta.kinds.map(function (k) { return k[0]; }), missing = false;
    [["agency", "a", meta.agencies], ["category", "c", meta.categories], ["kind", "k", kinds], ["validity", "s", meta.validities]]
      .forEach(function (f) {
        if (!params[f[0]]) return;
        var i = f[2].indexOf(params[f[0]]);
        if (i < 0) missing = true; else out.push(f[1] + i);
      });
    if (params.year && !meta.years.hasOwnProperty(params.year)) missing = true;
    return missing ? null : out;
  }
  function filtered(q, scores, params) {
    var meta = store.meta, ids = [], names = filterFacets(params);
    if (names === null) return [];
    var span = params.year ? meta.years[params.year] : [0, meta.count];
    for (var k in scores) {
      var id = +k;
      if (id < span[0] || id >= span[1]) continue;
      if (names.every(function (name) { return (store.facets[name] || {})[id]; })) ids.push(id);
    }
    ids.sort(params.sort === "date"  // the records are newest first (static_index.year_ranges)
      ? function (a, b) { return a - b; }
      : function (a, b) { return compareKeys(rankKey(scores[a], a), rankKey(scores[b], b)); });
    return exactFirst(q, ids, params.sort !== "date");
  }
  // static_query.exact_first: records holding every checked part as written first (its trigrams
  // in the metadata, or its grams and check grams in the body), without those lacking a quoted part
  function holding(part) {
    var found = {};
    part.alts.forEach(function (alt) {
      var tri = alt.grams.filter(isTrigram);
      if (tri.length && tri.length === alt.grams.length) {
        var inMeta = null;
        tri.forEach(function (g) {
          var docs = {};
          postings(g).forEach(function (p) { docs[p >> 1] = 1; });
          if (inMeta === null) inMeta = docs;
          else { var next = {}; for (var k in inMeta) if (docs[k]) next[k] = 1; inMeta = next; }
        });
        for (var k in inMeta || {}) found[k] = 1;
      }
      for (var d in aligned(alt.offsets, scoreBody(alt, store.meta.count))) found[d] = 1;
    });
    return found;
  }
  function exactFirst(q, ids, reorder) {
    var checked = q.parts.filter(needsCheck);
    if (!checked.length) return ids;
    var held = checked.map(holding);
    var kept = ids.filter(function (id) { return checked.every(function (p, i) { return !p.quoted || held[i][id]; }); });
    if (!reorder) return kept;
    var exact = kept.filter(function (id) { return held.every(function (h) { return h[id]; }); });
    return exact.concat(kept.filter(function (id) { return !held.every(function (h) { return h[id]; }); }));
  }

  function escapeHtml(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }
  function pattern(words) {
    words = words.filter(Boolean).sort(function (a, b) { return b.length - a.length; });
    if (!words.length) return null;
    return new RegExp(words.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join("|"), "g");
  }
  function highlight(text, words) {
    var folded = normalise(text), re = pattern(words), out = "", last = 0, m;
    if (!re || folded.length !== text.length) return escapeHtml(text);
    while ((m = re.exec(folded))) {
      out += escapeHtml(text.slice(last, m.index)) + "<mark>" + escapeHtml(text.slice(m.index, m.index + m[0].length)) + "</mark>";
      last = m.index + m[0].length;
    }
    return out + escapeHtml(text.slice(last));
  }
  function snippet(text, words) {
    var folded = normalise(text), re = pattern(words), start = 0;
    if (re && folded.length === text.length) {
      var m = re.exec(folded);
      if (m && m.index > SNIPPET / 3) start = m.index - Math.floor(SNIPPET / 3);
    }
    return (start ? "…" : "") + highlight(text.substr(start, SNIPPET), words) + (start + SNIPPET < text.length ? "…" : "");
  }
  // search/parts.py part_of: the part of the page (approval item, step, attachment) holding most of
  // the query's words that the title and the summary do not, the first of equals; -1 for none.
  function partOf(parts, words, shown) {
    var folded = shown.map(normalise), missing = [], best = 0, found = -1;
    words.forEach(function (w) {
      w = normalise(w);
      if (w && !folded.some(function (t) { return t.indexOf(w) >= 0; })) missing.push(w);
    });
    if (!missing.length) return -1;
    (parts || []).forEach(function (part, i) {
      var text = normalise(part.slice(2).join(" ")), n = 0;
      missing.forEach(function (w) { if (text.indexOf(w) >= 0) n++; });
      if (n > best) { best = n; found = i; }
    });
    return found;
  }
  function recordUrl(slug) { return modeRoot + "records/" + encodeURIComponent(slug) + "/" + (fileMode ? "index.html" : ""); }
  function pageUrl(params, page) {
    var keys = ["q", "agency", "category", "year", "kind", "validity", "sort"], out = [];
    keys.forEach(function (k) { if (params[k]) out.push(k + "=" + encodeURIComponent(params[k])); });
    if (page > 1) out.push("page=" + page);
    return location.href.split(/[?#]/)[0] + "?" + out.join("&");
  }

  function feedLink(params) {  // templates/search_parts.html search_feed: 订阅此检索（Atom）, same q and filters
    var out = [];
    ["q", "agency", "category", "year", "kind", "validity"].forEach(function (k) { if (params[k]) out.push(k + "=" + encodeURIComponent(params[k])); });
    return '<p class="search-feed"><a href="' + escapeHtml(root + "api/search.atom?" + out.join("&")) + '" type="application/atom+xml">订阅此检索（Atom）</a></p>';
  }
  function render(q, params, ids, fix) {
    var meta = store.meta, page = Math.max(1, Math.min(parseInt(params.page, 10) || 1, Math.ceil(ids.length / PAGE_SIZE) || 1));
    var shown = ids.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    var chunks = shown.map(function (id) { return Math.floor(id / meta.chunk); }).filter(function (c, i, a) { return a.indexOf(c) === i; });
    loadAll(chunks.map(function (c) { return "d/" + c + ".js"; }), function () {
      var pages = Math.max(1, Math.ceil(ids.length / PAGE_SIZE));
      var kinds = {}; meta.kinds.forEach(function (k) { kinds[k[0]] = k[1]; });
      var html = '<p class="search-count">检索“' + escapeHtml(q.text) + '”，共找到 <strong>' + ids.length + "</strong> 条信息" +
        (ids.length ? "，第 " + page + "/" + pages + " 页" : "") + "。</p>";
      if (!ids.length && fix) html += '<p class="did-you-mean">您是不是要找：<a href="' + escapeHtml(pageUrl(Object.assign({}, params, { q: fix }), 1)) + '">' + escapeHtml(fix) + "</a></p>";
      if (!ids.length) html += '<p>没有找到相关信息。可以减少检索词、换用同义词，或按<a href="' + modeRoot + "catalog/" + (fileMode ? "index.html" : "") + '">政府信息公开目录</a>浏览。</p>' +
        '<p>本站没有主动公开所需的信息，可以<a href="' + modeRoot + "apply/" + (fileMode ? "index.html" : "") + '">申请政府信息公开</a>。</p>';
      else {
        html += '<ol class="search-results" start="' + ((page - 1) * PAGE_SIZE + 1) + '">';
        shown.forEach(function (id) {
          var row = (store.docs[Math.floor(id / meta.chunk)] || [])[id % meta.chunk];
          if (!row) return;
          var kind = meta.kinds[row[6]][0], validity = meta.validities[row[7]];
          var place = partOf(row[8], q.highlights, [row[1], row[5]]), part = place >= 0 ? row[8][place] : null;
          var url = recordUrl(row[0]) + (part ? "#" + part[0] : "");
          var shown = part ? escapeHtml(part[1]) + "：" + highlight(part[2], q.highlights) : snippet(row[5], q.highlights);
          html += '<li><a href="' + escapeHtml(url) + '">' + highlight(row[1], q.highlights) + "</a>" +
            '<span class="meta">' + escapeHtml(kinds[kind] || kind) + (row[2] ? " · " + escapeHtml(row[2]) : "") + " · " + escapeHtml(row[3]) +
            ' · <time datetime="' + row[4] + '">' + row[4] + "</time>" + (validity !== "有效" ? ' · <span class="validity">' + escapeHtml(validity) + "</span>" : "") +
            '</span><span class="snippet">' + shown + "</span></li>";
        });
        html += "</ol>";
        if (pages > 1) {
          html += '<nav class="pagination" aria-label="分页">' +
            (page > 1 ? '<a href="' + escapeHtml(pageUrl(params, page - 1)) + '" rel="prev">上一页</a>' : "") +
            "<span>第 " + page + " 页，共 " + pages + " 页</span>" +
            (page < pages ? '<a href="' + escapeHtml(pageUrl(params, page + 1)) + '" rel="next">下一页</a>' : "") + "</nav>";
        }
      }
      if (!fileMode) html += feedLink(params);  // the search service answers it (search/service/atom.py)
      results.innerHTML = html;
      results.setAttribute("data-state", "done");
    });
  }
  function fail(message) {
    results.innerHTML = '<p class="search-error" role="alert">' + escapeHtml(message) + "</p>";
    results.setAttribute("data-state", "done");
  }

  // Forgiving input (search/spelling.py, search/index/forgiving.py): a query of Latin letters that
  // spells words in pinyin searches them too; a query that finds nothing is offered a close one.
  function spelledKey(text) { return /^[a-z]+(?:[ ']+[a-z]+)*$/.test(text) ? text.replace(/[ ']/g, "") : null; }
  function clean(raw) { return normalise(raw).replace(CONTROL, " ").split(/\s+/).filter(Boolean).join(" "); }
  // p/<n>.js: pinyin and initials keys by their hash (f.js tells how many shards)
  function pinyinFile(key) { return store.forgiving ? "p/" + (hash(key) % store.forgiving.pshards) + ".js" : "f.js"; }
  function spelledWords(key) { return store.forgiving ? (store.pinyin[hash(key) % store.forgiving.pshards] || {})[key] : null; }
  function find(raw, done) {
    var text = clean(raw), key = spelledKey(text);
    loadAll(key ? ["f.js"] : [], function () { loadAll(key ? [pinyinFile(key)] : [], function () {
      var q, words = key ? spelledWords(key) : null, extra = null;
      try {
        if (words) {
          extra = Object.assign({}, store.meta.synonyms);
          extra[key] = (extra[key] || []).concat(words);
          q = parse(key, extra); q.text = text;
        } else q = parse(raw);
      } catch (e) { done(e); return; }
      if (!q.parts.length) { done(null, q, []); return; }
      var facets = filterFacets(params) || [];
      q.parts.forEach(function (p) { facets = facets.concat(named(p)); });
      var files = neededTerms(q).map(function (t) { return "t/" + (hash(t) % store.meta.shards) + ".js"; })
        .concat(bodyShards(q), facets.map(function (f) { return "v/" + f + ".js"; }));
      loadAll(files.filter(function (f, i) { return files.indexOf(f) === i; }), function () {
        done(null, q, filtered(q, evaluate(q), params));
      });
    }); });
  }
  function oneEdit(a, b) {
    if (a === b || Math.abs(a.length - b.length) > 1) return false;
    if (a.length > b.length) { var t = a; a = b; b = t; }
    var i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    return a.length === b.length ? a.slice(i + 1) === b.slice(i + 1) : a.slice(i) === b.slice(i + 1);
  }
  function fixKeys(part) {
    if (part.length < 2) return [];
    var keys = [part];
    for (var i = 0; i < part.length; i++) keys.push(part.slice(0, i) + part.slice(i + 1));
    return keys;
  }
  // search.spelling.sounds_alike: one character replaced by one of the same sound (y.js)
  function soundsAlike(typed, candidate) {
    if (typed.length !== candidate.length) return false;
    var changed = [];
    for (var i = 0; i < typed.length; i++) if (typed[i] !== candidate[i]) changed.push(i);
    if (changed.length !== 1) return false;
    var a = store.sounds[typed[changed[0]]] || [], b = store.sounds[candidate[changed[0]]] || [];
    return a.some(function (s) { return b.indexOf(s) >= 0; });
  }
  // search.spelling.corrections: one part changed, a replaced character before one added or dropped,
  // one of the same sound first, then most records;
  // the first that finds something wins
  function correct(text, params, done) {
    var parts = text.replace(/"/g, " ").split(/\s+/).filter(Boolean);
    loadAll(["f.js"], function () {
      if (!store.forgiving) { done(null); return; }
      var n = store.forgiving.cshards, files = ["y.js"];
      parts.forEach(function (p) {
        fixKeys(p).forEach(function (k) { files.push("c/" + (hash(k) % n) + ".js"); });
        var key = spelledKey(p);
        if (key) files.push(pinyinFile(key));
      });
      loadAll(files.filter(function (f, i) { return files.indexOf(f) === i; }), function () {
        var found = [];
        function add(records, i, word) {
          found.push([word.length !== parts[i].length ? 1 : 0, soundsAlike(parts[i], word) ? 0 : 1, -records, found.length,
            parts.slice(0, i).concat([word], parts.slice(i + 1)).join(" ")]);
        }
        parts.forEach(function (p, i) {
          var best = {};
          fixKeys(p).forEach(function (k) {
            ((store.fixes[hash(k) % n] || {})[k] || []).forEach(function (row) {
              if (oneEdit(p, row[0])) best[row[1]] = Math.max(best[row[1]] || 0, row[2]);
            });
          });
          Object.keys(best).sort(function (a, b) { return best[b] - best[a] || (a < b ? -1 : a > b ? 1 : 0); })
            .forEach(function (w) { add(best[w], i, w); });
          var key = spelledKey(p), words = key ? spelledWords(key) : null;
          if (words) add(0, i, words[0]);
          var other = (store.meta.synonyms[p] || [])[0];
          if (other) add(0, i, other);
        });
        found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]; });
        var seen = {}, candidates = [];
        found.forEach(function (f) { if (!seen[f[4]] && f[4] !== parts.join(" ")) { seen[f[4]] = 1; candidates.push(f[4]); } });
        (function next(i) {
          if (i >= Math.min(candidates.length, 3)) { done(null); return; }
          find(candidates[i], function (error, q, ids) { if (!error && ids.length) done(candidates[i]); else next(i + 1); });
        })(0);
      });
    });
  }

  var params = {};
  location.search.replace(/^\?/, "").split("&").forEach(function (pair) {
    if (!pair) return;
    var i = pair.indexOf("="), key = decodeURIComponent(i < 0 ? pair : pair.slice(0, i));
    try { params[key] = decodeURIComponent((i < 0 ? "" : pair.slice(i + 1)).replace(/\+/g, " ")); } catch (e) { params[key] = ""; }
  });
  var form = document.getElementById("search-form");
  if (form) {
    form.setAttribute("action", location.href.split(/[?#]/)[0]);
    ["q", "agency", "category", "year", "kind", "validity", "sort"].forEach(function (k) {
      if (params[k] && form.elements[k]) form.elements[k].value = params[k];
    });
  }
  if (!params.q || !params.q.trim()) { results.setAttribute("data-state", "done"); return; }
  results.innerHTML = "<p>正在检索…</p>";
  loadAll(["meta.js", "fold.js"], function () {
    if (!store.meta) { fail("检索索引未能加载，请按政府信息公开目录浏览。"); return; }
    find(params.q, function (error, q, ids) {
      if (error) { fail(error.message); return; }
      if (ids.length || !q.parts.length) { render(q, params, ids); return; }
      correct(q.text, params, function (fix) { render(q, params, ids, fix); });
    });
  });
})();
