// chroma serve: the page. Plain JavaScript and canvases; every request goes to this server.
// The edit (hints, options, the painted mask) lives here; the server turns it into a
// chroma.Pipeline and sends back the preview (working size) or the full-resolution export.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const TOKEN = new URLSearchParams(location.search).get("token") || "";
  const HIT = 9; // screen pixels within which a click grabs a hint

  const S = {
    info: null, W: 0, H: 0, ww: 0, wh: 0,
    before: null, after: null, afterData: null,
    hints: [], sel: -1,
    opts: {
      colorize: false, method: "prior", patch: 1, vibrancy: null,
      transfer: false, transfer_method: "reinhard", transfer_strength: 1, keep_luminance: false,
      transfer_masked: false, splash: false, background: "gray", tone: "#305080",
      splash_strength: 1, invert: false,
    },
    mask: document.createElement("canvas"), maskVersion: 0, maskUrl: null, maskUrlVersion: -1,
    tint: document.createElement("canvas"), tintVersion: -1,
    showMask: true, tool: "brush", brush: 30, feather: 0.5, fuzz: 12,
    tab: "colorize", view: { s: 1, ox: 0, oy: 0, fit: true }, split: 0, compare: false,
    history: [], hpos: -1, version: 0,
    want: 0, done: 0, inflight: false, renders: 0, exportCache: null,
    drag: null, space: false, pointer: null,
  };
  const view = $("view");
  const ctx = view.getContext("2d");

  // --- API ------------------------------------------------------------------------------
  async function api(path, { method = "GET", json, body, headers = {} } = {}) {
    const h = { "X-Chroma-Token": TOKEN, ...headers };
    if (json !== undefined) { h["Content-Type"] = "application/json"; body = JSON.stringify(json); }
    const r = await fetch(path, { method, body, headers: h, credentials: "same-origin" });
    if (!r.ok) {
      let msg = `${r.status} ${r.statusText}`;
      try { msg = (await r.json()).error || msg; } catch (e) { /* not JSON */ }
      throw new Error(msg);
    }
    return r;
  }
  const bitmap = async (r) => createImageBitmap(await r.blob());

  function status(text, error = false) {
    const el = $("status");
    el.textContent = text;
    el.classList.toggle("error", error);
  }
  function setState(state) { document.body.dataset.state = state; }

  // --- the edit -------------------------------------------------------------------------
  function usesMask() { return S.opts.splash || (S.opts.transfer && S.opts.transfer_masked); }
  function editJSON() {
    const o = S.opts;
    const hasRef = !!(S.info && S.info.reference);
    return {
      colorize: o.colorize, method: o.method, patch: o.patch,
      hints: S.hints.map((h) => [h.x, h.y, h.color]),
      vibrancy: o.method === "prior" ? o.vibrancy : null,
      transfer: o.transfer && hasRef, transfer_method: o.transfer_method,
      transfer_strength: o.transfer_strength, keep_luminance: o.keep_luminance,
      transfer_masked: o.transfer_masked,
      splash: o.splash, background: o.background === "tone" ? o.tone : o.background,
      splash_strength: o.splash_strength, invert: o.invert,
    };
  }
  function maskURL() {
    if (!usesMask()) return null;
    if (S.maskUrlVersion !== S.maskVersion) {
      S.maskUrl = S.mask.toDataURL("image/png");
      S.maskUrlVersion = S.maskVersion;
    }
    return S.maskUrl;
  }

  // --- history (undo / redo) --------------------------------------------------------------
  function snapshot() {
    const last = S.history[S.hpos];
    const alpha = last && last.maskVersion === S.maskVersion ? last.alpha
      : S.mask.getContext("2d").getImageData(0, 0, S.mask.width, S.mask.height).data;
    return { hints: S.hints.map((h) => ({ ...h })), opts: { ...S.opts }, alpha,
             maskVersion: S.maskVersion };
  }
  function record() {
    S.history.length = S.hpos + 1;
    S.history.push(snapshot());
    if (S.history.length > 80) S.history.shift();
    S.hpos = S.history.length - 1;
    S.version += 1;
    syncButtons();
  }
  function restore(state) {
    S.hints = state.hints.map((h) => ({ ...h }));
    S.opts = { ...state.opts };
    if (state.maskVersion !== S.maskVersion) {
      const c = S.mask.getContext("2d");
      const img = c.createImageData(S.mask.width, S.mask.height);
      img.data.set(state.alpha);
      c.putImageData(img, 0, 0);
      S.maskVersion = state.maskVersion;
    }
    S.sel = Math.min(S.sel, S.hints.length - 1);
    S.version += 1;
    syncControls();
    syncButtons();
    requestRender();
  }
  function undo() { if (S.hpos > 0) { S.hpos -= 1; restore(S.history[S.hpos]); } }
  function redo() {
    if (S.hpos < S.history.length - 1) { S.hpos += 1; restore(S.history[S.hpos]); }
  }
  let maskCounter = 0;
  function maskChanged() { maskCounter += 1; S.maskVersion = maskCounter; }

  // --- rendering ------------------------------------------------------------------------
  function requestRender() {
    if (!S.info || !S.info.image) return;
    S.want += 1;
    setState("busy");
    if (!S.inflight) doRender();
  }
  async function doRender() {
    const seq = S.want;
    S.inflight = true;
    const timer = setTimeout(() => $("busy").classList.remove("hidden"), 150);
    try {
      const r = await api("/api/render", { method: "POST",
                                           json: { edit: editJSON(), mask: maskURL() } });
      const ms = r.headers.get("X-Chroma-Compute-Ms");
      S.after = await bitmap(r);
      S.afterData = null;
      S.renders += 1;
      status(`${S.info.image.name}: ${S.W}×${S.H}, preview ${S.ww}×${S.wh} in ${ms} ms`);
    } catch (err) {
      status(err.message, true);
    } finally {
      clearTimeout(timer);
      S.inflight = false;
      S.done = seq;
    }
    if (S.want > S.done) { doRender(); return; }
    $("busy").classList.add("hidden");
    document.body.dataset.renders = String(S.renders);
    setState("idle");
    draw();
  }

  function resultPixel(wx, wy) {
    if (!S.after) return null;
    if (!S.afterData) {
      const c = document.createElement("canvas");
      c.width = S.ww; c.height = S.wh;
      const cx = c.getContext("2d");
      cx.drawImage(S.after, 0, 0);
      S.afterData = cx.getImageData(0, 0, S.ww, S.wh).data;
    }
    const i = 4 * (Math.min(S.wh - 1, Math.max(0, wy | 0)) * S.ww +
                   Math.min(S.ww - 1, Math.max(0, wx | 0)));
    const d = S.afterData;
    return "#" + [d[i], d[i + 1], d[i + 2]].map((v) => v.toString(16).padStart(2, "0")).join("");
  }

  // --- view: fit, zoom, pan, drawing ----------------------------------------------------------
  function resize() {
    const r = view.getBoundingClientRect();
    view.width = Math.max(1, Math.round(r.width));
    view.height = Math.max(1, Math.round(r.height));
    if (S.view.fit) fit();
    draw();
  }
  function fit() {
    if (!S.ww) return;
    const s = Math.min(view.width / S.ww, view.height / S.wh);
    S.view = { s, ox: Math.round((view.width - S.ww * s) / 2),
                oy: Math.round((view.height - S.wh * s) / 2), fit: true };
    zoomLabel();
  }
  function zoomTo(s, cx = view.width / 2, cy = view.height / 2) {
    s = Math.max(0.05, Math.min(32, s));
    const v = S.view;
    const wx = (cx - v.ox) / v.s, wy = (cy - v.oy) / v.s;
    S.view = { s, ox: Math.round(cx - wx * s), oy: Math.round(cy - wy * s), fit: false };
    zoomLabel();
    draw();
  }
  function zoomLabel() { $("zoom-label").textContent = `${Math.round(S.view.s * 100)}%`; }
  const toWork = (sx, sy) => [(sx - S.view.ox) / S.view.s, (sy - S.view.oy) / S.view.s];
  const toScreen = (wx, wy) => [S.view.ox + wx * S.view.s, S.view.oy + wy * S.view.s];
  const fullToWork = (x, y) => [(x + 0.5) * S.ww / S.W, (y + 0.5) * S.wh / S.H];
  function workToFull(wx, wy) {
    return [Math.min(S.W - 1, Math.max(0, Math.floor(wx * S.W / S.ww))),
            Math.min(S.H - 1, Math.max(0, Math.floor(wy * S.H / S.wh)))];
  }
  function eventPos(ev) {
    const r = view.getBoundingClientRect();
    return [(ev.clientX - r.left) * view.width / r.width, (ev.clientY - r.top) * view.height / r.height];
  }

  function draw() {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, view.width, view.height);
    if (!S.before) return;
    const v = S.view;
    ctx.imageSmoothingEnabled = v.s < 1;
    const after = S.compare || !S.after ? S.before : S.after;
    ctx.drawImage(after, v.ox, v.oy, S.ww * v.s, S.wh * v.s);
    const splitX = Math.round(view.width * S.split / 100);
    if (splitX > 0 && !S.compare) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(0, 0, splitX, view.height);
      ctx.clip();
      ctx.drawImage(S.before, v.ox, v.oy, S.ww * v.s, S.wh * v.s);
      ctx.restore();
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(splitX, 0, 1, view.height);
    }
    if (S.tab === "splash" && S.showMask && !S.compare) {
      if (S.tintVersion !== S.maskVersion) {
        S.tint.width = S.ww; S.tint.height = S.wh;
        const t = S.tint.getContext("2d");
        t.globalCompositeOperation = "source-over";
        t.fillStyle = "rgba(255, 60, 60, 0.45)";
        t.fillRect(0, 0, S.ww, S.wh);
        t.globalCompositeOperation = "destination-in";
        t.drawImage(S.mask, 0, 0);
        S.tintVersion = S.maskVersion;
      }
      ctx.drawImage(S.tint, v.ox, v.oy, S.ww * v.s, S.wh * v.s);
    }
    if (S.tab === "colorize" && !S.compare) {
      S.hints.forEach((h, i) => {
        const [sx, sy] = toScreen(...fullToWork(h.x, h.y));
        const r = Math.max(4, (2 * S.opts.patch + 1) * S.view.s * S.ww / S.W / 2 + 3);
        ctx.fillStyle = h.color;
        ctx.fillRect(sx - r, sy - r, 2 * r, 2 * r);
        ctx.lineWidth = i === S.sel ? 3 : 1.5;
        ctx.strokeStyle = i === S.sel ? "#ffffff" : "#000000";
        ctx.strokeRect(sx - r, sy - r, 2 * r, 2 * r);
      });
    }
    if (S.tab === "splash" && S.pointer && S.tool !== "pick") {
      ctx.beginPath();
      ctx.arc(S.pointer[0], S.pointer[1], S.brush / 2 * v.s, 0, 2 * Math.PI);
      ctx.strokeStyle = "#ffffff";
      ctx.lineWidth = 1;
      ctx.stroke();
    }
  }

  // --- hints ----------------------------------------------------------------------------
  function hitHint(sx, sy) {
    let best = -1, bestD = HIT;
    S.hints.forEach((h, i) => {
      const [hx, hy] = toScreen(...fullToWork(h.x, h.y));
      const d = Math.max(Math.abs(hx - sx), Math.abs(hy - sy));
      if (d <= bestD) { best = i; bestD = d; }
    });
    return best;
  }
  function swatches(el, colors) {
    el.replaceChildren();
    for (const c of colors) {
      const b = document.createElement("button");
      b.className = "swatch";
      b.title = c;
      b.dataset.color = c;
      b.style.background = c;
      b.addEventListener("click", () => setHintColor(c, false));
      el.appendChild(b);
    }
  }
  async function suggest(i) {
    const h = S.hints[i];
    try {
      const r = await (await api("/api/suggest", { method: "POST", json: { x: h.x, y: h.y } })).json();
      swatches($("sugg-network"), r.network);
      swatches($("sugg-palette"), r.palette);
      return r;
    } catch (err) {
      status(err.message, true);
      return { network: [], palette: [] };
    }
  }
  async function addHint(wx, wy) {
    const [x, y] = workToFull(wx, wy);
    const color = resultPixel(wx, wy) || "#808080";
    S.hints.push({ x, y, color });
    S.sel = S.hints.length - 1;
    const i = S.sel;
    const r = await suggest(i);
    const first = r.network[0] || r.palette[0];
    if (first && S.hints[i] && S.hints[i].x === x) S.hints[i].color = first;
    if (!S.opts.colorize) S.opts.colorize = true;
    syncControls();
    record();
    requestRender();
  }
  async function setHintColor(color, snap = true) {
    if (S.sel < 0) return;
    const h = S.hints[S.sel];
    if (snap) {
      try {
        color = (await (await api("/api/snap", { method: "POST",
                                                json: { x: h.x, y: h.y, color } })).json()).color;
      } catch (err) { status(err.message, true); return; }
    }
    h.color = color;
    syncControls();
    record();
    requestRender();
  }
  function removeHint(i) {
    if (i < 0) return;
    S.hints.splice(i, 1);
    S.sel = -1;
    syncControls();
    record();
    requestRender();
  }

  // --- the mask -------------------------------------------------------------------------
  function dab(wx, wy) {
    const c = S.mask.getContext("2d");
    const r = S.brush / 2, inner = r * (1 - S.feather);
    const g = c.createRadialGradient(wx, wy, Math.max(0, inner - 0.5), wx, wy, r);
    g.addColorStop(0, "rgba(255,255,255,1)");
    g.addColorStop(1, "rgba(255,255,255,0)");
    c.globalCompositeOperation = S.tool === "eraser" ? "destination-out" : "source-over";
    c.fillStyle = S.feather > 0 ? g : "#ffffff";
    c.beginPath();
    c.arc(wx, wy, r, 0, 2 * Math.PI);
    c.fill();
    c.globalCompositeOperation = "source-over";
  }
  function strokeTo(wx, wy) {
    const [px, py] = S.drag.last;
    const step = Math.max(1, S.brush / 6);
    const n = Math.ceil(Math.hypot(wx - px, wy - py) / step);
    for (let k = 1; k <= n; k++) dab(px + (wx - px) * k / n, py + (wy - py) * k / n);
    S.drag.last = [wx, wy];
    maskChanged();
  }
  function maskDone() {
    if (!S.opts.splash && !S.opts.transfer_masked) S.opts.splash = true;
    syncControls();
    record();
    requestRender();
  }
  async function maskFrom(json, add) {
    try {
      const bm = await bitmap(await api("/api/mask", { method: "POST", json }));
      const c = S.mask.getContext("2d");
      if (!add) c.clearRect(0, 0, S.ww, S.wh);
      c.drawImage(bm, 0, 0);
      maskChanged();
      maskDone();
    } catch (err) { status(err.message, true); }
  }
  function pickAt(wx, wy, add) {
    const [x, y] = workToFull(wx, wy);
    maskFrom({ kind: "pick", x, y, fuzziness: S.fuzz, feather: 0 }, add);
  }

  // --- pointer --------------------------------------------------------------------------
  view.addEventListener("contextmenu", (ev) => {
    ev.preventDefault();
    if (S.tab === "colorize") removeHint(hitHint(...eventPos(ev)));
  });
  view.addEventListener("pointerdown", (ev) => {
    if (!S.before) return;
    const [sx, sy] = eventPos(ev);
    const [wx, wy] = toWork(sx, sy);
    if (ev.button === 1 || (ev.button === 0 && S.space)) {
      S.drag = { kind: "pan", sx, sy, ox: S.view.ox, oy: S.view.oy };
      view.setPointerCapture(ev.pointerId);
      ev.preventDefault();
      return;
    }
    if (ev.button !== 0) return;
    const inside = wx >= 0 && wy >= 0 && wx < S.ww && wy < S.wh;
    if (S.tab === "colorize") {
      const i = hitHint(sx, sy);
      if (i >= 0) {
        S.sel = i;
        S.drag = { kind: "hint", i, moved: false };
        view.setPointerCapture(ev.pointerId);
        syncControls();
        suggest(i);
      } else if (inside) {
        addHint(wx, wy);
      }
    } else if (S.tab === "splash" && inside) {
      if (S.tool === "pick") { pickAt(wx, wy, ev.shiftKey); return; }
      S.drag = { kind: "paint", last: [wx, wy] };
      view.setPointerCapture(ev.pointerId);
      dab(wx, wy);
      maskChanged();
    }
    draw();
  });
  view.addEventListener("pointermove", (ev) => {
    const [sx, sy] = eventPos(ev);
    S.pointer = [sx, sy];
    const d = S.drag;
    if (d && d.kind === "pan") {
      S.view = { ...S.view, ox: d.ox + sx - d.sx, oy: d.oy + sy - d.sy, fit: false };
    } else if (d && d.kind === "hint") {
      const [x, y] = workToFull(...toWork(sx, sy));
      const h = S.hints[d.i];
      if (h.x !== x || h.y !== y) { h.x = x; h.y = y; d.moved = true; }
    } else if (d && d.kind === "paint") {
      strokeTo(...toWork(sx, sy));
    }
    draw();
  });
  function pointerUp() {
    const d = S.drag;
    S.drag = null;
    if (!d) return;
    if (d.kind === "hint" && d.moved) {
      suggest(d.i);
      record();
      requestRender();
    } else if (d.kind === "paint") {
      maskDone();
    }
  }
  view.addEventListener("pointerup", pointerUp);
  view.addEventListener("pointercancel", pointerUp);
  view.addEventListener("pointerleave", () => { S.pointer = null; draw(); });
  view.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    const [sx, sy] = eventPos(ev);
    zoomTo(S.view.s * Math.exp(-ev.deltaY * 0.0015), sx, sy);
  }, { passive: false });

  // --- controls ---------------------------------------------------------------------------
  function syncControls() {
    const o = S.opts;
    $("colorize-on").checked = o.colorize;
    $("method").value = o.method;
    $("patch").value = o.patch; $("patch-out").textContent = o.patch;
    $("vibrancy").value = o.vibrancy === null ? 0 : o.vibrancy;
    $("vibrancy-out").textContent = o.vibrancy === null ? "default" : o.vibrancy.toFixed(2);
    $("vibrancy").disabled = o.method !== "prior";
    $("splash-on").checked = o.splash;
    $("background").value = o.background;
    $("tone-color").value = o.tone;
    $("tone-color").classList.toggle("hidden", o.background !== "tone");
    $("splash-strength").value = o.splash_strength;
    $("splash-strength-out").textContent = o.splash_strength;
    $("invert").checked = o.invert;
    $("transfer-on").checked = o.transfer;
    $("transfer-method").value = o.transfer_method;
    $("transfer-strength").value = o.transfer_strength;
    $("transfer-strength-out").textContent = o.transfer_strength;
    $("keep-luminance").checked = o.keep_luminance;
    $("transfer-masked").checked = o.transfer_masked;
    $("hint-count").textContent = `${S.hints.length} hint${S.hints.length === 1 ? "" : "s"}`;
    const h = S.hints[S.sel];
    $("hint-editor").classList.toggle("hidden", !h);
    if (h) { $("hint-color").value = h.color; $("hint-color-out").textContent = h.color; }
    draw();
  }
  function syncButtons() {
    $("undo").disabled = S.hpos <= 0;
    $("redo").disabled = S.hpos >= S.history.length - 1;
  }
  function option(id, key, parse, event = "change") {
    $(id).addEventListener(event, (ev) => {
      S.opts[key] = parse(ev.target);
      syncControls();
      record();
      requestRender();
    });
  }
  option("colorize-on", "colorize", (t) => t.checked);
  option("method", "method", (t) => t.value);
  option("patch", "patch", (t) => parseInt(t.value, 10));
  option("vibrancy", "vibrancy", (t) => parseFloat(t.value));
  option("splash-on", "splash", (t) => t.checked);
  option("background", "background", (t) => t.value);
  option("tone-color", "tone", (t) => t.value);
  option("splash-strength", "splash_strength", (t) => parseFloat(t.value));
  option("invert", "invert", (t) => t.checked);
  option("transfer-on", "transfer", (t) => t.checked);
  option("transfer-method", "transfer_method", (t) => t.value);
  option("transfer-strength", "transfer_strength", (t) => parseFloat(t.value));
  option("keep-luminance", "keep_luminance", (t) => t.checked);
  option("transfer-masked", "transfer_masked", (t) => t.checked);
  $("hint-color").addEventListener("change", (ev) => setHintColor(ev.target.value, true));
  $("hint-delete").addEventListener("click", () => removeHint(S.sel));

  function local(id, set) {
    const el = $(id);
    const out = $(`${id}-out`);
    el.addEventListener("input", () => { set(parseFloat(el.value)); if (out) out.textContent = el.value; draw(); });
  }
  local("brush-size", (v) => { S.brush = v; });
  local("brush-feather", (v) => { S.feather = v; });
  local("pick-fuzz", (v) => { S.fuzz = v; });
  local("hue-center", () => {});
  local("hue-width", () => {});
  for (const el of document.querySelectorAll("input[name=tool]")) {
    el.addEventListener("change", () => { S.tool = el.value; draw(); });
  }
  function setTool(t) { S.tool = t; $(`tool-${t}`).checked = true; draw(); }
  $("show-mask").addEventListener("change", (ev) => { S.showMask = ev.target.checked; draw(); });
  $("mask-clear").addEventListener("click", () => {
    S.mask.getContext("2d").clearRect(0, 0, S.ww, S.wh);
    maskChanged();
    record();
    requestRender();
  });
  $("hue-apply").addEventListener("click", (ev) => {
    maskFrom({ kind: "hue", center: parseFloat($("hue-center").value),
               width: parseFloat($("hue-width").value), feather: 1 }, ev.shiftKey);
  });
  $("split").addEventListener("input", (ev) => { S.split = parseFloat(ev.target.value); draw(); });

  function showTab(tab) {
    S.tab = tab;
    for (const b of document.querySelectorAll(".tabs button")) {
      b.setAttribute("aria-selected", String(b.dataset.tab === tab));
    }
    for (const t of ["colorize", "splash", "transfer"]) {
      $(`tab-${t}`).classList.toggle("hidden", t !== tab);
    }
    view.style.cursor = tab === "transfer" ? "grab" : "crosshair";
    draw();
  }
  for (const b of document.querySelectorAll(".tabs button")) {
    b.addEventListener("click", () => showTab(b.dataset.tab));
  }
  $("undo").addEventListener("click", undo);
  $("redo").addEventListener("click", redo);
  $("zoom-in").addEventListener("click", () => zoomTo(S.view.s * 1.25));
  $("zoom-out").addEventListener("click", () => zoomTo(S.view.s / 1.25));
  $("zoom-fit").addEventListener("click", () => { fit(); draw(); });
  $("zoom-one").addEventListener("click", () => zoomTo(1));

  // --- keyboard -------------------------------------------------------------------------
  function typing(t) {
    return t && (t.tagName === "SELECT" || (t.tagName === "INPUT" &&
      !["range", "checkbox", "radio", "button"].includes(t.type)));
  }
  window.addEventListener("keydown", (ev) => {
    if (typing(ev.target)) return;
    const k = ev.key, mod = ev.ctrlKey || ev.metaKey;
    if (mod && (k === "z" || k === "Z")) { ev.preventDefault(); if (ev.shiftKey) redo(); else undo(); return; }
    if (mod && (k === "y" || k === "Y")) { ev.preventDefault(); redo(); return; }
    if (mod && (k === "s" || k === "S")) {
      ev.preventDefault(); exportFile(ev.shiftKey ? "recipe.zip" : "result.png"); return;
    }
    if (mod || ev.altKey) return;
    if (k === "\\") { if (!S.compare) { S.compare = true; draw(); } ev.preventDefault(); return; }
    if (k === " ") { S.space = true; view.style.cursor = "grab"; ev.preventDefault(); return; }
    if (ev.target && ev.target.type === "range" && k.startsWith("Arrow")) return;
    const actions = {
      "+": () => zoomTo(S.view.s * 1.25), "=": () => zoomTo(S.view.s * 1.25),
      "-": () => zoomTo(S.view.s / 1.25), "0": () => { fit(); draw(); }, "1": () => zoomTo(1),
      c: () => showTab("colorize"), s: () => showTab("splash"), t: () => showTab("transfer"),
      b: () => setTool("brush"), e: () => setTool("eraser"), i: () => setTool("pick"),
      "[": () => { S.brush = Math.max(2, S.brush / 1.25); $("brush-size").value = S.brush; draw(); },
      "]": () => { S.brush = Math.min(200, S.brush * 1.25); $("brush-size").value = S.brush; draw(); },
      x: () => { S.opts.invert = !S.opts.invert; syncControls(); record(); requestRender(); },
      m: () => { S.showMask = !S.showMask; $("show-mask").checked = S.showMask; draw(); },
      Delete: () => removeHint(S.sel), Backspace: () => removeHint(S.sel),
    };
    const fn = actions[k] || actions[k.toLowerCase()];
    if (fn) { ev.preventDefault(); fn(); }
  });
  window.addEventListener("keyup", (ev) => {
    if (ev.key === "\\") { S.compare = false; draw(); }
    if (ev.key === " ") { S.space = false; view.style.cursor = S.tab === "transfer" ? "grab" : "crosshair"; }
  });
  window.addEventListener("blur", () => { S.compare = false; S.space = false; draw(); });

  // --- export ---------------------------------------------------------------------------
  async function exportFile(name) {
    if (!S.info || !S.info.image) return;
    try {
      let id = S.exportCache && S.exportCache.version === S.version ? S.exportCache.id : null;
      if (!id) {
        setState("busy");
        $("busy").classList.remove("hidden");
        status("exporting at full resolution…");
        const r = await (await api("/api/export", { method: "POST",
                                                    json: { edit: editJSON(), mask: maskURL() } })).json();
        id = r.id;
        S.exportCache = { version: S.version, id };
        status(`exported ${S.info.image.name} at ${S.W}×${S.H}`);
      }
      const a = document.createElement("a");
      a.href = `/api/download/${id}/${name}?token=${encodeURIComponent(TOKEN)}`;
      a.download = `${S.info.image.name}-${name}`;
      document.body.appendChild(a);
      a.click();
      a.remove();
    } catch (err) {
      status(err.message, true);
    } finally {
      $("busy").classList.add("hidden");
      setState(S.inflight ? "busy" : "idle");
    }
  }
  $("export-result").addEventListener("click", () => exportFile("result.png"));
  $("export-recipe").addEventListener("click", () => exportFile("recipe.zip"));
  $("export-hints").addEventListener("click", () => exportFile("hints.json"));
  $("export-mask").addEventListener("click", () => exportFile("mask.png"));

  // --- loading images -------------------------------------------------------------------------
  async function upload(kind, file) {
    setState("busy");
    status(`reading ${file.name}…`);
    try {
      S.info = await (await api(`/api/${kind}`, { method: "POST", body: file,
                                                  headers: { "X-Filename": file.name } })).json();
      if (kind === "image") await loadImage(true); else await loadReference();
    } catch (err) {
      status(err.message, true);
      setState("idle");
    }
  }
  async function loadReference() {
    const ref = S.info.reference;
    const thumb = $("reference-thumb");
    swatches($("palette"), S.info.palette || []);
    if (!ref) { thumb.height = 0; return; }
    const bm = await bitmap(await api("/api/reference.png"));
    thumb.width = 240;
    thumb.height = Math.round(240 * bm.height / bm.width);
    thumb.getContext("2d").drawImage(bm, 0, 0, thumb.width, thumb.height);
    $("reference-name").textContent = `${ref.name}: ${ref.width}×${ref.height}`;
    if (S.info.image) requestRender();
  }
  async function loadImage(reset) {
    const im = S.info.image;
    $("empty").classList.toggle("hidden", !!im);
    if (!im) { status("no image: drop one on the page or use Open image"); setState("idle"); return; }
    S.W = im.width; S.H = im.height; S.ww = im.work_width; S.wh = im.work_height;
    S.before = await bitmap(await api("/api/original.png"));
    S.after = null;
    S.afterData = null;
    if (reset) {
      S.hints = []; S.sel = -1;
      S.opts.colorize = false; S.opts.splash = false; S.opts.transfer = false;
    }
    S.mask.width = S.ww; S.mask.height = S.wh;
    maskChanged();
    S.history = []; S.hpos = -1;
    S.exportCache = null;
    record();
    fit();
    syncControls();
    status(`${im.name}: ${S.W}×${S.H} (${im.dtype}), preview ${S.ww}×${S.wh}`);
    setState("idle");
    draw();
  }

  const stage = $("stage");
  stage.addEventListener("dragover", (ev) => { ev.preventDefault(); stage.classList.add("dragover"); });
  stage.addEventListener("dragleave", () => stage.classList.remove("dragover"));
  stage.addEventListener("drop", (ev) => {
    ev.preventDefault();
    stage.classList.remove("dragover");
    const f = ev.dataTransfer.files[0];
    if (f) upload(S.tab === "transfer" && S.info && S.info.image ? "reference" : "image", f);
  });
  $("panel").addEventListener("dragover", (ev) => ev.preventDefault());
  $("panel").addEventListener("drop", (ev) => {
    ev.preventDefault();
    const f = ev.dataTransfer.files[0];
    if (f) upload(S.tab === "transfer" ? "reference" : "image", f);
  });
  $("file-image").addEventListener("change", (ev) => { if (ev.target.files[0]) upload("image", ev.target.files[0]); });
  $("file-reference").addEventListener("change", (ev) => { if (ev.target.files[0]) upload("reference", ev.target.files[0]); });
  window.addEventListener("resize", resize);

  // for the browser tests (and the curious): the state and a mapping to page coordinates
  window.chromaApp = {
    state: S,
    edit: editJSON,
    clientPoint(x, y) { // full-resolution pixel -> page coordinates of its center
      const r = view.getBoundingClientRect();
      const [sx, sy] = toScreen(...fullToWork(x, y));
      return { x: r.left + sx * r.width / view.width, y: r.top + sy * r.height / view.height };
    },
    viewPixel(x, y) { // the view canvas's RGBA at full-resolution pixel (x, y)
      const [sx, sy] = toScreen(...fullToWork(x, y));
      return Array.from(ctx.getImageData(Math.floor(sx), Math.floor(sy), 1, 1).data);
    },
  };

  (async () => {
    try {
      S.info = await (await api("/api/session")).json();
      resize();
      await loadImage(true);
      await loadReference();
    } catch (err) {
      status(err.message, true);
      setState("idle");
    }
  })();
})();
