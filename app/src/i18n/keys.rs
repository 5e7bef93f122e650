//! The texts of `ui/keys.rs` and `ui/reveal.rs`.

use super::texts;

texts! {
    Keys {
        // The keys section and its table.
        ApiKeys => "API keys", "API-sleutels";
        CreateKey => "Create key", "Sleutel maken";
        ReadOnlyReason => "This session's key may read the region's keys but not change them: it lacks the scope keys:write. Sign in with a key that holds it to create, edit, rotate or delete keys.", "De sleutel van deze sessie mag de sleutels van de regio lezen, maar niet wijzigen: hij mist de scope keys:write. Log in met een sleutel die deze scope heeft om sleutels te maken, bewerken, roteren of verwijderen.";
        Description => "Description", "Omschrijving";
        Key => "Key", "Sleutel";
        Scopes => "Scopes", "Scopes";
        Created => "Created", "Gemaakt";
        Updated => "Updated", "Gewijzigd";
        LastUsed => "Last used", "Laatst gebruikt";
        Last7Days => "Last 7 days", "Afgelopen 7 dagen";
        Actions => "Actions", "Acties";
        RotationOpenReason => "A rotation is unfinished: finish or cancel it before rotating another key.", "Er loopt nog een rotatie: rond die af of annuleer haar voordat je een andere sleutel roteert.";
        RotateScopeReason => "A rotation's new key gets the old key's scopes, so this session's key can rotate only keys whose scopes it holds itself.", "De nieuwe sleutel van een rotatie krijgt de scopes van de oude, dus de sleutel van deze sessie kan alleen sleutels roteren waarvan hij de scopes zelf heeft.";
        LastKeyReason => "The region's last key that can manage keys (keys:write, neither scheduled for revocation nor quarantined) cannot be deleted: a region always keeps one. Create another such key first.", "De laatste sleutel van de regio die sleutels mag beheren (keys:write, niet gepland voor intrekking en niet in quarantaine) kan niet worden verwijderd: een regio houdt er altijd één. Maak eerst nog zo'n sleutel.";
        Saved => "Saved the key {0}.", "Sleutel {0} opgeslagen.";
        Deleted => "Deleted the key {0}.", "Sleutel {0} verwijderd.";

        // A key's row.
        ThisSession => "This session", "Deze sessie";
        Quarantined => "Found in public: refused", "Openbaar gevonden: geweigerd";
        Usage => "Usage", "Gebruik";
        Edit => "Edit", "Bewerken";
        EditKey => "Edit {0}", "{0} bewerken";
        Rotate => "Rotate", "Roteren";
        RotateKey => "Rotate {0}", "{0} roteren";
        Delete => "Delete", "Verwijderen";
        DeleteKeyLabel => "Delete {0}", "{0} verwijderen";
        CancelRevocation => "Cancel revocation", "Intrekking annuleren";
        CancelRevocationOf => "Cancel the revocation of {0}", "Intrekking van {0} annuleren";
        RevocationCancelled => "The revocation of {0} is cancelled: it keeps working.", "De intrekking van {0} is geannuleerd: de sleutel blijft werken.";

        // Creating a key.
        CreateTitle => "Create an API key", "API-sleutel maken";
        WhatKeyMayDo => "What the key may do", "Wat de sleutel mag doen";
        PresetFullAccess => "Full access: everything, now and in future (*)", "Volledige toegang: alles, nu en in de toekomst (*)";
        PresetKeyAdministration => "Key administration: manage this region's keys (keys:write)", "Sleutelbeheer: de sleutels van deze regio beheren (keys:write)";
        PresetReadOnly => "Read only: see keys and activity (keys:read)", "Alleen lezen: sleutels en activiteit bekijken (keys:read)";
        PresetIntegrationOnly => "Integration only: your API's scopes, no key management", "Alleen integratie: de scopes van je API, geen sleutelbeheer";
        PresetCustom => "Custom: any scopes", "Aangepast: scopes naar keuze";
        PresetReason => "A key can only give scopes that this session's key holds itself.", "Je kunt alleen scopes geven die de sleutel van deze sessie zelf heeft.";
        YourApiScopes => "Your API's scopes", "Scopes van je API";
        CreateScopesHint => "Separated by spaces, e.g. “orders:read orders:write”: a lowercase letter, then letters, digits and _ . : -. Your API receives them in X-Keyward-Scopes. Empty: the key can only be verified.", "Gescheiden door spaties, bijv. “orders:read orders:write”: een kleine letter, dan letters, cijfers en _ . : -. Je API krijgt ze in X-Keyward-Scopes. Leeg: de sleutel kan alleen worden geverifieerd.";
        IntegrationManagesKeys => "an integration key does not manage keys: leave out keys:read, keys:write and *, or choose Custom", "een integratiesleutel beheert geen sleutels: laat keys:read, keys:write en * weg, of kies Aangepast";
        ShownOnce => "The key is shown once, right after it is created.", "De sleutel wordt één keer getoond, direct nadat hij is gemaakt.";

        // Editing and deleting a key.
        EditScopesHint => "Separated by spaces; * is everything. Only scopes this session's key holds, or the key already has, can be given.", "Gescheiden door spaties; * is alles. Je kunt alleen scopes geven die de sleutel van deze sessie heeft of die de sleutel al heeft.";
        Save => "Save", "Opslaan";
        DeleteTitle => "Delete API key?", "API-sleutel verwijderen?";
        DeleteQuestion => "Delete the key {0}? Integrations that use it are refused from their next request. This cannot be undone.", "Sleutel {0} verwijderen? Integraties die hem gebruiken, worden vanaf hun volgende verzoek geweigerd. Dit kun je niet ongedaan maken.";
        DeleteSessionKey => "You signed in to this console with this key: deleting it signs you out.", "Je bent met deze sleutel in deze console ingelogd: als je hem verwijdert, word je uitgelogd.";
        DeleteKey => "Delete key", "Sleutel verwijderen";

        // The description and scopes fields.
        DescriptionOptional => "Description (optional)", "Omschrijving (optioneel)";
        DescriptionHint => "What uses this key, e.g. “billing service”. At most {0} characters.", "Wat deze sleutel gebruikt, bijv. “facturatie”. Hoogstens {0} tekens.";
        ScopesRefused => "these are not valid scopes: each is a lowercase letter, then at most 63 of a-z, 0-9, _ . : -, or * for all, alone; a key holds at most 32 scopes", "dit zijn geen geldige scopes: elke scope is een kleine letter, dan hoogstens 63 tekens uit a-z, 0-9, _ . : -, of * voor alles, en dan alleen; een sleutel heeft hoogstens 32 scopes";

        // The one-time reveal of a new key.
        NewKeyTitle => "Your new API key", "Je nieuwe API-sleutel";
        StoreNow => "Store this key now: you will not see it again.", "Bewaar deze sleutel nu: je ziet hem niet meer terug.";
        OnlyHashKept => "Keyward keeps only a hash of it, so nobody can show it again, not even an administrator.", "Keyward bewaart er alleen een hash van, dus niemand kan hem nog eens tonen, ook een beheerder niet.";
        CopyApiKey => "Copy API key", "API-sleutel kopiëren";
        Stored => "I have stored this key", "Ik heb deze sleutel bewaard";
        LeaveWarning => "Leave without storing the new API key? You will not see it again.", "Weggaan zonder de nieuwe API-sleutel te bewaren? Je ziet hem niet meer terug.";
    }
    same: [Scopes]
}
