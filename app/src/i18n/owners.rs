//! The texts of `ui/owners.rs`: the owners page, its dialogs and the
//! console's page navigation.

use super::texts;

texts! {
    Owners {
        // Navigation between the console's pages.
        ConsolePages => "Console pages", "Pagina's van de console";
        KeysPage => "API keys", "API-sleutels";
        OwnersPage => "Owners", "Eigenaren";
        WebhooksPage => "Webhooks", "Webhooks";

        // The page and its table.
        Intro => "An owner is who keys belong to in your API's world: a customer, a team, a service. Every key of an owner shares its rate limits and credits, and your API learns the owner's external id from each allowed request (X-Keyward-Owner).", "Een eigenaar is van wie sleutels zijn in de wereld van je API: een klant, een team, een dienst. Alle sleutels van een eigenaar delen zijn limieten en tegoed, en je API krijgt bij elk toegestaan verzoek de externe id van de eigenaar (X-Keyward-Owner).";
        CreateOwner => "Create owner", "Eigenaar maken";
        NoOwners => "No owners yet. Create one, then give keys to it in their create or edit dialog.", "Nog geen eigenaren. Maak er een en geef er daarna sleutels aan in hun dialoog voor maken of bewerken.";
        ReadOnlyReason => "This session's key may read owners but not change them: it lacks the scope keys:write.", "De sleutel van deze sessie mag eigenaren lezen, maar niet wijzigen: hij mist de scope keys:write.";
        ExternalId => "External id", "Externe id";
        Keys => "Keys", "Sleutels";
        RateLimits => "Rate limits", "Limieten";
        Credits => "Credits", "Tegoed";
        Actions => "Actions", "Acties";
        ShowKeys => "Keys", "Sleutels";
        ShowKeysOf => "Keys of {0}", "Sleutels van {0}";
        Edit => "Edit", "Bewerken";
        EditOwner => "Edit {0}", "{0} bewerken";
        Delete => "Delete", "Verwijderen";
        DeleteOwnerLabel => "Delete {0}", "{0} verwijderen";
        NoLimits => "none", "geen";
        Created => "Created the owner {0}.", "Eigenaar {0} gemaakt.";
        Saved => "Saved the owner {0}.", "Eigenaar {0} opgeslagen.";
        Deleted => "Deleted the owner {0}.", "Eigenaar {0} verwijderd.";

        // The dialogs.
        CreateTitle => "Create an owner", "Eigenaar maken";
        ExternalIdHint => "Your API's own name for it, e.g. “customer-4711”: 1 to 128 printable characters, unique in the region.", "De naam die je API ervoor gebruikt, bijv. “klant-4711”: 1 tot 128 afdrukbare tekens, uniek in de regio.";
        SharedHint => "These limits and credits are shared by all of the owner's keys, on top of each key's own.", "Deze limieten en dit tegoed delen alle sleutels van de eigenaar, naast die van elke sleutel zelf.";
        Save => "Save", "Opslaan";
        DeleteTitle => "Delete owner?", "Eigenaar verwijderen?";
        DeleteQuestion => "Delete the owner {0}? Its limits, credits and meta are gone with it. An owner that still has keys is not deleted.", "Eigenaar {0} verwijderen? Zijn limieten, tegoed en meta verdwijnen mee. Een eigenaar die nog sleutels heeft, wordt niet verwijderd.";
        DeleteOwner => "Delete owner", "Eigenaar verwijderen";
        NoKeys => "This owner has no keys. Give it keys in their create or edit dialog on the API keys page.", "Deze eigenaar heeft geen sleutels. Geef hem sleutels in hun dialoog voor maken of bewerken op de pagina API-sleutels.";
        Description => "Description", "Omschrijving";
        Key => "Key", "Sleutel";
        LastUsed => "Last used", "Laatst gebruikt";
    }
    same: [WebhooksPage]
}
