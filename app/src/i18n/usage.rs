//! The texts of `ui/usage.rs`.

use super::texts;

texts! {
    Usage {
        LastHour => "Last hour", "Afgelopen uur";
        Last7Days => "Last 7 days", "Afgelopen 7 dagen";
        Last30Days => "Last 30 days", "Afgelopen 30 dagen";
        PerMinuteLastHour => "Requests per minute, last hour", "Verzoeken per minuut, afgelopen uur";
        PerHourLast7Days => "Requests per hour, last 7 days", "Verzoeken per uur, afgelopen 7 dagen";
        PerDayLast30Days => "Requests per day, last 30 days", "Verzoeken per dag, afgelopen 30 dagen";
        AllKeysPerHour => "All keys: requests per hour, last 7 days", "Alle sleutels: verzoeken per uur, afgelopen 7 dagen";
        OldKeyPerMinute => "Old key: requests per minute, last hour", "Oude sleutel: verzoeken per minuut, afgelopen uur";
        NewKeyPerMinute => "New key: requests per minute, last hour", "Nieuwe sleutel: verzoeken per minuut, afgelopen uur";
        OldKeyPerHour => "Old key: requests per hour, last 7 days", "Oude sleutel: verzoeken per uur, afgelopen 7 dagen";
        NewKeyPerHour => "New key: requests per hour, last 7 days", "Nieuwe sleutel: verzoeken per uur, afgelopen 7 dagen";
        LegendAccepted => "accepted", "geaccepteerd";
        LegendRefused => "refused", "geweigerd";
        LegendLimited => "over a limit, out of credits or from another network", "boven een limiet, zonder tegoed of van een ander netwerk";
        Limited => "Of which limited", "Waarvan begrensd";
        KeyBudget => "Budget", "Budget";
        KeyCredits => "This key: {0}.", "Deze sleutel: {0}.";
        OwnerCredits => "Its owner {0}, shared by all of the owner's keys: {1}.", "Zijn eigenaar {0}, gedeeld door alle sleutels van de eigenaar: {1}.";
        KeyLimits => "Rate limits of this key: {0}.", "Limieten van deze sleutel: {0}.";
        OwnerLimits => "Rate limits of its owner {0}: {1}.", "Limieten van zijn eigenaar {0}: {1}.";
        Unbounded => "No rate limits or credits bind this key.", "Geen limieten of tegoed begrenzen deze sleutel.";
        LimitHits => "Refused in this period by the key's policy: {0} over a rate limit, {1} out of credits, {2} from a network not allowed.", "In deze periode geweigerd door het beleid van de sleutel: {0} boven een limiet, {1} zonder tegoed, {2} vanaf een niet toegestaan netwerk.";
        UpTo => "up to {0}", "tot {0}";
        ShowNumbers => "Show the numbers", "Getallen tonen";
        From => "From", "Vanaf";
        Accepted => "Accepted", "Geaccepteerd";
        Refused => "Refused", "Geweigerd";
        SparklineLabel => "Last 7 days: {0}", "Afgelopen 7 dagen: {0}";
        LastUsed => "Last used {0}{1}.", "Laatst gebruikt {0}{1}.";
        KeyDeleted => "This key was deleted.", "Deze sleutel is verwijderd.";
        NeverUsed => "Never used.", "Nooit gebruikt.";
        OldKeyLastUsed => "Old key: last used {0}{1}.", "Oude sleutel: laatst gebruikt {0}{1}.";
        OldKeyDeleted => "Old key: this key was deleted.", "Oude sleutel: deze sleutel is verwijderd.";
        OldKeyNeverUsed => "Old key: never used.", "Oude sleutel: nooit gebruikt.";
        OldKeyGone => "The old key was deleted.", "De oude sleutel is verwijderd.";
        Period => "Period", "Periode";
        Traffic => "Traffic", "Verkeer";
        BusiestKeys => "Busiest keys", "Drukste sleutels";
    }
    same: [KeyBudget]
}
