//! The texts of the accessibility statement (`ui/statement.rs`).

use super::texts;

texts! {
    Statement {
        Link => "Accessibility statement", "Toegankelijkheidsverklaring";
        Title => "Accessibility statement", "Toegankelijkheidsverklaring";
        Intro => "Keyward's console aims to meet the Web Content Accessibility Guidelines (WCAG) 2.1 at level AA, as EN 301 549 requires of public-sector web applications. This statement says what was tested, how, and what is known not to meet the standard yet. It was last reviewed on 27 November 2026.", "De console van Keyward wil voldoen aan de Web Content Accessibility Guidelines (WCAG) 2.1 op niveau AA, zoals EN 301 549 vraagt van webapplicaties van de overheid. Deze verklaring zegt wat is getest, hoe, en waarvan bekend is dat het nog niet aan de norm voldoet. Ze is voor het laatst bekeken op 27 november 2026.";
        TestedHeading => "What is tested, with every change", "Wat bij elke wijziging wordt getest";
        TestedAxe => "Every page and state (sign-in with an error, the dashboard, every dialog, the one-time reveal, each step of the rotation wizard, loading and error states, the usage charts) is checked with axe-core against the WCAG 2.0 and 2.1 A and AA rules, in the light and the dark theme, in English and in Dutch: no violations.", "Elke pagina en toestand (inloggen met een fout, het overzicht, elk dialoogvenster, het eenmalig tonen van een sleutel, elke stap van de rotatiewizard, laad- en foutmeldingen, de gebruiksgrafieken) wordt met axe-core gecontroleerd op de regels van WCAG 2.0 en 2.1 A en AA, in het lichte en het donkere thema, in het Engels en in het Nederlands: geen overtredingen.";
        TestedKeyboard => "Signing in, creating a key and storing it, editing, deleting and rotating a key are done with the keyboard alone, without a single mouse click. Focus is visible, stays inside an open dialog and returns to the control that opened it.", "Inloggen, een sleutel maken en bewaren, bewerken, verwijderen en roteren gaan met alleen het toetsenbord, zonder één muisklik. De focus is zichtbaar, blijft binnen een open dialoogvenster en keert terug naar het element dat het opende.";
        TestedReflow => "At 320 CSS pixels wide (the width of 400% zoom) the page never scrolls sideways; wide tables scroll in their own box.", "Op 320 CSS-pixels breed (de breedte bij 400% zoom) schuift de pagina nooit opzij; brede tabellen schuiven in hun eigen kader.";
        TestedAnnounced => "Changes that happen without a page change (copied, saved, deleted, refused, a verdict of the rotation wizard) are announced through live regions.", "Wijzigingen zonder nieuwe pagina (gekopieerd, opgeslagen, verwijderd, geweigerd, het oordeel van de rotatiewizard) worden via live regions gemeld.";
        HowHeading => "How", "Hoe";
        How => "Automatically, in the test suite that every change must pass: Playwright drives the console in Chromium, with @axe-core/playwright for the rules above. Colour contrast of both themes is part of axe's checks.", "Automatisch, in de testsuite waar elke wijziging doorheen moet: Playwright bedient de console in Chromium, met @axe-core/playwright voor de regels hierboven. Het kleurcontrast van beide thema's hoort bij de controles van axe.";
        LimitsHeading => "Known limitations", "Bekende beperkingen";
        LimitScreenReaders => "The console has not yet been tested with screen readers (NVDA, JAWS, VoiceOver) by people who use them; automated checks cannot find every problem.", "De console is nog niet getest met schermlezers (NVDA, JAWS, VoiceOver) door mensen die ze gebruiken; automatische controles vinden niet elk probleem.";
        LimitCharts => "A chart's exact counts per bar appear on hover with a mouse only; with the keyboard and screen readers, use the chart's summary and its \"Show the numbers\" table, which hold the same numbers.", "De precieze aantallen per staaf van een grafiek verschijnen alleen bij aanwijzen met de muis; gebruik met het toetsenbord en schermlezers de samenvatting van de grafiek en de tabel onder \"Getallen tonen\", met dezelfde getallen.";
        LimitTimes => "Exact times are shown in UTC, not in your own time zone.", "Precieze tijden staan in UTC, niet in je eigen tijdzone.";
        LimitServerWords => "Some refusals of the server about invalid input are worded in general terms in Dutch, where English names the rule that was broken.", "Sommige weigeringen van de server over ongeldige invoer zijn in het Nederlands algemeen verwoord, waar het Engels de overtreden regel noemt.";
        FeedbackHeading => "Found a problem?", "Een probleem gevonden?";
        Feedback => "Tell the team that runs Keyward for your organisation: what you tried, on which page, and with which browser and assistive technology.", "Laat het weten aan het team dat Keyward voor je organisatie beheert: wat je probeerde, op welke pagina, en met welke browser en hulpmiddelen.";
    }
}
