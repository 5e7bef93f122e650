//! The texts of signing in as a person and of the Administrators page
//! (`ui/people.rs`).

use super::texts;

texts! {
    People {
        ChooseTitle => "Choose a region", "Kies een regio";
        ChooseHelp => "You are signed in as {0}. Which region do you want to manage?", "Je bent aangemeld als {0}. Welke regio wil je beheren?";
        ChooseReadOnly => "read only", "alleen lezen";
        ChooseManage => "manage keys", "sleutels beheren";
        ChooseExpired => "This choice has expired. Sign in again.", "Deze keuze is verlopen. Log opnieuw in.";
        Title => "Administrators", "Beheerders";
        Intro => "People who sign in to this region's console with your organisation's identity provider, by the email address it verifies.", "Mensen die met de identiteitsprovider van je organisatie inloggen op de console van deze regio, op het e-mailadres dat die bevestigt.";
        None => "No one is an administrator of this region yet.", "Nog niemand is beheerder van deze regio.";
        Email => "Email address", "E-mailadres";
        Access => "Access", "Toegang";
        Granted => "Granted", "Toegekend";
        Actions => "Actions", "Acties";
        Grant => "Grant access", "Toegang geven";
        Granting => "Granting…", "Toegang geven…";
        ReadOnly => "Read only (keys:read)", "Alleen lezen (keys:read)";
        Manage => "Manage keys and administrators (keys:write)", "Sleutels en beheerders beheren (keys:write)";
        Revoke => "Revoke", "Intrekken";
        RevokeNamed => "Revoke {0}", "{0} intrekken";
        RevokeConfirm => "Revoke the access of {0}? Their sessions in this region end at once.", "De toegang van {0} intrekken? Hun sessies in deze regio eindigen meteen.";
        Revoked => "Access of {0} revoked.", "Toegang van {0} ingetrokken.";
        GrantedTo => "{0} is now an administrator.", "{0} is nu beheerder.";
        ReadOnlyReason => "Your access is read only: you can see the administrators but not change them.", "Je toegang is alleen lezen: je ziet de beheerders maar kunt ze niet wijzigen.";
        Back => "Back to the dashboard", "Terug naar het overzicht";
        SignedInAs => "Signed in as {0}", "Aangemeld als {0}";
    }
}
