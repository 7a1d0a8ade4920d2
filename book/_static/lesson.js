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
  // red and the button offers a reset.
  function setUpTimer(box) {
    var total = parseInt(box.getAttribute("data-minutes"), 10) * 60;
    var button = box.querySelector(".timer-button");
    var display = box.querySelector(".timer-display");
    var remaining = total, ticking = null, endsAt = 0;

    function show() {
      display.textContent = formatClock(remaining);
      box.classList.toggle("timer-running", ticking !== null);
      box.classList.toggle("timer-done", remaining === 0);
    }
    function tick() {
      remaining = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      if (remaining === 0) { stop(); button.textContent = "Reset timer"; }
      show();
    }
    function start() {
      endsAt = Date.now() + remaining * 1000;
      ticking = window.setInterval(tick, 250);
      button.textContent = "Pause";
      show();
    }
    function stop() {
      window.clearInterval(ticking);
      ticking = null;
    }
    button.addEventListener("click", function () {
      if (ticking !== null) { stop(); button.textContent = "Resume"; show(); }
      else if (remaining === 0) { remaining = total; button.textContent = "Start timer"; show(); }
      else { start(); }
    });
    show();
  }

  document.addEventListener("DOMContentLoaded", function () {
    addInstructorSwitch();
    document.querySelectorAll(".challenge-timer").forEach(setUpTimer);
  });
})();
