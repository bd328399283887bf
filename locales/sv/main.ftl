# Verkosto web pages: svenska.

## Datum och tal ($weekday: mon..sun; $monthname: m1..m12)
format-datetime = { $weekday ->
        [mon] mån
        [tue] tis
        [wed] ons
        [thu] tors
        [fri] fre
        [sat] lör
       *[sun] sön
    } { $day } { $monthname ->
        [m1] jan.
        [m2] feb.
        [m3] mars
        [m4] apr.
        [m5] maj
        [m6] juni
        [m7] juli
        [m8] aug.
        [m9] sep.
        [m10] okt.
        [m11] nov.
       *[m12] dec.
    } { $year } kl. { $hour }.{ $minute }
format-date = { $weekday ->
        [mon] mån
        [tue] tis
        [wed] ons
        [thu] tors
        [fri] fre
        [sat] lör
       *[sun] sön
    } { $day } { $monthname ->
        [m1] jan.
        [m2] feb.
        [m3] mars
        [m4] apr.
        [m5] maj
        [m6] juni
        [m7] juli
        [m8] aug.
        [m9] sep.
        [m10] okt.
        [m11] nov.
       *[m12] dec.
    } { $year }
format-time = { $hour }.{ $minute }
weekday-mon = mån
weekday-tue = tis
weekday-wed = ons
weekday-thu = tors
weekday-fri = fre
weekday-sat = lör
weekday-sun = sön
month-1 = januari
month-2 = februari
month-3 = mars
month-4 = april
month-5 = maj
month-6 = juni
month-7 = juli
month-8 = augusti
month-9 = september
month-10 = oktober
month-11 = november
month-12 = december

## Varje sida
skip-to-content = Hoppa till innehållet
nav-account = Konto
nav-language = Språk
nav-login = Logga in
nav-logout = Logga ut
nav-workspace = Mina gemenskaper
footer-powered = Ett rum för gemenskaper i fediversum, drivet med Verkosto.

## Fel
error-not-found = Hittades inte
error-forbidden = Inte tillåtet
error-too-many = För många försök
error-internal = Något gick fel hos oss
error-bad-request = Det lyckades inte
error-home = Tillbaka till startsidan

## Startsida
home-title = Gemenskaper och deras evenemang
home-intro = I Verkosto publicerar coworkingställen, föreningar och nätverk av community managers sina evenemang och nyheter. Följ vilken gemenskap som helst från Mastodon eller en annan app i fediversum, eller lägg till dess kalender i din egen.
home-first-run-title = Välkommen till ditt nya Verkosto
home-first-run-text = Den här servern har inga konton ännu. Skapa det första kontot (administratör) på serverns kommandorad:
home-first-run-then = Logga sedan in här och skapa din första gemenskap.
home-communities = Gemenskaper
home-no-communities = Inga gemenskaper ännu.
home-upcoming = Kommande evenemang
events-none = Inga kommande evenemang.

## Gemenskaps- och nätverkssidor
community-about = Om
community-location = Plats
community-upcoming = Kommande evenemang
community-past = Tidigare evenemang
community-announcements = Meddelanden
community-networks = Nätverk
community-manage = Hantera gemenskapen
announcements-none = Inga meddelanden ännu.
announcement-untitled = Meddelande
network-members = Medlemsgemenskaper
network-no-members = Inga medlemsgemenskaper ännu.
network-geojson = Medlemmarnas kartdata (GeoJSON)
kind-coworking = Coworkingställe
kind-company_internal = Företagsintern gemenskap
kind-association = Förening
kind-network = Nätverk av gemenskaper

## Följa
follow-title = Följ från fediversum
follow-text = Följ { $name } från Mastodon eller vilken app som helst i fediversum: sök efter den här adressen i din app, eller skriv din egen adress nedan.
follow-person-text = Följ { $name } från Mastodon eller vilken app som helst i fediversum: sök efter den här adressen i din app, eller skriv din egen adress nedan.
follow-handle-label = Adress att söka efter
follow-address-label = Din adress i fediversum
follow-address-placeholder = du@din.server
follow-go = Fortsätt på min server
join-title = Delta från fediversum
join-text = Sök efter den här adressen i din app i fediversum för att delta i { $name }, eller skriv din egen adress nedan.

