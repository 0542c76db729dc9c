'use strict';
// The directory's pickers narrowed by what the form already says (the admin's autocomplete sends only the
// search term): the leader's and co-lead's person pickers by the partner chosen beside them, the binôme picker
// by the row's person (their partner) and the row's group. The server filters on these (forward_* parameters,
// membership.admin_mandates.DirectoryAutocompleteJsonView) and the rules still check the saved result (T7, M8).
{
    const $ = django.jQuery;
    let opened = null;

    $(document).on('select2:opening', 'select.admin-autocomplete', function() { opened = this; });

    function valueOf(name) {
        const field = document.querySelector(`[name="${name}"]`);
        return field && field.value ? field.value : '';
    }

    function forwarded(select) {
        const name = select.name;
        const prefix = name.slice(0, name.lastIndexOf(select.dataset.fieldName));
        if (select.dataset.fieldName === 'leader_person') {
            return {forward_partner: valueOf('leader_partner')};
        }
        if (select.dataset.fieldName === 'co_lead_person') {
            return {forward_partner: valueOf('co_lead_partner')};
        }
        if (select.dataset.fieldName === 'pairs_with') {
            return {
                forward_person: valueOf(prefix + 'person'),
                forward_institution: valueOf('institution'),
                forward_instance: valueOf(prefix + 'instance')
            };
        }
        return {};
    }

    $.ajaxPrefilter(function(options) {
        if (!opened || !options.url || options.url.indexOf('/autocomplete/') === -1) {
            return;
        }
        const extra = Object.entries(forwarded(opened)).filter(([, value]) => value);
        if (extra.length) {
            options.url += (options.url.indexOf('?') === -1 ? '?' : '&') + $.param(Object.fromEntries(extra));
        }
    });
}
