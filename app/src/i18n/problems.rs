//! The server's refusals in Dutch, by their problem type. In English the
//! console shows the server's own words (the REST API's `detail`); in
//! Dutch it looks the type up here, never the English text.

use super::Lang;

/// Every problem type the console's server functions can answer with.
#[cfg(test)]
const TYPES: &[&str] = &[
    "unauthenticated",
    "api-key-revoked",
    "api-key-quarantined",
    "quarantine-is-final",
    "throttled",
    "insufficient-scope",
    "scope-escalation",
    "api-key-scopes-changed",
    "foreign-region",
    "api-key-not-found",
    "last-api-key",
    "key-limit-reached",
    "rotation-in-progress",
    "rotation-not-found",
    "invalid-input",
    "region-name-taken",
    "region-not-found",
    "database-unavailable",
    "internal-error",
    "duplicate-session-cookie",
    "cross-site",
];

/// The refusal of problem type `code` in `lang`, as a sentence fragment;
/// `None` in English (the server's words stand) and for an unknown type.
pub fn refusal(code: &str, lang: Lang) -> Option<&'static str> {
    if lang == Lang::En {
        return None;
    }
    Some(match code {
        "unauthenticated" => "een geldige API-sleutel is nodig",
        "api-key-revoked" => "deze API-sleutel is ingetrokken",
        "api-key-quarantined" => "deze API-sleutel is openbaar gevonden en in quarantaine gezet; hij werkt niet meer",
        "quarantine-is-final" => {
            "deze API-sleutel staat voorgoed in quarantaine: hij kan alleen worden verwijderd, of vervangen met de wizard voor sleutelrotatie"
        }
        "throttled" => "te veel pogingen; probeer het straks opnieuw",
        "insufficient-scope" => "deze API-sleutel mist een scope die hiervoor nodig is",
        "scope-escalation" => "een API-sleutel kan alleen scopes geven die hij zelf heeft",
        "api-key-scopes-changed" => {
            "de scopes van deze API-sleutel zijn veranderd terwijl het verzoek liep; er is niets gewijzigd, probeer het opnieuw"
        }
        "foreign-region" => "deze API-sleutel hoort bij een andere regio",
        "api-key-not-found" => "er is geen API-sleutel met dit id in je regio",
        "last-api-key" => {
            "dit is de laatste sleutel van de regio die sleutels mag beheren (keys:write, niet gepland voor intrekking en niet in quarantaine); maak eerst een andere"
        }
        "key-limit-reached" => {
            "deze regio heeft het maximale aantal API-sleutels; verwijder er een voordat je een nieuwe maakt"
        }
        "rotation-in-progress" => "er loopt al een sleutelrotatie in deze regio; rond die eerst af of annuleer haar",
        "rotation-not-found" => {
            "deze rotatie loopt niet meer: ze is afgerond of geannuleerd, of haar nieuwe sleutel is verwijderd"
        }
        "invalid-input" => "deze invoer is ongeldig",
        "region-name-taken" => "er bestaat al een regio met deze naam",
        "region-not-found" => "deze regio bestaat niet",
        "database-unavailable" => "de database antwoordt niet; probeer het zo opnieuw",
        "internal-error" => "er ging iets mis op de server; probeer het opnieuw",
        "duplicate-session-cookie" => "dit verzoek heeft twee sessiecookies; log opnieuw in",
        "cross-site" => "de functies van de console accepteren alleen verzoeken van de eigen pagina's",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_type_has_its_dutch() {
        for code in TYPES {
            assert!(refusal(code, Lang::Nl).is_some_and(|text| !text.is_empty()), "{code} has no Dutch");
            assert_eq!(refusal(code, Lang::En), None, "English keeps the server's words");
        }
        assert_eq!(refusal("something-new", Lang::Nl), None);
    }
}
