// The unit beside a need's quantity follows the category chosen: each category option carries its unit
// (data-unit, circulation/forms.py CategorySelect) and the select names the quantity field it counts
// (data-units-for). Without JavaScript the quantity's label names the unit instead.
(function () {
  function follow(select) {
    var note = document.getElementById(select.dataset.unitsFor + "_unit");
    if (!note) return;
    var update = function () {
      var option = select.options[select.selectedIndex];
      var unit = option ? option.dataset.unit : "";
      note.hidden = !unit;
      if (unit) note.textContent = note.dataset.template.replace("__UNIT__", unit);
    };
    select.addEventListener("change", update);
    update();
  }
  function start() {
    document.querySelectorAll("select[data-units-for]").forEach(follow);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
