/* Lesson behaviour: challenge countdowns and the instructor view switch.
   Plain JavaScript, no libraries, nothing fetched: the site works offline. */
(function () {
  "use strict";
  var STORAGE_KEY = "lesson-instructor-view";

  function storedView() {
    try { return window.localStorage.getItem(STORAGE_KEY) === "on"; } catch (e) { return false; }
  }
  function storeView(on) {
    try { window.localStorage.setItem(STORAGE_KEY, on ? "on" : "off"); } catch (e) { /* private mode */ }
  }
  function applyView(on) {
    document.documentElement.classList.toggle("instructor-view", on);
  }
  // Applied before the page paints, so notes never flash on or off.
  applyView(storedView());

  function addInstructorSwitch() {
    var label = document.createElement("label");
    label.className = "instructor-switch";
    label.title = "Show the notes written for instructors (remembered across pages)";
    var box = document.createElement("input");
    box.type = "checkbox";
    box.id = "instructor-view-toggle";
    box.checked = storedView();
    box.addEventListener("change", function () {
      storeView(box.checked);
      applyView(box.checked);
    });
    label.appendChild(box);
    label.appendChild(document.createTextNode(" Instructor view"));
    var header = document.querySelector(".article-header-buttons") || document.querySelector(".bd-header-article") || document.body;
    header.insertBefore(label, header.firstChild);
  }

  function formatClock(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  // A countdown: Start -> Pause -> Resume ...; when it reaches 0 the box turns
  // red and the button offers a reset. Reset starts over at any time. The
  // clock changes every second without being announced; the status line, a
  // polite live region, tells screen readers when the timer starts, pauses,
  // runs out or is reset.
  function setUpTimer(box) {
    var minutes = parseInt(box.getAttribute("data-minutes"), 10);
    var total = minutes * 60;
    var button = box.querySelector(".timer-button");
    var reset = box.querySelector(".timer-reset");
    var display = box.querySelector(".timer-display");
    var status = box.querySelector(".timer-status");
    var startLabel = "Start " + minutes + "-minute timer";
    var remaining = total, ticking = null, endsAt = 0;

    function say(text) { if (status) { status.textContent = text; } }
    function show() {
      display.textContent = formatClock(remaining);
      box.classList.toggle("timer-running", ticking !== null);
      box.classList.toggle("timer-done", remaining === 0);
    }
    function tick() {
      remaining = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      if (remaining === 0) { stop(); button.textContent = "Reset timer"; say("Time is up."); }
      show();
    }
    function start() {
      endsAt = Date.now() + remaining * 1000;
      ticking = window.setInterval(tick, 250);
      button.textContent = "Pause";
      say("Timer running, " + formatClock(remaining) + " left.");
      show();
    }
    function stop() {
      window.clearInterval(ticking);
      ticking = null;
    }
    function startOver() {
      stop();
      remaining = total;
      button.textContent = startLabel;
      say("Timer reset to " + minutes + " minutes.");
      show();
    }
    button.addEventListener("click", function () {
      if (ticking !== null) { stop(); button.textContent = "Resume"; say("Timer paused at " + formatClock(remaining) + "."); show(); }
      else if (remaining === 0) { startOver(); }
      else { start(); }
    });
    if (reset) { reset.addEventListener("click", startOver); }
    show();
  }

  // A code block or output that scrolls sideways must take the keyboard focus,
  // or keyboard users cannot scroll it (WCAG 2.1.1). The theme sets this when
  // the page loads, but a block inside a closed solution has no size then; a
  // ResizeObserver sees it when the solution is opened (or the window resized).
  var SCROLLABLE = "pre, .cell_output > .output";
  function updateTabStop(element) {
    var scrolls = element.scrollWidth > element.clientWidth || element.scrollHeight > element.clientHeight;
    if (scrolls) { element.tabIndex = 0; }
    else if (element.getAttribute("tabindex") === "0") { element.tabIndex = -1; }
  }
  function watchScrollables() {
    if (!("ResizeObserver" in window)) { return; }
    var observer = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) { updateTabStop(entry.target); });
    });
    document.querySelectorAll(SCROLLABLE).forEach(function (element) { observer.observe(element); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    watchScrollables();
    addInstructorSwitch();
    document.querySelectorAll(".challenge-timer").forEach(setUpTimer);
  });
})();