## Kalendrar
calendar-month-view = Månadsvy
calendar-list-view = Lista
calendar-download = Ladda ner kalendern (.ics)
calendar-download-event = Lägg till i min kalender (.ics)
calendar-subscribe = Prenumerera i en kalenderapp
calendar-months = Månader
calendar-previous = Föregående månad
calendar-next = Nästa månad
calendar-month = { $month }
instance-calendar-title = Evenemang från andra instanser
instance-calendar-intro = Offentliga evenemang som reläer och instanser som den här instansen följer har skickat hit.
instance-calendar-ics = Prenumerera (iCalendar)
instance-calendar-empty = Inga kommande evenemang.
instance-calendar-by = av
instance-calendar-via = via

## Evenemangssida
event-cancelled = Det här evenemanget är inställt.
event-cancelled-short = Inställt
event-tentative = Tiden för evenemanget är ännu inte bekräftad.
event-organized-by = Arrangör
event-where = Plats
event-when = Tid
event-map = Karta
event-online = Online
event-online-join = Delta online
event-online-later = Länken visas här { $time }.
event-participants = Deltagare
event-full = Fullt
event-how-to-join = Deltagande
event-register-elsewhere = Anmäl dig
event-description = Beskrivning
event-add-to-calendar = Lägg till i kalendern
event-comments = Kommentarer
event-no-comments = Inga kommentarer ännu.
event-comment-how = Kommentera genom att svara på evenemanget från din app i fediversum.
participant-count = { $count ->
        [one] { $shown } deltagare
       *[other] { $shown } deltagare
    }
seats-left = { $count ->
        [one] { $shown } plats kvar
       *[other] { $shown } platser kvar
    }
join-free = Alla kan delta.
join-approval = Arrangörerna godkänner varje deltagare.
join-invite = Endast för inbjudna.
join-external = Anmälan sker på en annan webbplats.
join-none = Ingen anmälan behövs.

## Logga in
login-title = Logga in
login-username = Användarnamn
login-password = Lösenord
login-company = Logga in: { $name }
login-submit = Logga in
login-failed = Fel användarnamn eller lösenord.

