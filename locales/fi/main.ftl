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
error-form-expired = Lomake on vanhentunut. Lataa sivu uudelleen ja yritä uudestaan.

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
remote-follow-invalid = Kirjoita osoitteesi muodossa nimi@palvelin, esimerkiksi maija@mastodon.social.
remote-follow-unreachable = Tätä palvelinta ei voi tavoittaa täältä: anna osoite julkisella palvelimella.
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
login-submit = Kirjaudu
login-failed = Käyttäjänimi tai salasana on väärin.

## Työtila
manage-title = Yhteisöni
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
