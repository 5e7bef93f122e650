//! The texts of a key's or an owner's policy: `ui/policy.rs` (the fields
//! of the key and owner dialogs), `policy_form.rs` (their refusals) and
//! how `format.rs` words limits and credits.

use super::texts;

texts! {
    Policy {
        // The fields.
        Owner => "Owner", "Eigenaar";
        NoOwner => "No owner", "Geen eigenaar";
        OwnerHint => "Every key of an owner shares the owner's rate limits and credits.", "Alle sleutels van een eigenaar delen de limieten en het tegoed van die eigenaar.";
        RateLimits => "Rate limits", "Limieten";
        RateLimitsHint => "A request must pass every limit (and every limit of the key's owner). Periods start on the clock: a minute at :00 seconds, a day at 00:00 UTC.", "Een verzoek moet binnen elke limiet blijven (en binnen elke limiet van de eigenaar van de sleutel). Periodes beginnen op de klok: een minuut op :00 seconden, een dag om 00:00 UTC.";
        NoRateLimits => "No rate limits: as many requests as the server takes.", "Geen limieten: zoveel verzoeken als de server aankan.";
        RateLimitN => "Rate limit {0}", "Limiet {0}";
        Preset => "How many", "Hoeveel";
        PresetCustom => "Custom", "Aangepast";
        LimitName => "Name", "Naam";
        LimitNameHint => "Shown to your API in the RateLimit header, e.g. “requests”: 1 to 64 of a-z, 0-9, _ - . :", "Je API ziet hem in de RateLimit-header, bijv. “requests”: 1 tot 64 tekens uit a-z, 0-9, _ - . :";
        Requests => "Requests", "Verzoeken";
        PeriodSeconds => "Per how many seconds", "Per hoeveel seconden";
        AddRateLimit => "Add a rate limit", "Limiet toevoegen";
        RemoveRateLimit => "Remove rate limit {0}", "Limiet {0} verwijderen";
        AtMostLimits => "At most {0} rate limits.", "Hoogstens {0} limieten.";
        Credits => "Credits", "Tegoed";
        CreditsRemaining => "Credits left", "Resterend tegoed";
        CreditsHint => "Each accepted request spends 1 (or the cost your API asks); at 0 requests are refused. Empty: unlimited.", "Elk geaccepteerd verzoek kost 1 (of de kosten die je API vraagt); bij 0 worden verzoeken geweigerd. Leeg: onbeperkt.";
        RefillAmount => "Refill to (optional)", "Aanvullen tot (optioneel)";
        RefillInterval => "Refilled at the start of each", "Aangevuld aan het begin van elke";
        RefillDay => "day (UTC)", "dag (UTC)";
        RefillMonth => "month (UTC)", "maand (UTC)";
        Networks => "Allowed networks", "Toegestane netwerken";
        NetworksHint => "One per line, IPv4 or IPv6 in CIDR notation, e.g. 203.0.113.0/24 or 2001:db8::/32; at most 32. Empty: anywhere.", "Eén per regel, IPv4 of IPv6 in CIDR-notatie, bijv. 203.0.113.0/24 of 2001:db8::/32; hoogstens 32. Leeg: overal.";
        Meta => "Meta (JSON object)", "Meta (JSON-object)";
        MetaHint => "Facts your API receives from /auth/verify, e.g. {\"plan\": \"pro\"}; at most 4 KiB. Empty: none.", "Gegevens die je API van /auth/verify krijgt, bijv. {\"plan\": \"pro\"}; hoogstens 4 KiB. Leeg: geen.";
        PolicyColumn => "Owner and limits", "Eigenaar en limieten";
        PolicyLegend => "Owner, limits, credits, networks and meta", "Eigenaar, limieten, tegoed, netwerken en meta";
        OwnerLegend => "Limits, credits and meta", "Limieten, tegoed en meta";
        PolicyHint => "A key can only give a policy as tight as its own: this session's key's owner, limits, credits and networks bind what it gives.", "Je kunt alleen een beleid geven dat even streng is als dat van de sleutel van deze sessie: zijn eigenaar, limieten, tegoed en netwerken begrenzen wat je geeft.";

        // Refusals found in the form, in Dutch; English shows the model's own words.
        NotANumber => "{0} must be a whole number", "{0} moet een geheel getal zijn";
        LimitsRefused => "these rate limits are not valid: at most 5, each with its own name of 1 to 64 of a-z, 0-9, _ - . :, 1 to 1,000,000,000 requests per 1 to 86,400 seconds", "deze limieten zijn ongeldig: hoogstens 5, elk met een eigen naam van 1 tot 64 tekens uit a-z, 0-9, _ - . :, 1 tot 1.000.000.000 verzoeken per 1 tot 86.400 seconden";
        CreditsRefused => "these credits are not valid: 0 to 1,000,000,000,000 left, a refill of 1 to 1,000,000,000,000", "dit tegoed is ongeldig: 0 tot 1.000.000.000.000 resterend, aanvullen met 1 tot 1.000.000.000.000";
        RefillWithoutCredits => "a refill needs credits left: give a number of credits, 0 included", "aanvullen kan alleen met een tegoed: geef een aantal credits, 0 kan ook";
        NetworksRefused => "these networks are not valid: each line is an IPv4 or IPv6 network in CIDR notation (such as 203.0.113.0/24 or 2001:db8::/32), at most 32", "deze netwerken zijn ongeldig: elke regel is een IPv4- of IPv6-netwerk in CIDR-notatie (zoals 203.0.113.0/24 of 2001:db8::/32), hoogstens 32";
        MetaRefused => "meta must be a JSON object of at most 4096 bytes, such as {\"plan\": \"pro\"}", "meta moet een JSON-object van hoogstens 4096 bytes zijn, zoals {\"plan\": \"pro\"}";
        MetaNotJson => "meta is not valid JSON: {0}", "meta is geen geldige JSON: {0}";
        ExternalIdRefused => "the external id must be 1 to 128 printable characters", "de externe id moet 1 tot 128 afdrukbare tekens hebben";

        // Limits and credits in words.
        PerSecond => "{0} per second", "{0} per seconde";
        PerMinute => "{0} per minute", "{0} per minuut";
        PerHour => "{0} per hour", "{0} per uur";
        PerDay => "{0} per day", "{0} per dag";
        PerSeconds => "{0} per {1} s", "{0} per {1} s";
        CreditsLeft => "{0} credits left", "nog {0} credits";
        RefilledDaily => "{0}, refilled to {1} each day", "{0}, elke dag aangevuld tot {1}";
        RefilledMonthly => "{0}, refilled to {1} each month", "{0}, elke maand aangevuld tot {1}";
        Unlimited => "unlimited", "onbeperkt";
        NetworksCount => "{0} networks", "{0} netwerken";
        OneNetwork => "1 network", "1 netwerk";
        OwnedBy => "owner {0}", "eigenaar {0}";
        Anywhere => "anywhere", "overal";
    }
    same: [PerSeconds]
}
