# Verkosto web pages: suomi.

## Päivämäärät ja luvut ($weekday: mon..sun; $monthname: m1..m12)
format-datetime = { $weekday ->
        [mon] ma
        [tue] ti
        [wed] ke
        [thu] to
        [fri] pe
        [sat] la
       *[sun] su
    } { $day }.{ $month }.{ $year } klo { $hour }.{ $minute }
format-date = { $weekday ->
        [mon] ma
        [tue] ti
        [wed] ke
        [thu] to
        [fri] pe
        [sat] la
       *[sun] su
    } { $day }.{ $month }.{ $year }
format-time = { $hour }.{ $minute }
weekday-mon = ma
weekday-tue = ti
weekday-wed = ke
weekday-thu = to
weekday-fri = pe
weekday-sat = la
weekday-sun = su
month-1 = tammikuu
month-2 = helmikuu
month-3 = maaliskuu
month-4 = huhtikuu
month-5 = toukokuu
month-6 = kesäkuu
month-7 = heinäkuu
month-8 = elokuu
month-9 = syyskuu
month-10 = lokakuu
month-11 = marraskuu
month-12 = joulukuu

## Joka sivulla
skip-to-content = Siirry sisältöön
nav-account = Tili
nav-language = Kieli
nav-login = Kirjaudu
nav-logout = Kirjaudu ulos
nav-workspace = Yhteisöni
footer-powered = Yhteisöjen tila fediversumissa, toteutettu Verkostolla.

## Virheet
error-not-found = Ei löytynyt
error-forbidden = Ei sallittu
error-too-many = Liian monta yritystä
error-internal = Jotain meni vikaan meidän päässämme
error-bad-request = Se ei onnistunut
error-home = Takaisin etusivulle

## Etusivu
home-title = Yhteisöt ja niiden tapahtumat
home-intro = Verkostossa yhteisötilat, yhdistykset ja yhteisömanagerien verkostot julkaisevat tapahtumansa ja uutisensa. Seuraa mitä tahansa yhteisöä Mastodonista tai muusta fediversumin sovelluksesta, tai lisää sen kalenteri omaasi.
home-first-run-title = Tervetuloa uuteen Verkostoosi
home-first-run-text = Tällä palvelimella ei ole vielä tilejä. Luo ensimmäinen (ylläpitäjän) tili palvelimen komentorivillä:
home-first-run-then = Kirjaudu sitten tässä sisään ja luo ensimmäinen yhteisösi.
home-communities = Yhteisöt
home-no-communities = Ei vielä yhteisöjä.
home-upcoming = Tulevat tapahtumat
events-none = Ei tulevia tapahtumia.

## Yhteisö- ja verkostosivut
community-about = Tietoa
community-location = Sijainti
community-upcoming = Tulevat tapahtumat
community-past = Menneet tapahtumat
community-announcements = Tiedotteet
community-networks = Verkostot
community-manage = Hallinnoi yhteisöä
announcements-none = Ei vielä tiedotteita.
announcement-untitled = Tiedote
network-members = Jäsenyhteisöt
network-no-members = Ei vielä jäsenyhteisöjä.
network-geojson = Jäsenten karttatiedot (GeoJSON)
kind-coworking = Yhteisötyötila
kind-company_internal = Yrityksen sisäinen yhteisö
kind-association = Yhdistys
kind-network = Yhteisöjen verkosto

## Seuraaminen
follow-title = Seuraa fediversumista
follow-text = Seuraa yhteisöä { $name } Mastodonista tai mistä tahansa fediversumin sovelluksesta: hae tätä osoitetta sovelluksessasi tai kirjoita oma osoitteesi alle.
follow-person-text = Seuraa käyttäjää { $name } Mastodonista tai mistä tahansa fediversumin sovelluksesta: hae tätä osoitetta sovelluksessasi tai kirjoita oma osoitteesi alle.
follow-handle-label = Haettava osoite
follow-address-label = Oma fediversumin osoitteesi
follow-address-placeholder = sinä@palvelimesi.fi
follow-go = Jatka omalla palvelimellani
join-title = Osallistu fediversumista
join-text = Hae tätä osoitetta fediversumin sovelluksessasi osallistuaksesi tapahtumaan { $name }, tai kirjoita oma osoitteesi alle.

