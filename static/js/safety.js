/* Safe on a shared phone (portal and sign-in pages). Everything here has a
 * working form without JavaScript; this file only makes it quicker:
 *
 * 1. "Exit this page" (a link to /exit) replaces the current history entry
 *    instead of adding one, hides the page at once, and can be triggered by
 *    pressing Shift three times (alone, within five seconds; a Shift used
 *    for a capital letter does not count).
 * 2. A shared-phone session warns a minute before it ends for lack of use,
 *    with "Stay signed in" (a GET to /keep-alive renews it).
 * 3. On the sign-in forms, ticking "This is a shared phone" asks the
 *    browser not to remember what is typed.
 */
(function () {
  "use strict";

  // --- 1. Exit this page ------------------------------------------------
  var exitLink = document.querySelector("[data-exit]");
  var exitStatus = document.querySelector("[data-exit-status]");

  function leave() {
    if (!exitLink) {
      return;
    }
    document.documentElement.classList.add("exiting");
    window.location.replace(exitLink.href);
  }

  if (exitLink) {
    exitLink.addEventListener("click", function (event) {
      event.preventDefault();
      leave();
    });

    var presses = 0;
    var timer = null;
    var otherKeyHeld = false;
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Shift") {
        otherKeyHeld = true;
        presses = 0;
      }
    });
    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift") {
        return;
      }
      if (otherKeyHeld) {
        // Shift was part of a combination (a capital letter): not a press.
        otherKeyHeld = false;
        return;
      }
      presses += 1;
      window.clearTimeout(timer);
      if (presses >= 3) {
        presses = 0;
        leave();
        return;
      }
      if (exitStatus) {
        exitStatus.textContent = exitStatus.getAttribute("data-hint-" + (3 - presses)) || "";
      }
      timer = window.setTimeout(function () {
        presses = 0;
        if (exitStatus) {
          exitStatus.textContent = "";
        }
      }, 5000);
    });
    // Shown again from the back-forward cache: never with the page hidden.
    window.addEventListener("pageshow", function () {
      document.documentElement.classList.remove("exiting");
    });
  }

  // --- 2. Shared phone: warn before the session ends --------------------
  var shared = document.querySelector("[data-idle-seconds]");
  if (shared) {
    var idle = parseInt(shared.getAttribute("data-idle-seconds"), 10) * 1000;
    var warning = shared.querySelector("[data-idle-warning]");
    var stay = shared.querySelector("[data-stay-signed-in]");
    var warnTimer = null;
    var endTimer = null;

    var arm = function () {
      window.clearTimeout(warnTimer);
      window.clearTimeout(endTimer);
      warning.hidden = true;
      warnTimer = window.setTimeout(function () {
        warning.hidden = false;
        stay.focus();
      }, Math.max(0, idle - 60000));
      // A moment after the server's limit: reloading then signs out.
      endTimer = window.setTimeout(function () {
        window.location.reload();
      }, idle + 2000);
    };

    stay.addEventListener("click", function () {
      fetch(shared.getAttribute("data-keep-alive"), {
        credentials: "same-origin",
        cache: "no-store",
      }).then(
        function (response) {
          if (response.status === 204) {
            arm();
          } else {
            window.location.reload();
          }
        },
        function () {
          window.location.reload();
        }
      );
    });
    arm();
  }

  // --- 3. Sign-in on a shared phone: no autofill memory ------------------
  var sharedBox = document.querySelector("input[name=shared_phone]");
  if (sharedBox && sharedBox.form) {
    var fields = sharedBox.form.querySelectorAll("input[type=email], input[type=password]");
    var remembered = [];
    for (var i = 0; i < fields.length; i += 1) {
      remembered.push(fields[i].getAttribute("autocomplete"));
    }
    var apply = function () {
      for (var j = 0; j < fields.length; j += 1) {
        if (sharedBox.checked) {
          fields[j].setAttribute("autocomplete", "off");
        } else if (remembered[j] === null) {
          fields[j].removeAttribute("autocomplete");
        } else {
          fields[j].setAttribute("autocomplete", remembered[j]);
        }
      }
      sharedBox.form.setAttribute("autocomplete", sharedBox.checked ? "off" : "on");
    };
    sharedBox.addEventListener("change", apply);
    apply();
  }
})();