## Arbetsyta
manage-title = Mina gemenskaper
manage-member-of = Gemenskaper jag är medlem i
manage-my-communities = Gemenskaper jag hanterar
manage-none-yet = Du hanterar ännu ingen gemenskap. Skapa en nedan.
manage-public-page = Offentlig sida
manage-create-community = Skapa en gemenskap
manage-create = Skapa
manage-new-event = Nytt evenemang
manage-follow-requests = Följarförfrågningar
manage-member-requests = Medlemsansökningar
manage-no-requests = Inga väntande förfrågningar.
manage-events = Evenemang
manage-actions = Åtgärder
manage-edit = Redigera
manage-cancel-event = Ställ in evenemanget
manage-post-announcement = Publicera ett meddelande
manage-settings = Gemenskapens inställningar
manage-embed = Kalender för din egen webbplats
manage-calendar = Mitt kalenderflöde
manage-calendar-intro = En privat adress för din kalenderapp, med evenemangen du deltar i. Vem som helst som har adressen kan läsa flödet.
manage-calendar-on = På sedan { $since }.
manage-calendar-off = Av.
manage-calendar-new = Skapa en ny adress
manage-calendar-new-hint = Den tidigare adressen slutar fungera.
manage-calendar-revoke = Stäng av
manage-calendar-created = Din nya kalenderadress. Den visas bara nu: kopiera den till din kalenderapp.
community-name = Namn i adresser
community-name-hint = Små bokstäver, siffror och _; namnet kan inte ändras senare.
community-display-name = Namn
community-summary = Om
community-kind = Typ
community-latitude = Latitud
community-longitude = Longitud
community-website = Webbplats
community-follow-policy = Vem kan följa
community-visibility = Vem ser den
visibility-public = Alla (offentlig, i fediversum)
visibility-members = Bara medlemmar
visibility-note = Bara för medlemmar: sidan, evenemangen, meddelandena och flödena syns bara för medlemmarna (de du godkänner eller bjuder in och lokala konton som gjorts till medlemmar), och följare godkänns alltid. Att göra en offentlig gemenskap medlemsexklusiv tar inte tillbaka det som redan publicerats: det förblir offentligt här, och kopior som redan finns på andra servrar blir kvar där. Den kan inte höra till ett nätverk.
policy-open = Vem som helst, direkt
policy-approval = Hanterarna godkänner varje följare
decision-accept = Godkänn
decision-reject = Avslå
announcement-title = Rubrik (valfri)
announcement-content = Text
announcement-publish = Publicera
event-form-new = Nytt evenemang
event-form-edit = Redigera evenemanget
event-title = Rubrik
event-starts = Börjar
event-ends = Slutar
event-timezone = Tidszon
event-online-url = Onlinelänk (sändning eller möte)
event-capacity = Platser
event-capacity-hint = Lämna tomt för obegränsat antal.
event-join-mode = Hur man deltar
event-external-url = Anmälningslänk (när anmälan sker på annat håll)
event-publish = Publicera evenemanget
place-name = Plats
place-street = Gatuadress
place-postal-code = Postnummer
place-locality = Ort
place-country = Land
form-preview = Förhandsgranska
form-save = Spara
form-markdown-hint = Markdown: **fet**, *kursiv*, [länk](https://example.org), listor med -.
form-required = Fyll i det här fältet.
form-not-a-number = Skriv ett tal.
form-bad-time = Skriv datum och tid, till exempel 2027-01-27 09:00.
form-bad-name = Använd bara små bokstäver a-z, siffror och _ (högst 64).
form-bad-url = Skriv en fullständig webbadress som börjar med https://.
form-end-before-start = Slutet måste vara efter början.
form-capacity-min = Antalet platser måste vara minst 1; lämna tomt för obegränsat.
form-bad-timezone = Välj en tidszon i listan.
participants-title = Deltagare
participants-csv = Ladda ner som CSV
participants-none = Ingen har anmält sig ännu.
participants-handle = Vem
participants-instance = Server
participants-state = Status
participants-since = Sedan
state-pending = Väntar på godkännande
state-accepted = Deltar
state-waitlisted = På väntelistan
state-rejected = Avslagen

## Fjärrinteraktion
interact-title = Följ eller delta med ditt konto
interact-follow = Följ
interact-join = Delta i evenemanget
interact-followed = Du har bett att få följa { $name }. Svaret kommer snart.
interact-joined = Du har anmält dig. Arrangörerna svarar snart.

## Avslag: vad någon bad om och varför det avslogs, ett meddelande per avslagskod
## (src/error/refusal.rs), med samma parametrar.
refusal-required = Det här är obligatoriskt.
refusal-too_long = Högst { $max } tecken.
refusal-too_short = Minst { $min } tecken.
refusal-too_many_bytes = Högst { $max } byte.
refusal-too_small = Minst { $min }.
refusal-not_between = Ange ett tal mellan { $min } och { $max }.
refusal-not_a_whole_number_between = Ange ett heltal från { $min } till { $max }.
refusal-out_of_range = Det här ligger utanför det tillåtna.
refusal-not_an_rfc3339_time = Ange datum och tid som 2026-11-24T18:00:00+02:00.
refusal-not_a_cursor = Det är ingen position i listan: följ adressen i listans Link-huvud.
refusal-unknown_time_zone = ”{ $value }” är ingen tidszon som Europe/Helsinki.
refusal-not_a_language_tag = Ange en språkkod som fi, sv eller en.
refusal-not_a_month = Ange en månad som 2027-01.
refusal-not_a_date = Ange en dag som 2027-01-25.
refusal-ends_before_start = Slutet måste vara efter början.
refusal-range_reversed = Intervallets slut måste vara efter dess början.
refusal-period_too_long = Välj en period på högst { $max_days } dagar.
refusal-external_url_required = Ange adressen där man anmäler sig.
refusal-new_event_cancelled = Ett nytt evenemang kan inte ställas in.
refusal-calendar_line = Kalenderns rad { $line }: { $why }. Inget importerades.
refusal-calendar_unreadable = Kalendern kan inte läsas: { $why }.
refusal-not_a_recurrence = Är ingen upprepningsregel som FREQ=WEEKLY;BYDAY=MO ({ $why }).
refusal-recurrence_never_starts = Upprepningsregeln ger inget datum från starten.
refusal-recurrence_change = En serie behåller sin regel: avsluta den och starta en ny serie från nästa datum.
refusal-not_an_occurrence = Evenemanget hör inte till någon serie.
refusal-cancel_with_its_action = Ställ in evenemanget med dess knapp Ställ in.
refusal-not_a_url = Det här är ingen webbadress.
refusal-not_a_web_address = Ange en webbadress som börjar med https:// eller http://.
refusal-not_a_url_or_handle = Ange en webbadress eller en adress som namn@server.
refusal-too_many_tags = Högst { $max } taggar.
refusal-not_a_hashtag = ”{ $tag }” är ingen hashtagg: bara bokstäver, siffror och _, 1 till { $max } tecken.
refusal-too_many_cohosts = Högst { $max } medarrangörer.
refusal-no_such_local_community = Det finns ingen gemenskap ”{ $name }” här.
refusal-name_length = Namnet måste ha { $min } till { $max } tecken.
refusal-name_characters = Namnet får bara innehålla små bokstäver a–z, siffror och _.
refusal-not_a_handle = Ange en adress som namn@server.
refusal-handle_is_local = { $name } finns på den här servern: den behöver inte slås upp.
refusal-not_a_host_name = Ange ett servernamn som spam.example.
refusal-host_refused = Servern { $host } kontaktas inte härifrån ({ $why }).
refusal-unresolvable_handle = { $handle } hittades inte ({ $why }).
refusal-not_a_community = { $handle } är ingen gemenskap.
refusal-not_a_network = { $name } är inget nätverk.
refusal-network_joins_itself = Ett nätverk kan inte gå med i sig självt.
refusal-cannot_block_itself = Servern kan inte blockera sig själv.
refusal-not_accept_or_reject = Välj godkänn eller avvisa.
refusal-not_new_or_off = Välj en ny länk eller stäng av länken.
refusal-not_an_object_here = Det här finns inte på den här servern.
refusal-not_an_address = Skriv din adress som namn@server, till exempel maja@mastodon.social.
refusal-unreachable_address = Den servern kan inte nås härifrån: ange en adress på en offentlig server.
refusal-malformed = Begäran förstods inte: { $detail }
refusal-invalid_document = Den andra servern skickade något som inte kan användas: { $why }
refusal-name_taken = Namnet ”{ $name }” är redan upptaget på den här servern.
refusal-already_following = Du följer redan { $handle }.
refusal-already_member = Redan medlem i { $network }.
refusal-not_joinable_here = Till det här evenemanget anmäler man sig inte här.
refusal-form_expired = Formuläret har gått ut. Ladda om sidan och försök igen.
refusal-comments_closed = Kommentarerna är stängda för det här evenemanget.
refusal-not_a_manager = Bara förvaltarna av ”{ $community }” får göra det här.
refusal-owner_stays_manager = En gemenskaps ägare kan inte tas bort som förvaltare.
refusal-not_an_admin = Bara serverns administratörer får göra det här.
refusal-registration_closed = Registreringen är stängd på den här servern.
refusal-remote_event_read_only = Evenemanget kommer från en annan server och kan bara ändras där.
refusal-remote_announcement_read_only = Meddelandet kommer från en annan server och kan bara ändras där.
refusal-log_in_first = Logga in först.
refusal-wrong_credentials = Fel användarnamn eller lösenord.
refusal-invalid_token = Din session har gått ut eller avslutats. Logga in igen.
refusal-token_required = Logga in först.
refusal-malformed_authorization = Logga in igen.
refusal-no_such_page = Sidan finns inte.
refusal-no_such_actor = { $handle } hittades inte.
refusal-no_such_event = Evenemanget finns inte.
refusal-no_such_calendar_subscription = Gemenskapen har ingen sådan kalender.
refusal-no_such_series = Serien finns inte.
refusal-ban_target = Ange antingen en användare (namn@server) eller en server.
refusal-ban_own_instance = Den egna servern kan inte blockeras.
refusal-no_such_ban = Blockeringen finns inte.
refusal-banned = Gemenskapen har blockerat den här användaren.
refusal-not_reportable = Är inget evenemang, meddelande, kommentar eller konto på den här tjänsten.
refusal-no_such_moderation_report = Anmälan finns inte.
refusal-sign_in_failed = Inloggningen lyckades inte: { $why }.
refusal-sign_in_not_configured = Den här tjänsten har ingen företagsinloggning.
refusal-password_login_off = Lösenord används inte här: logga in med företagets konto.
refusal-series_ended = Serien har redan avslutats.
refusal-no_such_community = Gemenskapen ”{ $name }” finns inte.
refusal-no_such_announcement = Meddelandet finns inte.
refusal-no_such_account = Kontot ”{ $name }” finns inte.
refusal-no_such_participation = Anmälan finns inte.
refusal-not_an_accepted_participant = Bara en deltagare med plats kan checkas in: godkänn deltagaren först.
refusal-no_such_calendar = Kalendern finns inte.
refusal-no_such_report = Rapporten finns inte: länken kan ha återkallats.
refusal-no_such_language = Språket ”{ $code }” finns inte.
refusal-no_such_manager = { $name } är inte förvaltare av ”{ $community }”.
refusal-no_such_action = Välj godkänn eller avvisa.
refusal-no_such_follow = Du följer inte { $handle }.
refusal-no_such_membership = Inte medlem i { $handle }.
refusal-no_such_member = Medlemmen finns inte.
refusal-no_such_follow_request = Följarförfrågan finns inte.
refusal-no_such_comment = Kommentaren finns inte.
refusal-no_such_block = { $host } är inte blockerad.
refusal-no_such_relay = Instansen följer inte { $url }.
refusal-not_a_relay_url = Ange http(s)-adressen till ett relä:s inkorg eller till en aktör (ett relä eller en instans).

# Insights (issue 16)
insights-title = Genomslag
insights-intro = Vad gemenskapen åstadkom under perioden, jämfört med lika lång period före den. Siffrorna är antal: inga namn visas.
insights-period = Period
insights-from = Från
insights-to = Till
insights-show = Visa
insights-figure = Mått
insights-this-period = Perioden
insights-previous-period = Föregående period
insights-followers-total = Följare vid periodens slut
insights-followers-new = Nya följare
insights-followers-lost = Förlorade följare
insights-events-held = Hållna evenemang
insights-accepted = Deltagare
insights-attended = Närvarande
insights-no-shows = Uteblev
insights-attendance-rate = Närvarograd
insights-first-time = Förstagångsdeltagare
insights-returning = Återkommande
insights-replies = Svar
insights-boosts = Boostar
insights-likes = Gillanden
insights-announcements = Publicerade meddelanden
insights-followers-chart = Följare per dag
insights-events-chart = Deltagare per evenemang
insights-day = Dag
insights-gained = Tillkomna
insights-lost = Förlorade
insights-event = Evenemang
insights-by-instance = Följare per server
insights-instance = Server
insights-no-events = Inga hållna evenemang under perioden.
insights-no-followers = Inga följare.
insights-csv = Siffrorna som CSV
insights-events-csv = Evenemangen som CSV
insights-table = Siffrorna i tabell
insights-none = –
manage-insights = Genomslag
participants-attended = Närvarande
attended-mark = Checka in
attended-unmark = Ångra
report-title = Genomslagsrapport
report-share-title = Dela rapporten
report-share-intro = En hemlig länk visar periodens rapport för den du ger den till (finansiär, arbetsgivare, kommun) utan inloggning. Länken visas bara en gång; du kan återkalla den när som helst.
report-share = Skapa en delbar länk
report-link-made = Länken är skapad. Kopiera den nu: den visas inte igen.
report-made = Skapad
report-revoke = Återkalla länken
report-footer = Siffrorna är antal: rapporten innehåller inga namn. Skapad med Verkosto.
refusal-event_not_over = Respons kan begäras när evenemanget är slut.
refusal-feedback_already_sent = Evenemangets enkät har redan skickats.
refusal-no_feedback_poll = Ingen enkät har skickats för evenemanget.
refusal-no_feedback_to_give = Det finns ingen öppen enkät för dig, eller så har du redan svarat.
refusal-choice_twice = Alternativet ”{ $choice }” finns två gånger.
refusal-not_a_choice = ”{ $choice }” är inget av alternativen.
feedback-title = Respons
feedback-send = Ge respons
feedback-open = Öppet svar (frivilligt)
feedback-thanks = Tack för din respons!
insights-feedback = Responsens medelvärde
insights-responses = Svar på enkäter
feedback-choice = Alternativ
feedback-votes = Röster
feedback-ask-intro = Skicka en kort enkät till deltagarna (betyg 1–5). I fediversum får deltagarna den som en omröstning i sin egen tjänst, andra svarar på evenemangets sida.
feedback-open-question = Öppen fråga (frivillig)
feedback-ask = Skicka enkäten
feedback-after = Enkäten kan skickas när evenemanget är slut.
insights-members = Medlemsgemenskaperna sida vid sida
insights-member = Gemenskap
insights-no-members = Nätverket har inga medlemmar ännu.
refusal-no_such_answer = Evenemangets enkät har inget sådant svar i ord.
insights-quotes = Med deltagarnas ord
feedback-feature = Citera i rapporten
feedback-unfeature = Citera inte
feedback-featured = Citeras i rapporten
insights-inboxes = Nådda inkorgar
insights-instances = Nådda servrar

## Återkommande evenemang (issue 17)
repeat-label = Upprepas
repeat-none = Upprepas inte
repeat-daily = Varje dag
repeat-weekly = Varje vecka samma veckodag
repeat-monthly_nth = Varje månad samma veckodag (t.ex. månadens andra tisdag)
repeat-monthly_day = Varje månad samma datum
repeat-yearly_nth = Varje år samma veckodag (t.ex. fjärde måndagen i januari)
repeat-hint = Dag och klockslag tas från starttiden. Varje gång är ett eget evenemang med egna deltagare.
repeat-ends = Upprepningen slutar
repeat-end-never = Aldrig
repeat-end-count = Efter ett antal gånger
repeat-end-until = På ett visst datum
repeat-count = Gånger
repeat-until = Sista dag
repeat-count-bad = Skriv antalet gånger, 1–500.
repeat-until-bad = Skriv dagen som 2027-06-07.
repeat-scope = Ändringen gäller
scope-this = bara den här gången
scope-following = den här och kommande gånger
scope-all = alla gånger
series-repeats = Upprepas { $rule }.
series-next = Kommande gånger
repeat-words-daily = varje dag kl. { $time }
repeat-words-weekly = varje { $days } kl. { $time }
repeat-words-monthly-nth = den { $nth } { $day }en varje månad kl. { $time }
repeat-words-monthly-day = den { $date } varje månad kl. { $time }
repeat-words-yearly-nth = varje år den { $nth } { $day }en i { $month } kl. { $time }
repeat-words-other = enligt regeln { $rule }
repeat-words-count = { $rule }, { $count } gånger
repeat-and = { $first } och { $last }
repeat-day-mon = måndag
repeat-day-tue = tisdag
repeat-day-wed = onsdag
repeat-day-thu = torsdag
repeat-day-fri = fredag
repeat-day-sat = lördag
repeat-day-sun = söndag
repeat-nth-1 = första
repeat-nth-2 = andra
repeat-nth-3 = tredje
repeat-nth-4 = fjärde
repeat-nth-last = sista
repeat-month-1 = januari
repeat-month-2 = februari
repeat-month-3 = mars
repeat-month-4 = april
repeat-month-5 = maj
repeat-month-6 = juni
repeat-month-7 = juli
repeat-month-8 = augusti
repeat-month-9 = september
repeat-month-10 = oktober
repeat-month-11 = november
repeat-month-12 = december

## Importerade kalendrar (issue 17)
manage-calendars = Kalendrar
calendars-title = Importerade kalendrar
calendars-intro = Hämta evenemangen från en kalender som gemenskapen redan har (Google, Outlook, Nextcloud): en prenumeration hämtas varje timme, och nya, ändrade och inställda evenemang publiceras en gång.
calendars-list = Kalendrar
calendars-none = Gemenskapen importerar ännu ingen kalender.
calendars-uploads = Uppladdade filer
calendars-synced = Senast hämtad
calendars-sync = Hämta nu
calendars-remove = Ta bort
calendars-done = Så här gick det
calendars-added = Nya
calendars-changed = Ändrade
calendars-cancelled = Inställda
calendars-unchanged = Oförändrade
calendars-past = Förflutna (publiceras inte)
calendars-not-modified = Kalendern hade inte ändrats.
calendars-errors = Problem:
calendars-subscribe = Prenumerera på en kalender
calendars-url = Kalenderns adress (https:// eller webcal://)
calendars-url-hint = I Google: Inställningar → kalenderns ”Hemlig adress i iCal-format”. I Outlook: Dela → Publicera kalender → ICS.
calendars-subscribe-button = Prenumerera
calendars-upload = Importera en fil en gång
calendars-file = Kalenderfil (.ics)
calendars-upload-button = Importera

## E-mail and participation by e-mail (issue 19)
refusal-mail_not_configured = Den här tjänsten skickar ingen e-post (ingen SMTP-server är inställd).
refusal-guests_not_taken = Man kan inte (nu) delta i det här evenemanget med e-post.
refusal-not_an_email = Det här är ingen e-postadress.
refusal-no_such_mail_link = Länken leder ingenstans: den är felskriven, eller dess evenemang har tagits bort.
mail-greeting = Hej { $name }!
mail-greeting-anonymous = Hej!
mail-footer = Meddelandet skickades av { $instance }.
mail-unsubscribe = Sluta skicka sådana meddelanden
mail-open-participation = Öppna evenemanget
mail-open-requests = Behandla förfrågningarna
mail-guest-confirm-subject = Bekräfta ditt deltagande: { $title }
mail-guest-confirm-body = Du bad om att få delta i { $title } ({ $when }). Ditt deltagande räknas när du öppnar länken och bekräftar det på sidan.
mail-guest-confirm-ignore = Om du inte bad om detta kan du bortse från meddelandet: utan bekräftelse deltar du inte.
mail-guest-confirm-action = Bekräfta deltagandet
mail-guest-manage = På samma sida kan du avboka ditt deltagande och lägga till evenemanget i din kalender.
mail-account-manage = Evenemangets sida har uppgifterna, och där kan du lägga till det i din kalender.
mail-confirmed-subject = Du är med: { $title }
mail-confirmed-body = Ditt deltagande i { $title } ({ $when }) är bekräftat.
mail-waitlisted-subject = Du står i kö: { $title }
mail-waitlisted-body = { $title } ({ $when }) är fullt. Du står i kö och får ett meddelande om en plats blir ledig.
mail-pending-subject = Din förfrågan väntar: { $title }
mail-pending-body = Arrangörerna godkänner deltagarna i { $title } ({ $when }). Du får ett meddelande när din förfrågan har behandlats.
mail-rejected-subject = Du kom inte med: { $title }
mail-rejected-body = Arrangörerna kunde inte ta med dig i { $title } ({ $when }).
mail-promoted-subject = Du fick en plats: { $title }
mail-promoted-body = En plats blev ledig: du är nu med i { $title } ({ $when }).
mail-changed-subject = Ändring: { $title }
mail-changed-body = Uppgifterna om { $title } har ändrats. Nu: { $when }. Tidigare: { $before }.
mail-cancelled-subject = Inställt: { $title }
mail-cancelled-body = { $title } ({ $before }) är inställt.
mail-reminder-subject = I morgon: { $title }
mail-reminder-body = Påminnelse: { $title } är i morgon, { $when }.
mail-decide-participation-subject = Deltagarförfrågan: { $title }
mail-decide-participation-body = { $who } vill delta i { $title }. Förfrågan väntar på ditt beslut.
mail-decide-follow-subject = Följarförfrågan: { $community }
mail-decide-follow-body = { $who } vill följa gemenskapen { $community }. Förfrågan väntar på ditt beslut.
mail-kind-participation_confirmed = Bekräftelser av mitt deltagande
mail-kind-waitlist_promoted = Plats från kön
mail-kind-event_changed = Ändringar och inställda evenemang
mail-kind-reminder = Påminnelse dagen före
mail-kind-decision_needed = Förfrågningar som väntar på beslut (för administratörer)
guest-title = Delta med e-post
guest-intro = Har du inget fediversekonto? Ange ditt namn och din e-postadress, så får du en länk för att bekräfta ditt deltagande.
guest-name = Namn
guest-email = E-post
guest-submit = Skicka bekräftelselänk
guest-sent-title = Kolla din e-post
guest-sent = Vi skickade en bekräftelselänk till { $email }. Ditt deltagande räknas när du bekräftar det.
guest-page-title = Ditt deltagande
guest-confirm-text = Bekräfta ditt deltagande i { $title }.
guest-confirm-button = Bekräfta deltagandet
guest-state-accepted = Du är med.
guest-state-waitlisted = Evenemanget är fullt: du står i kö.
guest-state-pending = Din förfrågan väntar på arrangörernas godkännande.
guest-state-rejected = Arrangörerna kunde inte ta med dig.
guest-cancelled = Du avbokade ditt deltagande.
guest-cancel-button = Avboka deltagandet
guest-again-button = Delta igen
guest-open-event = Evenemangets sida
mail-settings-title = E-postaviseringar
mail-settings-intro = Meddelanden till { $email }:
mail-settings-save = Spara
mail-settings-saved = Inställningarna sparades.
unsubscribe-title = Sluta med aviseringar
unsubscribe-text = Sluta skicka ”{ $kind }” till { $email }?
unsubscribe-button = Sluta
unsubscribe-done = Du får inte längre ”{ $kind }”.
form-guest-participation = Deltagande även med e-post (utan fediversekonto)
form-members-only = Bara för medlemmar (bara gemenskapens medlemmar ser det och kan delta)
refusal-nothing_to_forward = Anmälan gäller inget från en annan server.
refusal-suspended = Kontot är avstängt på den här servern.
refusal-no_such_held_comment = Det finns ingen sådan kommentar som väntar på beslut.
mail-decide-comment-subject = En kommentar väntar: { $title }
mail-decide-comment-body = { $who } kommenterade { $title } för första gången. Kommentaren syns när du godkänner den.
community-rules = Regler
manage-moderation = Moderering
moderation-title = Moderering
moderation-held = Kommentarer som väntar på godkännande
moderation-held-none = Inga kommentarer väntar.
moderation-approve = Godkänn
moderation-reject = Avvisa
moderation-reports = Öppna anmälningar
moderation-reports-none = Inga öppna anmälningar.
moderation-reported-by = Anmälare
moderation-resolve = Markera som behandlad
moderation-forward = Vidarebefordra till innehållets server
moderation-forwarded = vidarebefordrad
moderation-bans = Blockeringar
moderation-bans-none = Inga blockeringar.
moderation-ban-target = Användare (namn@server) eller en hel server (server.se)
moderation-ban-note = Anteckning för administratörerna
moderation-ban = Blockera
moderation-unban = Ta bort blockeringen
moderation-rules = Regler och kommentarer
moderation-rules-text = Regler som visas på gemenskapens sida (Markdown)
moderation-hold = Kommentarer från förstagångsskribenter väntar på godkännande
moderation-save = Spara
moderation-log = Moderationslogg
moderation-log-none = Loggen är ännu tom.
signup-title = Skapa konto
signup-link = Inget konto? Skapa ett
signup-password = Lösenord (minst 8 tecken)
signup-submit = Skapa konto
signup-sent = Vi skickade en bekräftelselänk till { $email }. Du kan logga in när du har bekräftat adressen.
confirm-email-title = Bekräfta din e-postadress
confirm-email-text = Bekräfta e-postadressen för kontot { $name }.
confirm-email-button = Bekräfta adressen
confirm-email-done = Adressen är bekräftad. Du kan nu logga in.
mail-account-confirm-subject = Bekräfta din e-postadress: { $instance }
mail-account-confirm-body = Du skapade kontot { $name } på { $instance }. Bekräfta din adress genom att öppna länken och trycka på ”Bekräfta adressen”; sedan kan du logga in.
mail-account-confirm-action = Bekräfta adressen
refusal-email_unconfirmed = Bekräfta först din e-postadress: länken finns i din e-post.
refusal-members_need_approval = En gemenskap som bara syns för medlemmar godkänner själv sina följare: följpolicyn kan inte vara öppen.
refusal-members_only = Bara gemenskapens medlemmar kan göra detta.
refusal-members_only_in_network = En gemenskap som bara syns för medlemmar kan inte höra till ett nätverk (ett nätverk visar vad dess medlemmar publicerar för alla): lämna först dess nätverk eller håll den offentlig.
refusal-not_a_person = Bara personer kan bjudas in.
refusal-invitation_target = Ange antingen ett användarnamn eller en e-postadress.
refusal-no_such_invitation = Ingen sådan inbjudan.
flag-title = Anmäl till administratörerna
flag-reason = Vad är fel med evenemanget?
flag-send = Skicka anmälan
flag-log-in = Logga in för att anmäla (eller anmäl på din egen fediverseserver)
flag-sent-title = Anmälan skickad
flag-sent = Tack. Gemenskapens administratörer ser din anmälan.
reports-queue-title = Anmälningar
reports-queue-back = Arbetsytan

## Invitations into a community (issue 18)
invitation-title = En inbjudan
invitation-text = Du är inbjuden till { $community }, en gemenskap bara för sina medlemmar.
invitation-join = Gå med i gemenskapen
invitation-log-in-first = Logga in först (eller skapa ett konto) och öppna sedan länken igen.
mail-invitation-subject = En inbjudan till { $community }
mail-invitation-body = { $who } bjuder in dig till { $community } på { $instance }, en gemenskap bara för sina medlemmar. Öppna länken och tryck på ”Gå med i gemenskapen”; logga in eller skapa ett konto först om du inte har något där.
mail-invitation-ignore = Om du inte väntade dig detta kan du strunta i meddelandet: ingenting händer om du inte trycker på knappen.
mail-invitation-action = Se inbjudan
invitations-title = Inbjudningar
invitations-invite = Bjud in
invitations-hint = Bjud in en person här med användarnamnet, eller vem som helst i fediversum med deras namn (namn@server): deras följförfrågan godkänns då utan att vänta på dig. Den som bjuds in per e-post får en länk för att gå med med sitt konto här.
invitations-handle = Användarnamn eller namn@server
invitations-email = E-postadress
invitations-send = Skicka inbjudan
invitations-sent = Inbjudna
invitations-none = Ingen inbjuden ännu.
invitations-accepted = gått med
invitations-waiting = inte gått med ännu
invitations-withdraw = Ta tillbaka
