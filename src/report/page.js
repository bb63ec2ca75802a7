// Draws each map of the page from its inline JSON on a canvas, and shows an
// account's fields on hover and click. Everything else on the page is
// static HTML and SVG.
(function () {
  "use strict";
  var UNASSIGNED = "#9aa0a6";

  function setUp(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-map"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var wrap = canvas.parentNode;
    var tooltip = wrap.querySelector(".tooltip");
    var details = document.getElementById(canvas.getAttribute("data-details"));
    var n = data.x.length;
    var radius = n <= 300 ? 5 : n <= 3000 ? 3.2 : 1.8;
    var view = { scale: 1, dx: 0, dy: 0 };
    // The reader's zoom and pan, on top of the fitted view.
    var zoom = { k: 1, x: 0, y: 0 };
    var cells = {};
    var CELL = 12;

    function colourOf(i) {
      var t = data.t[i];
      return t >= 0 ? data.targets[t].colour : UNASSIGNED;
    }
    function screen(x, y) {
      return [zoom.x + zoom.k * (view.dx + x * view.scale), zoom.y + zoom.k * (view.dy + y * view.scale)];
    }

    function draw() {
      var dpr = window.devicePixelRatio || 1;
      // As tall as the data's extent needs, within what a laptop shows.
      var fit = canvas.clientWidth * data.height / data.width;
      canvas.style.height = Math.round(Math.min(640, Math.max(300, fit))) + "px";
      var w = canvas.clientWidth, h = canvas.clientHeight;
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      var ctx = canvas.getContext("2d");
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      var pad = 14;
      view.scale = Math.min((w - 2 * pad) / data.width, (h - 2 * pad) / data.height);
      view.dx = (w - data.width * view.scale) / 2;
      view.dy = (h - data.height * view.scale) / 2;
      var emphasis = data.flags.some(function (f) { return f & 4; });
      // Group by colour and kind, so that each group is one path.
      var groups = {};
      var i, key, p;
      for (i = 0; i < n; i++) {
        var f = data.flags[i];
        key = (emphasis && (f & 4) ? "2" : (f & 1) ? "1" : "0") + colourOf(i);
        (groups[key] = groups[key] || []).push(i);
      }
      var drawn = 0;
      Object.keys(groups).sort().forEach(function (k) {
        var layer = k.charAt(0), colour = k.slice(1), members = groups[k];
        var r = layer === "2" ? radius + 2 : radius;
        ctx.globalAlpha = emphasis && layer !== "2" ? 0.3 : 1;
        ctx.beginPath();
        members.forEach(function (j) {
          p = screen(data.x[j], data.y[j]);
          ctx.moveTo(p[0] + r, p[1]);
          ctx.arc(p[0], p[1], r, 0, 2 * Math.PI);
        });
        if (layer === "0") {
          ctx.lineWidth = 1.4;
          ctx.strokeStyle = colour;
          ctx.stroke();
        } else {
          ctx.fillStyle = colour;
          ctx.fill();
          if (layer === "2") {
            ctx.lineWidth = 1.5;
            ctx.strokeStyle = "#111";
            ctx.stroke();
          }
        }
        drawn += members.length;
      });
      ctx.globalAlpha = 1;
      // Moved from the current owner: a dark outline.
      ctx.beginPath();
      for (i = 0; i < n; i++) {
        if (!(data.flags[i] & 2)) continue;
        p = screen(data.x[i], data.y[i]);
        ctx.moveTo(p[0] + radius + 2, p[1]);
        ctx.arc(p[0], p[1], radius + 2, 0, 2 * Math.PI);
      }
      ctx.lineWidth = 1.2;
      ctx.strokeStyle = "#111";
      ctx.stroke();
      // Homes on top: squares in the target's colour.
      var homes = 0;
      data.targets.forEach(function (t) {
        if (t.x === null) return;
        p = screen(t.x, t.y);
        ctx.fillStyle = t.colour;
        ctx.strokeStyle = "#fff";
        ctx.lineWidth = 2;
        ctx.fillRect(p[0] - 6, p[1] - 6, 12, 12);
        ctx.strokeRect(p[0] - 6, p[1] - 6, 12, 12);
        ctx.strokeStyle = "#111";
        ctx.lineWidth = 1;
        ctx.strokeRect(p[0] - 7.5, p[1] - 7.5, 15, 15);
        homes++;
      });
      canvas.setAttribute("data-drawn-rows", String(drawn));
      canvas.setAttribute("data-drawn-homes", String(homes));
      cells = {};
      for (i = 0; i < n; i++) {
        p = screen(data.x[i], data.y[i]);
        key = Math.floor(p[0] / CELL) + "," + Math.floor(p[1] / CELL);
        (cells[key] = cells[key] || []).push(i);
      }
    }

    function nearest(px, py) {
      var best = -1, bestD = (radius + 6) * (radius + 6);
      var cx = Math.floor(px / CELL), cy = Math.floor(py / CELL);
      for (var gx = cx - 1; gx <= cx + 1; gx++) {
        for (var gy = cy - 1; gy <= cy + 1; gy++) {
          (cells[gx + "," + gy] || []).forEach(function (i) {
            var p = screen(data.x[i], data.y[i]);
            var d = (p[0] - px) * (p[0] - px) + (p[1] - py) * (p[1] - py);
            if (d < bestD) { bestD = d; best = i; }
          });
        }
      }
      return best;
    }

    function nearestHome(px, py) {
      var best = -1;
      data.targets.forEach(function (t, k) {
        if (t.x === null) return;
        var p = screen(t.x, t.y);
        if (Math.abs(p[0] - px) <= 8 && Math.abs(p[1] - py) <= 8) best = k;
      });
      return best;
    }

    function targetText(t) {
      if (t < 0) return "none";
      var info = data.targets[t];
      return info.key + (info.name ? " " + info.name : "");
    }

    function rows(i) {
      var out = [[data.target + " in this plan", targetText(data.t[i])]];
      data.fields.forEach(function (name, k) {
        var v = data.values[k][i];
        out.push([name, v === null ? "none" : String(v)]);
      });
      if (data.flags[i] & 2) out.push(["moved", "from its current owner"]);
      return out;
    }

    function table(pairs) {
      var t = document.createElement("table");
      pairs.forEach(function (pair) {
        var tr = document.createElement("tr");
        var th = document.createElement("th");
        var td = document.createElement("td");
        th.textContent = pair[0];
        td.textContent = pair[1];
        tr.appendChild(th);
        tr.appendChild(td);
        t.appendChild(tr);
      });
      return t;
    }

    function at(event) {
      var box = canvas.getBoundingClientRect();
      var px = event.clientX - box.left, py = event.clientY - box.top;
      var home = nearestHome(px, py);
      if (home >= 0) return { px: px, py: py, pairs: [[data.target, targetText(home)], ["", "home"]] };
      var i = nearest(px, py);
      return i < 0 ? null : { px: px, py: py, pairs: rows(i) };
    }

    // Wheel to zoom about the cursor, drag to pan, double-click to reset.
    var drag = null;
    canvas.addEventListener("wheel", function (event) {
      event.preventDefault();
      var box = canvas.getBoundingClientRect();
      var px = event.clientX - box.left, py = event.clientY - box.top;
      var k = Math.max(1, Math.min(64, zoom.k * (event.deltaY < 0 ? 1.25 : 0.8)));
      var f = k / zoom.k;
      zoom.x = px - (px - zoom.x) * f;
      zoom.y = py - (py - zoom.y) * f;
      zoom.k = k;
      if (k === 1) { zoom.x = 0; zoom.y = 0; }
      draw();
    }, { passive: false });
    canvas.addEventListener("mousedown", function (event) {
      drag = { x: event.clientX, y: event.clientY, moved: false };
    });
    window.addEventListener("mouseup", function () {
      setTimeout(function () { drag = null; }, 0);
    });
    canvas.addEventListener("dblclick", function () {
      zoom = { k: 1, x: 0, y: 0 };
      draw();
    });
    canvas.addEventListener("mousemove", function (event) {
      if (drag && event.buttons === 1) {
        var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
        zoom.x += dx;
        zoom.y += dy;
        drag.x = event.clientX;
        drag.y = event.clientY;
        tooltip.hidden = true;
        draw();
        return;
      }
      var hit = at(event);
      if (!hit) { tooltip.hidden = true; return; }
      tooltip.textContent = "";
      hit.pairs.slice(0, 4).forEach(function (pair) {
        var line = document.createElement("div");
        line.textContent = pair[0] ? pair[0] + ": " + pair[1] : pair[1];
        tooltip.appendChild(line);
      });
      tooltip.hidden = false;
      tooltip.style.left = Math.min(hit.px + 14, canvas.clientWidth - 200) + "px";
      tooltip.style.top = hit.py + 14 + "px";
    });
    canvas.addEventListener("mouseleave", function () { tooltip.hidden = true; });
    canvas.addEventListener("click", function (event) {
      if (drag && drag.moved) return;
      var hit = at(event);
      if (!hit || !details) return;
      details.textContent = "";
      details.appendChild(table(hit.pairs));
    });
    var pending = 0;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(draw, 150);
    });
    draw();
  }

  var maps = document.querySelectorAll("canvas.map");
  for (var m = 0; m < maps.length; m++) setUp(maps[m]);
  // Milliseconds since navigation began: scripts done, then the first
  // frame painted after them (what a reader waits for).
  document.body.setAttribute("data-ready-ms", String(Math.round(performance.now())));
  requestAnimationFrame(function () {
    setTimeout(function () {
      document.body.setAttribute("data-painted-ms", String(Math.round(performance.now())));
    }, 0);
  });
})();
