//! The texts of `format.rs`: times, counts, scopes and audit entries.

use super::texts;

texts! {
    Words {
        JustNow => "just now", "zojuist";
        SecondsAgo => "{0} s ago", "{0} s geleden";
        MinutesAgo => "{0} min ago", "{0} min geleden";
        HoursAgo => "{0} h ago", "{0} u geleden";
        DayAgo => "1 day ago", "1 dag geleden";
        DaysAgo => "{0} days ago", "{0} dagen geleden";
        Never => "never", "nooit";
        Revoked => "Revoked", "Ingetrokken";
        RevokedIn => "Revoked in {0}", "Ingetrokken over {0}";
        LeftSeconds => "{0} s", "{0} s";
        LeftMinutes => "{0} min", "{0} min";
        LeftHours => "{0} h {1} min", "{0} u {1} min";
        LeftDay => "1 day {0} h", "1 dag {0} u";
        LeftDays => "{0} days {1} h", "{0} dagen {1} u";
        FoundByGithub => "found by GitHub secret scanning", "gevonden door GitHub secret scanning";
        FoundByGitlab => "found by GitLab secret detection", "gevonden door GitLab secret detection";
        ReportedInPublic => "reported as found in public", "gemeld als openbaar gevonden";
        FoundAt => "{0} at {1}", "{0} op {1}";
        FoundAtSource => "{0} at {1} ({2})", "{0} op {1} ({2})";
        FullAccess => "full access", "volledige toegang";
        NoScopes => "none (verification only)", "geen (alleen verificatie)";
        AKey => "a key", "een sleutel";
        RegionCreated => "Region created", "Regio gemaakt";
        KeyCreated => "Key {0} created", "Sleutel {0} gemaakt";
        DescriptionChanged => "Description of {0} changed", "Omschrijving van {0} gewijzigd";
        KeyDeleted => "Key {0} deleted", "Sleutel {0} verwijderd";
        SignedInToConsole => "Signed in to the console", "Ingelogd op de console";
        ScopesChanged => "Scopes of {0} changed", "Scopes van {0} gewijzigd";
        ScopesChangedFromTo => "Scopes of {0} changed: {1} → {2}", "Scopes van {0} gewijzigd: {1} → {2}";
        RevocationCancelled => "Scheduled revocation of {0} cancelled", "Geplande intrekking van {0} geannuleerd";
        ScheduledToStop => "Key {0} scheduled to stop at {1}", "Sleutel {0} gepland om te stoppen op {1}";
        RevocationScheduled => "Revocation of {0} scheduled", "Intrekking van {0} gepland";
        RevokedOnSchedule => "Key {0} revoked on schedule", "Sleutel {0} volgens planning ingetrokken";
        PolicyChanged => "Owner, limits, credits, networks or meta of key {0} changed", "Eigenaar, limieten, tegoed, netwerken of meta van sleutel {0} gewijzigd";
        OwnerCreated => "Owner {0} created", "Eigenaar {0} gemaakt";
        OwnerUpdated => "Owner {0} changed", "Eigenaar {0} gewijzigd";
        OwnerDeleted => "Owner {0} deleted", "Eigenaar {0} verwijderd";
        WebhookCreated => "Webhook endpoint {0} added", "Webhook-eindpunt {0} toegevoegd";
        WebhookUpdated => "Webhook endpoint {0} changed", "Webhook-eindpunt {0} gewijzigd";
        WebhookSecretRotated => "Secret of webhook endpoint {0} rotated", "Geheim van webhook-eindpunt {0} vervangen";
        WebhookDeleted => "Webhook endpoint {0} deleted", "Webhook-eindpunt {0} verwijderd";
        AdministratorGranted => "{0} made administrator ({1})", "{0} beheerder gemaakt ({1})";
        AdministratorRevoked => "Administrator {0} removed", "Beheerder {0} verwijderd";
        SignInRefusedUnverified => "Sign-in refused: the identity provider has not verified the email address", "Aanmelden geweigerd: de identiteitsprovider heeft het e-mailadres niet geverifieerd";
        FoundInPublicAt => "Key {0} found in public at {1}: quarantined", "Sleutel {0} openbaar gevonden op {1}: in quarantaine";
        ReportedAsLeaked => "Key {0} reported as leaked: quarantined", "Sleutel {0} gemeld als gelekt: in quarantaine";
        GithubScanning => "GitHub secret scanning", "GitHub secret scanning";
        GitlabDetection => "GitLab secret detection", "GitLab secret detection";
        APublicReport => "a public report", "een openbare melding";
        KeywardOnSchedule => "Keyward, on schedule", "Keyward, volgens planning";
        TheOperator => "the operator (CLI)", "de beheerder (CLI)";
        ThisSessionsKey => "this session's key", "de sleutel van deze sessie";
        NoRequests => "no requests", "geen verzoeken";
        OneRequest => "1 request", "1 verzoek";
        Requests => "{0} requests", "{0} verzoeken";
        RequestsRefused => "{0} requests, {1} refused", "{0} verzoeken, {1} geweigerd";
        PointAccepted => "{0}: {1} accepted", "{0}: {1} geaccepteerd";
        RefusedInvalid => ", {0} refused (wrong secret, revoked or quarantined)", ", {0} geweigerd (verkeerd geheim, ingetrokken of in quarantaine)";
        RefusedScope => ", {0} refused (lacking a scope)", ", {0} geweigerd (scope ontbreekt)";
        RefusedThrottled => ", {0} refused (throttled)", ", {0} geweigerd (afgeremd)";
        RefusedRateLimited => ", {0} refused (over a rate limit)", ", {0} geweigerd (boven een limiet)";
        RefusedCredits => ", {0} refused (out of credits)", ", {0} geweigerd (geen tegoed)";
        RefusedNetwork => ", {0} refused (network not allowed)", ", {0} geweigerd (netwerk niet toegestaan)";
        From => " from {0}", " vanaf {0}";
    }
    same: [LeftSeconds, LeftMinutes, GithubScanning, GitlabDetection]
}

/// Month abbreviations, January first.
pub const MONTHS_EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
pub const MONTHS_NL: [&str; 12] = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];
