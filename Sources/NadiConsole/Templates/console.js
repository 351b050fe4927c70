// Nadi console: the only script. Sorting and filtering happen on the server; this only submits
// the device filter when a select changes, so a phone user needs one tap less.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("device-filter");
  if (!form) return;
  form.querySelectorAll("select").forEach(function (select) {
    select.addEventListener("change", function () { form.submit(); });
  });
});
