// The group form's time zone (networks/forms.py GroupForm): the list shows the chosen country's zones (a short
// list: most countries have one, which is then chosen), follows the country as it changes, and a search box finds a
// zone by its city in any country. The catalogue comes with the page (json_script "timezone-catalogue"). Without
// JavaScript the server renders the chosen country's zones, or every country's grouped by country.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function start() {
    var data = document.getElementById("timezone-catalogue");
    var zoneSelect = document.getElementById("id_timezone");
    var countrySelect = document.querySelector("select[data-timezones-for]");
    var search = document.querySelector("[data-timezone-search]");
    if (!data || !zoneSelect || !countrySelect || zoneSelect.dataset.timezonesStarted) return;
    zoneSelect.dataset.timezonesStarted = "1";
    var catalogue = JSON.parse(data.textContent);
    var byCode = {}, countryOf = {};
    catalogue.forEach(function (country) {
      byCode[country.code] = country;
      country.zones.forEach(function (zone) { countryOf[zone[0]] = country.code; });
    });
    var input = search ? search.querySelector("input") : null;
    var status = search ? search.querySelector("[data-timezone-status]") : null;

    function option(value, label, selected) {
      var o = document.createElement("option");
      o.value = value;
      o.textContent = label;
      if (selected) o.selected = true;
      return o;
    }
    function fill(groups) {  // groups: [{name, zones: [[zone, label], ...]}]
      var keep = zoneSelect.value;
      zoneSelect.textContent = "";
      var found = 0;
      groups.forEach(function (group) {
        var parent = zoneSelect;
        if (groups.length > 1) {
          parent = document.createElement("optgroup");
          parent.label = group.name;
          zoneSelect.appendChild(parent);
        }
        group.zones.forEach(function (zone) {
          parent.appendChild(option(zone[0], zone[1], zone[0] === keep));
          found += 1;
        });
      });
      zoneSelect.appendChild(option("UTC", "UTC", keep === "UTC"));
      if (!zoneSelect.value || (found === 1 && keep === "UTC")) zoneSelect.selectedIndex = 0;
      return found;
    }
    function showCountry() {
      var country = byCode[countrySelect.value];
      fill(country ? [country] : catalogue);
    }
    function showSearch() {
      var words = fold(input.value.trim());
      if (!words) { showCountry(); if (status) status.textContent = ""; return; }
      var groups = [];
      catalogue.forEach(function (country) {
        var countryMatches = fold(country.name).indexOf(words) !== -1;
        var zones = country.zones.filter(function (zone) {
          return countryMatches || fold(zone[0] + " " + zone[1]).indexOf(words) !== -1;
        });
        if (zones.length) groups.push({name: country.name, zones: zones});
      });
      var found = fill(groups.length ? groups : []);
      if (status) status.textContent = found ? "" : input.dataset.noneFound;
      bringCountry();  // the zone the search put first is chosen: its country with it
    }
    countrySelect.addEventListener("change", function () {
      if (input) input.value = "";
      showCountry();
    });
    function bringCountry() {  // a zone found by search brings its country
      var code = countryOf[zoneSelect.value];
      if (code && countrySelect.value !== code) countrySelect.value = code;
    }
    zoneSelect.addEventListener("change", bringCountry);
    if (input) {
      search.hidden = false;
      input.addEventListener("input", showSearch);
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
