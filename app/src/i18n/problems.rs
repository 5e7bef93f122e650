//! The server's refusals in Dutch, by their problem code. In English the
//! console shows the server's own words (the REST API's `detail`); in
//! Dutch it looks the code up here, never the English text. The match is
//! exhaustive: a new [`ProblemCode`] without its Dutch does not compile.

use domain::model::ProblemCode;

use super::Lang;

/// The refusal with problem code `code` in `lang`, as a sentence fragment;
/// `None` in English (the server's words stand).
pub fn refusal(code: ProblemCode, lang: Lang) -> Option<&'static str> {
    match lang {
        Lang::En => None,
        Lang::Nl => Some(dutch(code)),
    }
}

fn dutch(code: ProblemCode) -> &'static str {
    match code {
        ProblemCode::Unauthenticated | ProblemCode::Invalid => "een geldige API-sleutel is nodig",
        ProblemCode::ApiKeyRevoked | ProblemCode::Revoked => "deze API-sleutel is ingetrokken",
        ProblemCode::ApiKeyQuarantined | ProblemCode::Quarantined => {
            "deze API-sleutel is openbaar gevonden en in quarantaine gezet; hij werkt niet meer"
        }
        ProblemCode::QuarantineIsFinal => {
            "deze API-sleutel staat voorgoed in quarantaine: hij kan alleen worden verwijderd, of vervangen met de wizard voor sleutelrotatie"
        }
        ProblemCode::Throttled => "te veel pogingen; probeer het straks opnieuw",
        ProblemCode::InsufficientScope => "deze API-sleutel mist een scope die hiervoor nodig is",
        ProblemCode::ScopeEscalation => "een API-sleutel kan alleen scopes geven die hij zelf heeft",
        ProblemCode::RateLimited => "deze API-sleutel zit boven een van zijn limieten; probeer het straks opnieuw",
        ProblemCode::CreditsExhausted => "deze API-sleutel heeft geen tegoed meer",
        ProblemCode::NetworkNotAllowed => "deze API-sleutel mag niet vanaf dit netwerk worden gebruikt",
        ProblemCode::PolicyEscalation => {
            "een API-sleutel kan alleen een beleid geven dat even streng is als het zijne: dezelfde eigenaar, limieten minstens zo streng, niet meer tegoed, netwerken binnen de zijne"
        }
        ProblemCode::OwnPolicy => {
            "een API-sleutel kan zijn eigen eigenaar, limieten, tegoed of netwerken niet wijzigen; doe dat met een andere sleutel met keys:write"
        }
        ProblemCode::OwnerNotFound => "er is geen eigenaar met dit id in je regio",
        ProblemCode::AdministratorNotFound => "er is geen beheerder met dit id in je regio",
        ProblemCode::AdministratorExists => "dit e-mailadres is al beheerder van deze regio",
        ProblemCode::NotAnAdministrator => {
            "je bent aangemeld, maar geen enkele regio laat dit account toe tot de console; vraag een beheerder om toegang"
        }
        ProblemCode::SignInRefused => "aanmelden is mislukt; begin opnieuw bij de aanmeldpagina",
        ProblemCode::OwnerHasKeys => {
            "deze eigenaar heeft nog API-sleutels; verwijder ze of geef ze eerst een andere eigenaar"
        }
        ProblemCode::ExternalIdTaken => "er bestaat al een eigenaar met deze external_id in je regio",
        ProblemCode::WebhookNotFound => "er is geen webhook-eindpunt of -bericht met dit id in je regio",
        // The server's reason follows in parentheses.
        ProblemCode::WebhookUrlNotAllowed => "deze webhook-URL is niet toegestaan",
        ProblemCode::ApiKeyScopesChanged => {
            "de scopes van deze API-sleutel zijn veranderd terwijl het verzoek liep; er is niets gewijzigd, probeer het opnieuw"
        }
        ProblemCode::ForeignRegion => "deze API-sleutel hoort bij een andere regio",
        ProblemCode::ApiKeyNotFound => "er is geen API-sleutel met dit id in je regio",
        ProblemCode::LastApiKey => {
            "dit is de laatste sleutel van de regio die sleutels mag beheren (keys:write, niet gepland voor intrekking en niet in quarantaine); maak eerst een andere"
        }
        ProblemCode::KeyLimitReached => {
            "deze regio heeft het maximale aantal API-sleutels; verwijder er een voordat je een nieuwe maakt"
        }
        ProblemCode::RotationInProgress => {
            "er loopt al een sleutelrotatie in deze regio; rond die eerst af of annuleer haar"
        }
        ProblemCode::RotationNotFound => {
            "deze rotatie loopt niet meer: ze is afgerond of geannuleerd, of haar nieuwe sleutel is verwijderd"
        }
        ProblemCode::InvalidInput => "deze invoer is ongeldig",
        ProblemCode::RegionNameTaken => "er bestaat al een regio met deze naam",
        ProblemCode::RegionNotFound => "deze regio bestaat niet",
        ProblemCode::DatabaseUnavailable | ProblemCode::Unavailable => {
            "de database antwoordt niet; probeer het zo opnieuw"
        }
        ProblemCode::Busy => "de server heeft het te druk; probeer het straks opnieuw",
        ProblemCode::InternalError => "er ging iets mis op de server; probeer het opnieuw",
        ProblemCode::PayloadTooLarge => "het verzoek is groter dan de server aanneemt",
        ProblemCode::UnsupportedMediaType => "de inhoud van het verzoek is geen JSON",
        ProblemCode::InvalidBody => "de inhoud van het verzoek heeft niet de gevraagde vorm",
        ProblemCode::MalformedJson => "de inhoud van het verzoek is geen geldige JSON",
        ProblemCode::InvalidSignature => {
            "de handtekening van de melding ontbreekt, is van een onbekende sleutel of past niet bij de inhoud"
        }
        ProblemCode::NotEnabled => "dit is op deze server niet ingeschakeld",
        ProblemCode::InvalidQuery => "de query van het verzoek is ongeldig",
        ProblemCode::InvalidPath => "het pad van het verzoek is ongeldig",
        ProblemCode::NoRoute => "dit eindpunt bestaat niet",
        ProblemCode::MethodNotAllowed => "dit eindpunt accepteert deze methode niet",
        ProblemCode::CrossSite => "de functies van de console accepteren alleen verzoeken van de eigen pagina's",
        ProblemCode::DuplicateSessionCookie => "dit verzoek heeft twee sessiecookies; log opnieuw in",
        ProblemCode::Missing => "een API-sleutel is nodig",
        ProblemCode::ScopeInQuery => {
            "onder /auth/check/ noemt de query nooit scopes: noem ze in X-Keyward-Scope, of controleer met /auth/check?scope="
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_type_has_its_dutch() {
        for &code in ProblemCode::ALL {
            assert!(refusal(code, Lang::Nl).is_some_and(|text| !text.trim().is_empty()), "{code} has no Dutch");
            assert_eq!(refusal(code, Lang::En), None, "English keeps the server's words");
        }
    }
}
