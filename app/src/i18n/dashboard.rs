//! The texts of `ui/dashboard.rs`.

use super::texts;

texts! {
    Dashboard {
        Sandbox => "Sandbox", "Sandbox";
        RegionId => "Region ID", "Regio-ID";
        CopyRegionId => "Copy region ID", "Regio-ID kopiëren";
        LeakHeading => "A key of this region was found in public", "Een sleutel van deze regio is openbaar gevonden";
        LeakWhere => " was {0}, reported ", " is {0}, gemeld ";
        LeakConsequence => ". It is refused everywhere from then on and cannot be used again. Replace it: the wizard makes a new key with its scopes, you move your integrations, then it deletes this one.", ". Vanaf dan wordt hij overal geweigerd en kan hij niet meer worden gebruikt. Vervang hem: de wizard maakt een nieuwe sleutel met dezelfde scopes, jij zet je integraties over, daarna verwijdert de wizard deze.";
        ReplaceKey => "Replace {0}", "{0} vervangen";
        ReplaceThisKey => "Replace this key", "Deze sleutel vervangen";
        RotationHeading => "A key rotation is unfinished", "Een sleutelrotatie is niet afgerond";
        RotationNewKey => "The new key ", "De nieuwe sleutel ";
        RotationReplaces => " is to replace ", " vervangt ";
        RotationStarted => ", started ", ", gestart ";
        ResumeRotation => "Resume rotation", "Rotatie hervatten";
        ResumeReason => "Only a session whose key holds keys:write can finish or cancel it.", "Alleen een sessie waarvan de sleutel keys:write heeft, kan de rotatie afronden of annuleren.";
        RecentActivity => "Recent activity", "Recente activiteit";
        When => "When", "Wanneer";
        What => "What", "Wat";
        By => "By", "Door";
        From => "From", "Adres";
        FirstEntry => "This is the region's first entry.", "Dit is de eerste vermelding van de regio.";
        ShowOlder => "Show older activity", "Oudere activiteit tonen";
        EntriesShown => "{0} entries shown", "{0} vermeldingen getoond";
    }
    same: [Sandbox]
}
