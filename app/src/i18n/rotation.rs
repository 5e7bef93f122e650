//! The texts of `ui/rotation.rs` and of the verify step's verdict
//! (`rotation_verdict.rs`).

use super::texts;

texts! {
    Rotation {
        // The page and its steps.
        RotateAnApiKey => "Rotate an API key", "Een API-sleutel roteren";
        RotationSteps => "Rotation steps", "Stappen van de rotatie";
        StepDone => " (done)", " (klaar)";
        CreateTheNewKey => "Create the new key", "Nieuwe sleutel maken";
        UpdateIntegrations => "Update integrations", "Integraties bijwerken";
        VerifyTraffic => "Verify traffic", "Verkeer controleren";
        DeleteTheOldKey => "Delete the old key", "Oude sleutel verwijderen";
        BackToDashboard => "Back to the dashboard", "Terug naar het overzicht";
        Back => "Back", "Terug";

        // No rotation.
        NoRotation => "No rotation in progress", "Er loopt geen rotatie";
        NoRotationHelp => "This rotation was finished or cancelled, or none was started. To rotate a key, choose “Rotate” next to it on the dashboard.", "Deze rotatie is afgerond of geannuleerd, of er is er geen gestart. Kies op het overzicht “Roteren” naast een sleutel om hem te roteren.";

        // Create.
        ReplacesBefore => "The new key replaces ", "De nieuwe sleutel vervangt ";
        ReplacesScopes => " and gets its scopes (", " en krijgt dezelfde scopes (";
        ReplacesAfter => "). Both keys work until the old one stops in the last step.", "). Beide sleutels werken totdat de oude stopt in de laatste stap.";
        SharesBudget => "It also gets the old key's owner, rate limits, allowed networks and meta, and spends the same credits: the two keys share one budget, so a rotation never doubles it.", "Hij krijgt ook de eigenaar, limieten, toegestane netwerken en meta van de oude sleutel, en verbruikt hetzelfde tegoed: de twee sleutels delen één budget, dus een rotatie verdubbelt het nooit.";
        OldKeyPolicy => "The old key's policy: {0}.", "Het beleid van de oude sleutel: {0}.";
        NewKeyDescription => "Description of the new key", "Omschrijving van de nieuwe sleutel";
        CreateNewKey => "Create new key", "Nieuwe sleutel maken";

        // Update.
        UpdateYourIntegrations => "Update your integrations", "Werk je integraties bij";
        ResumingBefore => "You are resuming a rotation started ", "Je hervat een rotatie die ";
        ResumingAfter => ". Its new key was shown once, when it was created. If it was not stored, cancel this rotation and start a new one.", " is gestart. De nieuwe sleutel is één keer getoond, toen hij werd gemaakt. Heb je hem niet bewaard, annuleer dan deze rotatie en start een nieuwe.";
        PutNewKey => "Put the new key wherever the old key is used (configuration, secrets store, CI variables), then deploy. Both keys work meanwhile.", "Zet de nieuwe sleutel overal waar de oude sleutel wordt gebruikt (configuratie, secretsbeheer, CI-variabelen) en deploy daarna. Beide sleutels werken intussen.";
        OldKeyToDelete => "Old key (to delete)", "Oude sleutel (te verwijderen)";
        NewKeyToUse => "New key (to use)", "Nieuwe sleutel (te gebruiken)";
        NextVerify => "Next: verify", "Volgende: controleren";
        AlreadyDeleted => "Already deleted", "Al verwijderd";

        // Verify.
        VerifyNewKeyInUse => "Verify that the new key is in use", "Controleer of de nieuwe sleutel in gebruik is";
        CheckTheNewKey => "Check the new key", "Controleer de nieuwe sleutel";
        PasteBefore => "Paste the new key as your integration stores it. The console calls ", "Plak de nieuwe sleutel zoals je integratie hem bewaart. De console roept ";
        PasteAfter => " with it, as an integration would; the key is not kept.", " ermee aan, zoals een integratie dat zou doen; de sleutel wordt niet bewaard.";
        NewApiKey => "New API key", "Nieuwe API-sleutel";
        CheckNewKey => "Check new key", "Nieuwe sleutel controleren";
        Traffic => "Traffic", "Verkeer";
        Key => "Key", "Sleutel";
        LastUsed => "Last used", "Laatst gebruikt";
        NewKey => "New key", "Nieuwe sleutel";
        OldKey => "Old key", "Oude sleutel";
        RefreshHint => "Refreshed every few seconds. Use is recorded within a few seconds of a request. Your live check uses the new key too; the verdict does not count it as integration traffic.", "Wordt om de paar seconden vernieuwd. Gebruik wordt binnen een paar seconden na een verzoek vastgelegd. Je live-controle gebruikt de nieuwe sleutel ook; het oordeel telt die niet als verkeer van een integratie.";
        CutOver => "Cut-over", "Overstap";
        LoadingTraffic => "Loading traffic…", "Verkeer laden…";
        NextDeleteOldKey => "Next: delete the old key", "Volgende: oude sleutel verwijderen";

        // The live check.
        CheckUnreachable => "The check could not reach the server ({0}).", "De controle kon de server niet bereiken ({0}).";
        CheckNewKeyWorks => "The new key works: the REST API accepted it for this region.", "De nieuwe sleutel werkt: de REST API accepteerde hem voor deze regio.";
        CheckOtherKey => "This key works, but it is not the new key of this rotation.", "Deze sleutel werkt, maar het is niet de nieuwe sleutel van deze rotatie.";
        CheckUndecodable => "The server's answer did not decode ({0}).", "Het antwoord van de server was onleesbaar ({0}).";
        CheckRefused => "The REST API refused this key: it is not a valid key.", "De REST API weigerde deze sleutel: het is geen geldige sleutel.";
        CheckThrottled => "Too many failed attempts from this address; wait a minute and check again.", "Te veel mislukte pogingen vanaf dit adres; wacht een minuut en controleer opnieuw.";
        CheckStatus => "The REST API answered with status {0}.", "De REST API antwoordde met status {0}.";

        // Delete.
        RevokeNow => "Now", "Nu";
        RevokeIn1Hour => "In 1 hour", "Over 1 uur";
        RevokeIn24Hours => "In 24 hours", "Over 24 uur";
        RevokeIn7Days => "In 7 days", "Over 7 dagen";
        FinishedDeleted => "Rotation finished: the old key {0} is deleted.", "Rotatie afgerond: de oude sleutel {0} is verwijderd.";
        FinishedScheduled => "Rotation finished: the old key {1} stops working in {0} h; until then you can cancel that on the dashboard.", "Rotatie afgerond: de oude sleutel {1} stopt over {0} uur; tot dan kun je dat op het overzicht annuleren.";
        Finished => "Rotation finished.", "Rotatie afgerond.";
        FinishedSignedOut => "{0} You signed out.", "{0} Je bent uitgelogd.";
        DeleteQuarantinedBefore => "Delete ", "Verwijder ";
        DeleteQuarantinedAfter => ". It was found in public and is refused already, so there is no grace period to give.", ". Hij is openbaar gevonden en wordt al geweigerd, dus een respijtperiode heeft geen zin.";
        StopBefore => "Stop ", "Zet ";
        StopAfter => ". Integrations still using it are refused from then on. This cannot be undone once it happened.", " stop. Integraties die hem nog gebruiken, worden vanaf dan geweigerd. Dit kun je daarna niet meer ongedaan maken.";
        WhenOldKeyStops => "When the old key stops working", "Wanneer de oude sleutel stopt met werken";
        GracePeriodHint => "A grace period keeps the old key working until then; the dashboard counts down and can cancel it.", "Met een respijtperiode blijft de oude sleutel tot dan werken; het overzicht telt af en kan die annuleren.";
        OldKeyAlreadyDeleted => "The old key is already deleted; finishing closes the rotation.", "De oude sleutel is al verwijderd; afronden sluit de rotatie.";
        SignedInWithOldKey => "You signed in to this console with the old key. This session ends now unless it continues on the new key.", "Je bent met de oude sleutel in deze console ingelogd. Deze sessie eindigt nu, tenzij ze verdergaat met de nieuwe sleutel.";
        AfterFinishing => "After finishing", "Na het afronden";
        StaySignedIn => "Stay signed in with the new key", "Ingelogd blijven met de nieuwe sleutel";
        FinishRotation => "Finish rotation", "Rotatie afronden";
        DeleteOldKey => "Delete old key", "Oude sleutel verwijderen";
        ScheduleRevocation => "Schedule revocation", "Intrekking plannen";

        // Cancel.
        CancelRotation => "Cancel rotation", "Rotatie annuleren";
        Cancelled => "Rotation cancelled: the new key is deleted and the old key stays.", "Rotatie geannuleerd: de nieuwe sleutel is verwijderd en de oude sleutel blijft.";
        CancelThisRotation => "Cancel this rotation?", "Deze rotatie annuleren?";
        CancelBefore => "The new key ", "De nieuwe sleutel ";
        CancelAfter => " is deleted; integrations already using it are refused. The old key stays.", " wordt verwijderd; integraties die hem al gebruiken, worden geweigerd. De oude sleutel blijft.";
        KeepRotating => "Keep rotating", "Doorgaan met roteren";

        // The verify step's verdict.
        OldKeyLastUsed => "old key last used {0}{1}", "oude sleutel laatst gebruikt {0}{1}";
        OldKeyNeverUsed => "old key never used", "oude sleutel nooit gebruikt";
        NewKeyNotUsedYet => "New key not used yet; {0}.", "Nieuwe sleutel nog niet gebruikt; {0}.";
        NewKeyOnlyLiveCheck => "New key not used by an integration since your live check; {0}.", "Nieuwe sleutel niet door een integratie gebruikt sinds je live-controle; {0}.";
        NewKeyInUseOldRecent => "New key in use, but the {0}: update every integration before deleting it.", "Nieuwe sleutel in gebruik, maar de {0}: werk elke integratie bij voordat je hem verwijdert.";
        NewKeyInUse => "New key in use; {0}.", "Nieuwe sleutel in gebruik; {0}.";
    }
}
