//! The texts of `ui/webhooks.rs`: the webhooks page, its dialogs, the
//! one-time reveal of a signing secret and the deliveries view.

use super::texts;

texts! {
    Webhooks {
        // The page and its table.
        WebhooksPage => "Webhooks", "Webhooks";
        Intro => "Keyward tells your systems what happens to keys (created, deleted, quarantined after a leak, out of credits…) by sending signed events to these endpoints in the Standard Webhooks format. A receiver that fails is tried again for up to a day; one that fails everything for 5 days is disabled.", "Keyward laat je systemen weten wat er met sleutels gebeurt (gemaakt, verwijderd, in quarantaine na een lek, zonder tegoed…) door ondertekende gebeurtenissen naar deze eindpunten te sturen, in het formaat van Standard Webhooks. Een ontvanger die faalt, wordt tot een dag lang opnieuw geprobeerd; een die 5 dagen alles laat mislukken, wordt uitgeschakeld.";
        AddEndpoint => "Add endpoint", "Eindpunt toevoegen";
        ReadOnlyReason => "This session's key may read webhooks but not change them: it lacks the scope keys:write.", "De sleutel van deze sessie mag webhooks lezen, maar niet wijzigen: hij mist de scope keys:write.";
        NoEndpoints => "No endpoints yet. Add one to hear about changes to keys as they happen.", "Nog geen eindpunten. Voeg er een toe om wijzigingen aan sleutels te horen zodra ze gebeuren.";
        CouldNotLoad => "The console could not load the webhooks: {0}", "De console kon de webhooks niet laden: {0}";
        Url => "URL", "URL";
        Events => "Events", "Gebeurtenissen";
        State => "State", "Status";
        Actions => "Actions", "Acties";
        AllEvents => "All events", "Alle gebeurtenissen";
        Enabled => "Enabled", "Ingeschakeld";
        FailingSince => "Enabled, failing since", "Ingeschakeld, mislukt sinds";
        Disabled => "Disabled: {0}", "Uitgeschakeld: {0}";
        DisabledFailing => "every delivery failed for 5 days", "elke levering mislukte 5 dagen lang";
        DisabledByAdministrator => "by an administrator", "door een beheerder";
        SendTest => "Send test", "Test sturen";
        SendTestTo => "Send test to {0}", "Test sturen naar {0}";
        TestSent => "Sent a test event to {0}; its delivery shows under Deliveries.", "Testgebeurtenis naar {0} gestuurd; de levering staat onder Leveringen.";
        Deliveries => "Deliveries", "Leveringen";
        DeliveriesOf => "Deliveries to {0}", "Leveringen naar {0}";
        Disable => "Disable", "Uitschakelen";
        DisableUrl => "Disable {0}", "Uitschakelen: {0}";
        Enable => "Enable", "Inschakelen";
        EnableUrl => "Enable {0}", "Inschakelen: {0}";
        WasDisabled => "Disabled {0}: it gets no events until it is enabled again.", "{0} uitgeschakeld: het krijgt geen gebeurtenissen tot het weer is ingeschakeld.";
        WasEnabled => "Enabled {0}.", "{0} ingeschakeld.";
        RotateSecret => "Rotate secret", "Geheim vervangen";
        RotateSecretOf => "Rotate secret of {0}", "Geheim vervangen van {0}";
        Delete => "Delete", "Verwijderen";
        DeleteUrl => "Delete {0}", "Verwijderen: {0}";
        Deleted => "Deleted the endpoint {0}.", "Eindpunt {0} verwijderd.";
        PreviousSecretUntil => "The previous secret signs too until {0}.", "Het vorige geheim ondertekent ook nog tot {0}.";

        // Adding an endpoint.
        AddTitle => "Add a webhook endpoint", "Webhook-eindpunt toevoegen";
        UrlHint => "Where Keyward sends events, e.g. https://hooks.example.com/keyward. It must resolve to a public address, unless the operator allows private ones.", "Waar Keyward gebeurtenissen naartoe stuurt, bijv. https://hooks.example.com/keyward. Het moet naar een openbaar adres verwijzen, tenzij de beheerder van de server privé-adressen toestaat.";
        DescriptionOptional => "Description (optional)", "Omschrijving (optioneel)";
        EventsHint => "A test event is always delivered, whatever you choose.", "Een testgebeurtenis wordt altijd bezorgd, wat je ook kiest.";
        AllEventsChoice => "All events, also those added later", "Alle gebeurtenissen, ook die later bijkomen";
        OnlyTheseEvents => "Only these events:", "Alleen deze gebeurtenissen:";
        ChooseAnEvent => "choose at least one event, or all events", "kies minstens één gebeurtenis, of alle gebeurtenissen";
        EventCreated => "A key was created", "Een sleutel is gemaakt";
        EventUpdated => "A key's description, scopes or policy changed", "De omschrijving, scopes of het beleid van een sleutel is gewijzigd";
        EventRevocationScheduled => "A key's revocation was scheduled", "De intrekking van een sleutel is gepland";
        EventRevokedOnSchedule => "A key was revoked on schedule", "Een sleutel is volgens planning ingetrokken";
        EventDeleted => "A key was deleted", "Een sleutel is verwijderd";
        EventQuarantined => "A key was found in public and quarantined", "Een sleutel is openbaar gevonden en in quarantaine gezet";
        EventRateLimited => "A key hit a rate limit (at most once an hour)", "Een sleutel zat boven een limiet (hoogstens eens per uur)";
        EventCreditsLow => "A key's credits are running low", "Het tegoed van een sleutel raakt op";
        EventCreditsExhausted => "A key's credits ran out", "Het tegoed van een sleutel is op";

        // The one-time reveal of the signing secret.
        SecretTitle => "The endpoint's signing secret", "Het ondertekengeheim van het eindpunt";
        SecretOf => "Signing secret for {0}", "Ondertekengeheim voor {0}";
        StoreNow => "Store this secret now: you will not see it again.", "Bewaar dit geheim nu: je ziet het niet meer terug.";
        WhyOnce => "Your receiver verifies every event with it. Keyward never shows it again; if it is lost, rotate the secret.", "Je ontvanger controleert er elke gebeurtenis mee. Keyward toont het nooit meer; raak je het kwijt, vervang dan het geheim.";
        CopySecret => "Copy secret", "Geheim kopiëren";
        Stored => "I have stored this secret", "Ik heb dit geheim bewaard";
        LeaveWarning => "Leave without storing the signing secret? You will not see it again.", "Weggaan zonder het ondertekengeheim te bewaren? Je ziet het niet meer terug.";
        SecretStored => "The signing secret for {0} is stored.", "Het ondertekengeheim voor {0} is bewaard.";

        // Rotating the secret and deleting.
        RotateTitle => "Rotate the signing secret?", "Ondertekengeheim vervangen?";
        RotateQuestion => "Give {0} a new signing secret? It is shown once. For 24 hours the old secret signs every event too, so the receiver can switch without missing one.", "{0} een nieuw ondertekengeheim geven? Het wordt één keer getoond. De komende 24 uur ondertekent het oude geheim elke gebeurtenis ook, zodat de ontvanger kan overstappen zonder er een te missen.";
        DeleteTitle => "Delete endpoint?", "Eindpunt verwijderen?";
        DeleteQuestion => "Delete the endpoint {0}? Its waiting events and its delivery log are deleted with it.", "Eindpunt {0} verwijderen? Zijn wachtende gebeurtenissen en zijn leveringslog worden mee verwijderd.";
        DeleteEndpoint => "Delete endpoint", "Eindpunt verwijderen";

        // The deliveries view.
        DeliveriesHint => "Every attempt of the last 30 days, newest first. A failed event is tried again after 5 s, 30 s, 2 min, 10 min, 1 h, 6 h and 24 h; “Retry now” sends it at once.", "Elke poging van de afgelopen 30 dagen, nieuwste eerst. Een mislukte gebeurtenis wordt opnieuw geprobeerd na 5 s, 30 s, 2 min, 10 min, 1 uur, 6 uur en 24 uur; “Nu opnieuw” stuurt haar meteen.";
        CouldNotLoadDeliveries => "The console could not load the deliveries: {0}", "De console kon de leveringen niet laden: {0}";
        NoDeliveries => "No deliveries yet. Send a test to see one.", "Nog geen leveringen. Stuur een test om er een te zien.";
        Time => "Time", "Tijd";
        Event => "Event", "Gebeurtenis";
        Attempt => "Attempt", "Poging";
        Outcome => "Status or error", "Status of fout";
        Duration => "Duration", "Duur";
        MessageState => "State", "Toestand";
        Status => "HTTP {0}", "HTTP-status {0}";
        NoAnswer => "no answer", "geen antwoord";
        Milliseconds => "{0} ms", "{0} ms";
        StatePending => "will be retried", "wordt opnieuw geprobeerd";
        StateDelivered => "delivered", "bezorgd";
        StateGivenUp => "given up", "opgegeven";
        RetryNow => "Retry now", "Nu opnieuw";
        RetryMessage => "Retry now: {0} {1}", "Nu opnieuw: {0} {1}";
        Retrying => "Sending {0} again now.", "{0} wordt nu opnieuw gestuurd.";
    }
    same: [WebhooksPage, Url, Milliseconds]
}
