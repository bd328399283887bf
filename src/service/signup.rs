//! Open registration (issue 19): on an instance that sends e-mail, a new account gives its address
//! and cannot log in until it follows the link sent there (and presses the button on the page it
//! opens: mail scanners open links); the address then gets the account's notices. Without e-mail,
//! registration is as before: the account works at once.

use super::Verkosto;
use super::notifications::{Notice, Recipient};
use crate::error::{Error, Refusal, Result};
use crate::mail::Kind;
use crate::mail::compose::Letter;
use crate::model::Account;
use crate::store;
use crate::web::i18n::Lang;

/// A sign-up (`POST /api/v1/accounts`, or the page `/signup`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Registration {
    /// The local name.
    pub username: String,
    /// At least 8 characters.
    pub password: String,
    /// Where the confirmation goes: required on an instance that sends e-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// `fi`, `sv` or `en`: the language of the e-mail (English when absent).
    #[serde(default)]
    pub language: Option<String>,
}

impl Verkosto {
    /// Open registration; refused unless the instance allows it. With e-mail, the account waits
    /// for its address to be confirmed before it can log in.
    pub async fn register(&self, new: Registration) -> Result<Account> {
        if !self.settings().open_registration {
            return Err(Refusal::RegistrationClosed.into());
        }
        let email = match (&self.state().mailer, new.email.as_deref()) {
            (None, _) => None,
            (Some(_), None) => return Err(Error::invalid("email", Refusal::Required)),
            (Some(_), Some(e)) => Some(
                crate::mail::normalize_address(e)
                    .ok_or_else(|| Error::invalid("email", Refusal::NotAnEmail))?,
            ),
        };
        let lang = new
            .language
            .as_deref()
            .and_then(Lang::from_code)
            .unwrap_or(Lang::En);
        let account = self
            .create_account(super::NewAccount {
                username: new.username,
                password: new.password,
                is_admin: false,
            })
            .await?;
        let Some(email) = email else {
            return Ok(account);
        };
        let token = crate::mail::new_secret();
        let link = self.state().url(&format!("/confirm-email/{token}"));
        let mut tx = self.db().begin().await?;
        store::accounts::insert_email_confirmation(
            &mut tx.conn(),
            account.id,
            &email,
            lang.code(),
            &token,
            store::now(),
        )
        .await?;
        let instance = &self.settings().domain;
        let letter = Letter {
            subject: lang.t_with("mail-account-confirm-subject", "instance", instance),
            name: Some(account.username.clone()),
            paragraphs: vec![lang.t_args(
                "mail-account-confirm-body",
                [
                    ("name", account.username.clone()),
                    ("instance", instance.clone()),
                ],
            )],
            action: Some((lang.t("mail-account-confirm-action"), link.clone())),
        };
        let to = Recipient {
            address: email,
            lang,
            name: Some(account.username.clone()),
            link,
        };
        let notice = Notice {
            kind: Kind::AccountConfirmation,
            key: format!("account_confirmation:{}", account.id),
            event_id: None,
            send_at: store::now(),
            letter,
        };
        self.queue_notice(&mut tx, &to, notice).await?;
        self.commit(tx).await?;
        Ok(account)
    }

    /// The account a confirmation link is for (its page says whose address it confirms), and the
    /// language it signed up in.
    pub async fn email_confirmation(&self, token: &str) -> Result<(Account, String)> {
        let mut c = self.db().acquire().await?;
        let (account_id, _, language) = store::accounts::email_confirmation(&mut c.conn(), token)
            .await?
            .ok_or_else(|| Error::from(Refusal::NoSuchMailLink))?;
        let account = store::accounts::find_by_id(&mut c.conn(), account_id)
            .await?
            .ok_or_else(|| Error::from(Refusal::NoSuchMailLink))?;
        Ok((account, language))
    }

    /// Confirms the address of a new account: it can log in, and its notices go there. The
    /// account, and the language it signed up in.
    pub async fn confirm_email(&self, token: &str) -> Result<(Account, String)> {
        let mut tx = self.db().begin().await?;
        let (account_id, email, language) =
            store::accounts::email_confirmation(&mut tx.conn(), token)
                .await?
                .ok_or_else(|| Error::from(Refusal::NoSuchMailLink))?;
        let account = store::accounts::find_by_id(&mut tx.conn(), account_id)
            .await?
            .ok_or_else(|| Error::from(Refusal::NoSuchMailLink))?;
        store::accounts::confirm_email(&mut tx.conn(), account.id, &email).await?;
        tx.commit().await?;
        tracing::info!(username = %account.username, "address confirmed");
        Ok((account, language))
    }

    /// Refuses to sign in an account whose address is not confirmed yet.
    pub(crate) async fn refuse_unconfirmed(&self, account: &Account) -> Result<()> {
        let mut c = self.db().acquire().await?;
        if store::accounts::awaits_confirmation(&mut c.conn(), account.id).await? {
            return Err(Refusal::EmailUnconfirmed.into());
        }
        Ok(())
    }
}
