//! The texts every page shares: the frame, sign-in, loading and errors,
//! forms, copying and the language switch.

use super::texts;

texts! {
    Common {
        SkipToContent => "Skip to content", "Naar de inhoud";
        BrandSubtitle => "API key console", "Beheer van API-sleutels";
        PageNotFound => "Page not found", "Pagina niet gevonden";
        GoToDashboard => "Go to the dashboard", "Naar het overzicht";
        SessionEnded => "Your session has ended: it timed out, was signed out, or the key it used was deleted. Sign in again.", "Je sessie is beëindigd: ze is verlopen of uitgelogd, of de sleutel waarmee je inlogde is verwijderd. Log opnieuw in.";
        Loading => "Loading…", "Laden…";
        CouldNotLoad => "The console could not load this region: {0}", "De console kon deze regio niet laden: {0}";
        CouldNotRefresh => "The console could not refresh this region: {0}", "De console kon deze regio niet vernieuwen: {0}";
        PartNotLoaded => "This part of the console could not be loaded. Check the connection and try again.", "Dit deel van de console kon niet worden geladen. Controleer de verbinding en probeer het opnieuw.";
        TryAgain => "Try again", "Opnieuw proberen";
        Cancel => "Cancel", "Annuleren";
        Close => "Close", "Sluiten";
        SignIn => "Sign in", "Inloggen";
        SigningIn => "Signing in…", "Bezig met inloggen…";
        SignInHelp => "Sign in with an API key of your region that may read its keys (keys:read). The key is checked once; this browser then holds only a session.", "Log in met een API-sleutel van je regio die de sleutels mag lezen (keys:read). De sleutel wordt één keer gecontroleerd; deze browser bewaart daarna alleen een sessie.";
        SignInWith => "Sign in with {0}", "Inloggen met {0}";
        Administrators => "Administrators", "Beheerders";
        OrWithKey => "Or sign in with an API key of your region.", "Of log in met een API-sleutel van je regio.";
        ApiKey => "API key", "API-sleutel";
        UsageOf => "Usage of {0}", "Gebruik van {0}";
        ADeletedKey => "a deleted key", "een verwijderde sleutel";
        NoDescription => "No description", "Geen omschrijving";
        DescriptionRefused => "the description is too long or contains control or invisible characters (such as line breaks, tabs or right-to-left overrides)", "de omschrijving is te lang of bevat stuur- of onzichtbare tekens (zoals regeleinden, tabs of tekens die de schrijfrichting omdraaien)";
        PageTitle => "Keyward console", "Keyward-console";
        SignOut => "Sign out", "Uitloggen";
        SignedOut => "You have signed out.", "Je bent uitgelogd.";
        SessionEnding => "Your session is about to end", "Je sessie loopt bijna af";
        SessionIdleWarning => "You have not used the console for a while: your session ends in {0} minutes. Stay signed in?", "Je hebt de console een tijdje niet gebruikt: je sessie eindigt over {0} minuten. Ingelogd blijven?";
        SessionLimitWarning => "Your session reaches its time limit in {0} minutes and cannot be extended. Sign in again then.", "Je sessie bereikt over {0} minuten haar tijdslimiet en kan niet worden verlengd. Log dan opnieuw in.";
        StaySignedIn => "Stay signed in", "Ingelogd blijven";
        SessionKept => "You are still signed in.", "Je bent nog steeds ingelogd.";
        Understood => "OK", "Begrepen";
        Copied => "Copied.", "Gekopieerd.";
        SelectedToCopy => "Selected: press Ctrl+C (⌘C) to copy.", "Geselecteerd: druk op Ctrl+C (⌘C) om te kopiëren.";
    }
}
