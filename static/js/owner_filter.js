// The action form: the owner (person) list shows only the people of the chosen partner.
(function () {
  document.querySelectorAll("select[data-owner-of]").forEach(function (people) {
    var partner = people.form && people.form.elements[people.getAttribute("data-owner-of")];
    if (!partner) { return; }
    function filter() {
      var chosen = partner.value;
      Array.prototype.forEach.call(people.options, function (option) {
        var own = !option.value || !chosen || option.getAttribute("data-partner") === chosen;
        option.hidden = !own;
        option.disabled = !own;
        if (!own && option.selected) { people.value = ""; }
      });
    }
    partner.addEventListener("change", filter);
    filter();
  });
})();