## Kalenterit
calendar-month-view = Kuukausinäkymä
calendar-list-view = Lista
calendar-download = Lataa kalenteri (.ics)
calendar-download-event = Lisää kalenteriini (.ics)
calendar-subscribe = Tilaa kalenterisovellukseen
calendar-months = Kuukaudet
calendar-previous = Edellinen kuukausi
calendar-next = Seuraava kuukausi
calendar-month = { $month }
instance-calendar-title = Tapahtumia muilta palvelimilta
instance-calendar-intro = Julkiset tapahtumat, jotka tämän palvelimen seuraamat välittäjät ja palvelimet ovat lähettäneet.
instance-calendar-ics = Tilaa (iCalendar)
instance-calendar-empty = Ei tulevia tapahtumia.
instance-calendar-by = järjestäjä
instance-calendar-via = välittäjä

## Tapahtumasivu
event-cancelled = Tämä tapahtuma on peruttu.
event-cancelled-short = Peruttu
event-tentative = Tapahtuman aika ei ole vielä varma.
event-organized-by = Järjestäjä
event-where = Paikka
event-when = Aika
event-map = Kartta
event-online = Verkossa
event-online-join = Liity verkossa
event-online-later = Linkki näkyy tässä { $time }.
event-participants = Osallistujat
event-full = Täynnä
event-how-to-join = Osallistuminen
event-register-elsewhere = Ilmoittaudu
event-description = Kuvaus
event-add-to-calendar = Lisää kalenteriin
event-comments = Kommentit
event-no-comments = Ei vielä kommentteja.
event-comment-how = Kommentoi vastaamalla tapahtumaan fediversumin sovelluksestasi.
participant-count = { $count ->
        [one] { $shown } osallistuja
       *[other] { $shown } osallistujaa
    }
seats-left = { $count ->
        [one] { $shown } paikka jäljellä
       *[other] { $shown } paikkaa jäljellä
    }
join-free = Kuka tahansa voi osallistua.
join-approval = Järjestäjät hyväksyvät jokaisen osallistujan.
join-invite = Vain kutsutuille.
join-external = Ilmoittautuminen on toisella sivustolla.
join-none = Ilmoittautumista ei tarvita.

## Kirjautuminen
login-title = Kirjaudu sisään
login-username = Käyttäjänimi
login-password = Salasana
login-company = Kirjaudu: { $name }
login-submit = Kirjaudu
login-failed = Käyttäjänimi tai salasana on väärin.

