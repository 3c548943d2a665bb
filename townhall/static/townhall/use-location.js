/* "Use my location": fills in the latitude and longitude fields from the device's
   position. Progressive enhancement only: the button stays hidden without JavaScript or
   geolocation, and the fields can always be typed in by hand. */
(function () {
  "use strict";
  var button = document.querySelector("[data-use-location]");
  if (!button || !("geolocation" in navigator)) {
    return;
  }
  var latitude = document.getElementById(button.getAttribute("data-latitude"));
  var longitude = document.getElementById(button.getAttribute("data-longitude"));
  var status = document.getElementById(button.getAttribute("data-status"));
  var wrapper = document.getElementById(button.getAttribute("data-wrapper"));
  if (!latitude || !longitude || !status) {
    return;
  }
  if (wrapper) {
    wrapper.hidden = false;
  }
  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = button.getAttribute("data-finding");
    navigator.geolocation.getCurrentPosition(
      function (position) {
        latitude.value = position.coords.latitude.toFixed(6);
        longitude.value = position.coords.longitude.toFixed(6);
        status.textContent = button.getAttribute("data-found");
        button.disabled = false;
      },
      function () {
        status.textContent = button.getAttribute("data-failed");
        button.disabled = false;
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