## Työtila
manage-title = Yhteisöni
manage-member-of = Yhteisöt, joiden jäsen olen
manage-my-communities = Hallinnoimani yhteisöt
manage-none-yet = Et vielä hallinnoi yhtään yhteisöä. Luo sellainen alla.
manage-public-page = Julkinen sivu
manage-create-community = Luo yhteisö
manage-create = Luo
manage-new-event = Uusi tapahtuma
manage-follow-requests = Seuraamispyynnöt
manage-member-requests = Jäsenhakemukset
manage-no-requests = Ei odottavia pyyntöjä.
manage-events = Tapahtumat
manage-actions = Toiminnot
manage-edit = Muokkaa
manage-cancel-event = Peru tapahtuma
manage-post-announcement = Julkaise tiedote
manage-settings = Yhteisön asetukset
manage-embed = Kalenteri omalle verkkosivullesi
manage-calendar = Oma kalenterisyötteeni
manage-calendar-intro = Yksityinen osoite kalenterisovelluksellesi, jossa ovat tapahtumat, joihin osallistut. Kuka tahansa, jolla on osoite, voi lukea syötteen.
manage-calendar-on = Käytössä { $since } alkaen.
manage-calendar-off = Pois käytöstä.
manage-calendar-new = Tee uusi osoite
manage-calendar-new-hint = Edellinen osoite lakkaa toimimasta.
manage-calendar-revoke = Poista käytöstä
manage-calendar-created = Uusi kalenteriosoitteesi. Se näytetään vain nyt: kopioi se kalenterisovellukseesi.
community-name = Nimi osoitteissa
community-name-hint = Pieniä kirjaimia, numeroita ja _; nimeä ei voi muuttaa myöhemmin.
community-display-name = Nimi
community-summary = Tietoa
community-kind = Tyyppi
community-latitude = Leveysaste
community-longitude = Pituusaste
community-website = Verkkosivu
community-follow-policy = Kuka voi seurata
policy-open = Kuka tahansa, heti
policy-approval = Hallinnoijat hyväksyvät jokaisen seuraajan
decision-accept = Hyväksy
decision-reject = Hylkää
announcement-title = Otsikko (valinnainen)
announcement-content = Teksti
announcement-publish = Julkaise
event-form-new = Uusi tapahtuma
event-form-edit = Muokkaa tapahtumaa
event-title = Otsikko
event-starts = Alkaa
event-ends = Päättyy
event-timezone = Aikavyöhyke
event-online-url = Verkkolinkki (striimi tai kokous)
event-capacity = Paikkoja
event-capacity-hint = Jätä tyhjäksi, jos paikkoja on rajattomasti.
event-join-mode = Miten osallistutaan
event-external-url = Ilmoittautumislinkki (kun ilmoittautuminen on muualla)
event-publish = Julkaise tapahtuma
place-name = Paikka
place-street = Katuosoite
place-postal-code = Postinumero
place-locality = Paikkakunta
place-country = Maa
form-preview = Esikatsele
form-save = Tallenna
form-markdown-hint = Markdown: **lihavointi**, *kursiivi*, [linkki](https://example.org), listat viivalla -.
form-required = Täytä tämä kenttä.
form-not-a-number = Kirjoita luku.
form-bad-time = Kirjoita päivä ja aika, esimerkiksi 27.1.2027 9.00.
form-bad-name = Käytä vain pieniä kirjaimia a-z, numeroita ja _ (enintään 64).
form-bad-url = Kirjoita koko verkko-osoite, joka alkaa https://.
form-end-before-start = Päättymisen on oltava alkamisen jälkeen.
form-capacity-min = Paikkoja on oltava vähintään 1; jätä tyhjäksi, jos rajaa ei ole.
form-bad-timezone = Valitse aikavyöhyke listasta.
participants-title = Osallistujat
participants-csv = Lataa CSV-tiedostona
participants-none = Kukaan ei ole vielä ilmoittautunut.
participants-handle = Kuka
participants-instance = Palvelin
participants-state = Tila
participants-since = Alkaen
state-pending = Odottaa hyväksyntää
state-accepted = Osallistuu
state-waitlisted = Jonossa
state-rejected = Hylätty

## Etävuorovaikutus
interact-title = Seuraa tai osallistu omalla tililläsi
interact-follow = Seuraa
interact-join = Osallistu tapahtumaan
interact-followed = Pyysit saada seurata: { $name }. Vastaus tulee pian.
interact-joined = Ilmoittauduit tapahtumaan. Järjestäjät vastaavat pian.

## Kieltäytymiset: mitä pyydettiin ja miksi siitä kieltäydyttiin, yksi viesti kutakin koodia kohden
## (src/error/refusal.rs), samoin parametrein.
refusal-required = Tämä on pakollinen.
refusal-too_long = Enintään { $max } merkkiä.
refusal-too_short = Vähintään { $min } merkkiä.
refusal-too_many_bytes = Enintään { $max } tavua.
refusal-too_small = Vähintään { $min }.
refusal-not_between = Anna luku väliltä { $min }–{ $max }.
refusal-not_a_whole_number_between = Anna kokonaisluku väliltä { $min }–{ $max }.
refusal-out_of_range = Tämä on sallitun alueen ulkopuolella.
refusal-not_an_rfc3339_time = Anna päivä ja aika muodossa 2026-11-24T18:00:00+02:00.
refusal-not_a_cursor = Sivun kohta ei kelpaa: seuraa listan Link-otsakkeen osoitetta.
refusal-unknown_time_zone = ”{ $value }” ei ole aikavyöhyke, kuten Europe/Helsinki.
refusal-not_a_language_tag = Anna kielikoodi, kuten fi, sv tai en.
refusal-not_a_month = Anna kuukausi muodossa 2027-01.
refusal-not_a_date = Anna päivä muodossa 2027-01-25.
refusal-ends_before_start = Lopun täytyy olla alun jälkeen.
refusal-range_reversed = Aikavälin lopun täytyy olla sen alun jälkeen.
refusal-period_too_long = Valitse enintään { $max_days } päivän jakso.
refusal-external_url_required = Anna osoite, jossa ilmoittaudutaan.
refusal-new_event_cancelled = Uutta tapahtumaa ei voi perua.
refusal-calendar_line = Kalenterin rivi { $line }: { $why }. Mitään ei tuotu.
refusal-calendar_unreadable = Kalenteria ei voi lukea: { $why }.
refusal-not_a_recurrence = Ei ole toistosääntö, kuten FREQ=WEEKLY;BYDAY=MO ({ $why }).
refusal-recurrence_never_starts = Toistosääntö ei anna yhtään päivää alkamisajan jälkeen.
refusal-recurrence_change = Sarjan toistosääntö pysyy: päätä sarja ja aloita uusi seuraavasta päivästä.
refusal-not_an_occurrence = Tämä tapahtuma ei kuulu sarjaan.
refusal-cancel_with_its_action = Peru tapahtuma sen Peru-painikkeella.
refusal-not_a_url = Tämä ei ole verkko-osoite.
refusal-not_a_web_address = Anna verkko-osoite, joka alkaa https:// tai http://.
refusal-not_a_url_or_handle = Anna verkko-osoite tai osoite muodossa nimi@palvelin.
refusal-too_many_tags = Enintään { $max } tunnistetta.
refusal-not_a_hashtag = ”{ $tag }” ei ole aihetunniste: vain kirjaimia, numeroita ja _, 1–{ $max } merkkiä.
refusal-too_many_cohosts = Enintään { $max } toista järjestäjää.
refusal-no_such_local_community = Täällä ei ole yhteisöä ”{ $name }”.
refusal-name_length = Nimessä täytyy olla { $min }–{ $max } merkkiä.
refusal-name_characters = Nimessä saa olla vain pieniä kirjaimia a–z, numeroita ja _.
refusal-not_a_handle = Anna osoite muodossa nimi@palvelin.
refusal-handle_is_local = { $name } on tällä palvelimella: sitä ei tarvitse hakea.
refusal-not_a_host_name = Anna palvelimen nimi, kuten spam.example.
refusal-host_refused = Palvelimeen { $host } ei oteta yhteyttä täältä ({ $why }).
refusal-unresolvable_handle = Osoitetta { $handle } ei löytynyt ({ $why }).
refusal-not_a_community = { $handle } ei ole yhteisö.
refusal-not_a_network = { $name } ei ole verkosto.
refusal-network_joins_itself = Verkosto ei voi liittyä itseensä.
refusal-cannot_block_itself = Palvelin ei voi estää itseään.
refusal-not_accept_or_reject = Valitse hyväksy tai hylkää.
refusal-not_new_or_off = Valitse uusi linkki tai linkin poisto.
refusal-not_an_object_here = Tämä ei ole tämän palvelimen sisältöä.
refusal-not_an_address = Kirjoita osoitteesi muodossa nimi@palvelin, esimerkiksi maija@mastodon.social.
refusal-unreachable_address = Tätä palvelinta ei voi tavoittaa täältä: anna osoite julkisella palvelimella.
refusal-malformed = Pyyntöä ei ymmärretty: { $detail }
refusal-invalid_document = Toinen palvelin lähetti jotain, mitä ei voi käyttää: { $why }
refusal-name_taken = Nimi ”{ $name }” on jo käytössä tällä palvelimella.
refusal-already_following = Seuraat jo tiliä { $handle }.
refusal-already_member = Olet jo verkoston { $network } jäsen.
refusal-not_joinable_here = Tähän tapahtumaan ei ilmoittauduta täällä.
refusal-form_expired = Lomake on vanhentunut. Lataa sivu uudelleen ja yritä uudestaan.
refusal-comments_closed = Tämän tapahtuman kommentointi on suljettu.
refusal-not_a_manager = Vain yhteisön ”{ $community }” ylläpitäjät voivat tehdä tämän.
refusal-owner_stays_manager = Yhteisön omistajaa ei voi poistaa ylläpitäjistä.
refusal-not_an_admin = Vain palvelimen ylläpitäjät voivat tehdä tämän.
refusal-registration_closed = Rekisteröityminen tälle palvelimelle on suljettu.
refusal-remote_event_read_only = Tämä tapahtuma on toiselta palvelimelta, ja sitä voi muuttaa vain siellä.
refusal-remote_announcement_read_only = Tämä tiedote on toiselta palvelimelta, ja sitä voi muuttaa vain siellä.
refusal-log_in_first = Kirjaudu ensin sisään.
refusal-wrong_credentials = Väärä käyttäjätunnus tai salasana.
refusal-invalid_token = Istuntosi on vanhentunut tai päättynyt. Kirjaudu uudelleen.
refusal-token_required = Kirjaudu ensin sisään.
refusal-malformed_authorization = Kirjaudu uudelleen.
refusal-no_such_page = Sivua ei ole.
refusal-no_such_actor = Tiliä { $handle } ei löytynyt.
refusal-no_such_event = Tapahtumaa ei ole.
refusal-no_such_calendar_subscription = Yhteisöllä ei ole tätä kalenteria.
refusal-no_such_series = Sarjaa ei ole.
refusal-ban_target = Anna joko käyttäjä (nimi@palvelin) tai palvelin.
refusal-ban_own_instance = Omaa palvelinta ei voi estää.
refusal-no_such_ban = Estoa ei ole.
refusal-banned = Yhteisö on estänyt tämän käyttäjän.
refusal-not_reportable = Ei ole tämän palvelun tapahtuma, tiedote, kommentti tai käyttäjä.
refusal-no_such_moderation_report = Ilmoitusta ei ole.
refusal-sign_in_failed = Kirjautuminen ei onnistunut: { $why }.
refusal-sign_in_not_configured = Tässä palvelussa ei ole yrityskirjautumista.
refusal-password_login_off = Salasanalla ei voi kirjautua: kirjaudu yrityksen tunnuksella.
refusal-series_ended = Sarja on jo päättynyt.
refusal-no_such_community = Yhteisöä ”{ $name }” ei ole.
refusal-no_such_announcement = Tiedotetta ei ole.
refusal-no_such_account = Tiliä ”{ $name }” ei ole.
refusal-no_such_participation = Ilmoittautumista ei ole.
refusal-not_an_accepted_participant = Vain hyväksytyn osallistujan voi kirjata paikalle tulleeksi: hyväksy hänet ensin.
refusal-no_such_calendar = Kalenteria ei ole.
refusal-no_such_report = Raporttia ei ole: linkki on ehkä peruttu.
refusal-no_such_language = Kieltä ”{ $code }” ei ole.
refusal-no_such_manager = { $name } ei ole yhteisön ”{ $community }” ylläpitäjä.
refusal-no_such_action = Valitse hyväksy tai hylkää.
refusal-no_such_follow = Et seuraa tiliä { $handle }.
refusal-no_such_membership = Et ole verkoston { $handle } jäsen.
refusal-no_such_member = Jäsentä ei ole.
refusal-no_such_follow_request = Seurauspyyntöä ei ole.
refusal-no_such_comment = Kommenttia ei ole.
refusal-no_such_block = Palvelinta { $host } ei ole estetty.
refusal-no_such_relay = Palvelin ei seuraa osoitetta { $url }.
refusal-not_a_relay_url = Anna välittäjän saapuneet-kansion tai toimijan (välittäjä tai palvelin) http(s)-osoite.

# Insights (issue 16)
insights-title = Vaikuttavuus
insights-intro = Mitä yhteisö sai aikaan valitulla jaksolla, verrattuna sitä edeltävään yhtä pitkään jaksoon. Luvut ovat määriä: nimiä ei näytetä.
insights-period = Jakso
insights-from = Alkaen
insights-to = Päättyen
insights-show = Näytä
insights-figure = Luku
insights-this-period = Tämä jakso
insights-previous-period = Edellinen jakso
insights-followers-total = Seuraajia jakson lopussa
insights-followers-new = Uusia seuraajia
insights-followers-lost = Lopettaneita seuraajia
insights-events-held = Pidettyjä tapahtumia
insights-accepted = Osallistujia
insights-attended = Paikalla
insights-no-shows = Ei saapunut
insights-attendance-rate = Osallistumisaste
insights-first-time = Ensikertalaisia
insights-returning = Palaavia
insights-replies = Vastauksia
insights-boosts = Tehostuksia
insights-likes = Tykkäyksiä
insights-announcements = Julkaistuja tiedotteita
insights-followers-chart = Seuraajat päivittäin
insights-events-chart = Osallistujat tapahtumittain
insights-day = Päivä
insights-gained = Tulleet
insights-lost = Lähteneet
insights-event = Tapahtuma
insights-by-instance = Seuraajat palvelimittain
insights-instance = Palvelin
insights-no-events = Ei pidettyjä tapahtumia tällä jaksolla.
insights-no-followers = Ei seuraajia.
insights-csv = Luvut CSV-tiedostona
insights-events-csv = Tapahtumat CSV-tiedostona
insights-table = Luvut taulukkona
insights-none = –
manage-insights = Vaikuttavuus
participants-attended = Paikalla
attended-mark = Merkitse paikalle
attended-unmark = Peru merkintä
report-title = Vaikuttavuusraportti
report-share-title = Jaa raportti
report-share-intro = Salainen linkki näyttää tämän jakson raportin kenelle tahansa, jolle annat sen (rahoittaja, työnantaja, kunta), ilman kirjautumista. Linkki näytetään vain kerran; voit perua sen milloin tahansa.
report-share = Tee jaettava linkki
report-link-made = Linkki tehty. Kopioi se nyt: sitä ei näytetä uudelleen.
report-made = Tehty
report-revoke = Peru linkki
report-footer = Luvut ovat määriä: raportissa ei ole kenenkään nimiä. Tehty Verkostolla.
refusal-event_not_over = Palautetta voi pyytää, kun tapahtuma on päättynyt.
refusal-feedback_already_sent = Tapahtuman palautekysely on jo lähetetty.
refusal-no_feedback_poll = Tapahtumalle ei ole lähetetty palautekyselyä.
refusal-no_feedback_to_give = Sinulle ei ole avointa palautekyselyä, tai olet jo vastannut.
refusal-choice_twice = Vaihtoehto ”{ $choice }” on kahdesti.
refusal-not_a_choice = ”{ $choice }” ei ole kyselyn vaihtoehto.
feedback-title = Palaute
feedback-send = Anna palautetta
feedback-open = Avoin vastaus (vapaaehtoinen)
feedback-thanks = Kiitos palautteesta!
insights-feedback = Palautteen keskiarvo
insights-responses = Palautteita
feedback-choice = Vaihtoehto
feedback-votes = Ääniä
feedback-ask-intro = Lähetä osallistujille lyhyt palautekysely (arvio 1–5). Fediversumissa osallistujat saavat sen omaan palveluunsa kyselynä, muut vastaavat tapahtuman sivulla.
feedback-open-question = Avoin kysymys (vapaaehtoinen)
feedback-ask = Lähetä palautekysely
feedback-after = Palautekyselyn voi lähettää, kun tapahtuma on päättynyt.
insights-members = Jäsenyhteisöt rinnakkain
insights-member = Yhteisö
insights-no-members = Verkostolla ei ole vielä jäseniä.
refusal-no_such_answer = Tapahtuman kyselyssä ei ole tällaista sanallista vastausta.
insights-quotes = Osallistujien sanoin
feedback-feature = Lainaa raportissa
feedback-unfeature = Älä lainaa
feedback-featured = Lainataan raportissa
insights-inboxes = Tavoitetut postilaatikot
insights-instances = Tavoitetut palvelimet

## Toistuvat tapahtumat (issue 17)
repeat-label = Toistuu
repeat-none = Ei toistu
repeat-daily = Joka päivä
repeat-weekly = Joka viikko samana viikonpäivänä
repeat-monthly_nth = Joka kuukausi samana viikonpäivänä (esim. kuun toinen tiistai)
repeat-monthly_day = Joka kuukausi samana päivämääränä
repeat-yearly_nth = Joka vuosi samana viikonpäivänä (esim. tammikuun neljäs maanantai)
repeat-hint = Päivä ja kellonaika otetaan alkamisajasta. Jokainen kerta on oma tapahtumansa, jolla on omat osallistujat.
repeat-ends = Toisto päättyy
repeat-end-never = Ei koskaan
repeat-end-count = Kun kertoja on ollut
repeat-end-until = Viimeisenä päivänä
repeat-count = Kertoja
repeat-until = Viimeinen päivä
repeat-count-bad = Kirjoita kertojen määrä 1–500.
repeat-until-bad = Kirjoita päivä muodossa 2027-06-07.
repeat-scope = Muutos koskee
scope-this = vain tätä kertaa
scope-following = tätä ja tulevia kertoja
scope-all = kaikkia kertoja
series-repeats = Toistuu { $rule }.
series-next = Seuraavat kerrat
repeat-words-daily = joka päivä klo { $time }
repeat-words-weekly = joka { $days } klo { $time }
repeat-words-monthly-nth = joka kuukauden { $nth } { $day } klo { $time }
repeat-words-monthly-day = joka kuukauden { $date }. päivä klo { $time }
repeat-words-yearly-nth = joka vuosi { $month } { $nth } { $day } klo { $time }
repeat-words-other = säännöllä { $rule }
repeat-words-count = { $rule }, { $count } kertaa
repeat-and = { $first } ja { $last }
repeat-day-mon = maanantai
repeat-day-tue = tiistai
repeat-day-wed = keskiviikko
repeat-day-thu = torstai
repeat-day-fri = perjantai
repeat-day-sat = lauantai
repeat-day-sun = sunnuntai
repeat-nth-1 = ensimmäinen
repeat-nth-2 = toinen
repeat-nth-3 = kolmas
repeat-nth-4 = neljäs
repeat-nth-last = viimeinen
repeat-month-1 = tammikuun
repeat-month-2 = helmikuun
repeat-month-3 = maaliskuun
repeat-month-4 = huhtikuun
repeat-month-5 = toukokuun
repeat-month-6 = kesäkuun
repeat-month-7 = heinäkuun
repeat-month-8 = elokuun
repeat-month-9 = syyskuun
repeat-month-10 = lokakuun
repeat-month-11 = marraskuun
repeat-month-12 = joulukuun

## Tuodut kalenterit (issue 17)
manage-calendars = Kalenterit
calendars-title = Tuodut kalenterit
calendars-intro = Tuo tapahtumat kalenterista, jota yhteisö jo pitää (Google, Outlook, Nextcloud): tilaus haetaan tunnin välein, ja uudet, muuttuneet ja perutut tapahtumat julkaistaan kerran.
calendars-list = Kalenterit
calendars-none = Yhteisö ei vielä tuo yhtään kalenteria.
calendars-uploads = Ladatut tiedostot
calendars-synced = Viimeksi haettu
calendars-sync = Hae nyt
calendars-remove = Poista
calendars-done = Näin kävi
calendars-added = Uusia
calendars-changed = Muuttuneita
calendars-cancelled = Peruttuja
calendars-unchanged = Ennallaan
calendars-past = Menneitä (ei julkaistu)
calendars-not-modified = Kalenteri ei ollut muuttunut.
calendars-errors = Ongelmat:
calendars-subscribe = Tilaa kalenteri osoitteella
calendars-url = Kalenterin osoite (https:// tai webcal://)
calendars-url-hint = Googlessa: Asetukset → kalenterin ”Salainen osoite iCal-muodossa”. Outlookissa: Jaa → Julkaise kalenteri → ICS.
calendars-subscribe-button = Tilaa
calendars-upload = Tuo tiedosto kerran
calendars-file = Kalenteritiedosto (.ics)
calendars-upload-button = Tuo
