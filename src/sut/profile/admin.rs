//! Signing in as the server's administrator: the `[admin]` login, the token it gives, the
//! header that carries it on `auth = "admin"` steps, and signing in again when the server says
//! the token expired (`reauth_status`; a server whose clock the harness moves sees tokens
//! expire, or not yet begin, whenever the clock jumps past them).
//!
//! The token lock is held while signing in, so parallel calls sign in once. Nothing reached
//! while it is held takes another lock but the redactor's (a leaf): a failed sign-in used to
//! redact its message through the token lock it held, and waited on itself forever.

use std::sync::{Mutex, PoisonError};

use super::Vars;
use super::connection::Shared;
use super::engine::VarScope;
use super::exchange::{self, Answered};
use super::template::Template;
use crate::sut::transport::Call;
use crate::sut::{Answer, TargetError};

/// The admin token, once signed in.
#[derive(Default)]
pub struct AdminSession {
    token: Mutex<Option<String>>,
}

impl Shared {
    /// Sends `request` with the admin header: signs in first if needed, and once more when the
    /// answer has the profile's `reauth_status`. `vars` are the call's (for redaction),
    /// `globals` the templates' globals.
    ///
    /// # Errors
    /// [`TargetError::Refused`] without an `[admin]` section or when the sign-in is refused;
    /// [`TargetError::NoAnswer`] when the server does not answer.
    pub fn send_as_admin(&self, request: &Call, vars: &Vars, globals: &Vars) -> Answer<Answered> {
        let Some(admin) = &self.profile.file.admin else {
            return Err(TargetError::Refused {
                request: request.label(),
                message: "the step asks for admin auth but the profile has no [admin]".into(),
            });
        };
        let secrets = self.secret_values(vars);
        let mut stale = None;
        loop {
            let token = self.admin_token(stale.as_deref(), globals)?;
            let mut values = Vars::new();
            values.insert("admin_token".into(), token.clone());
            let scope = VarScope { vars: &values, globals: &Vars::new(), shared: self };
            let header = Template::parse(admin.value.get_ref())
                .and_then(|t| t.render(&scope).map_err(|v| format!("variable {v:?} is not set")))
                .map_err(|m| TargetError::Refused { request: "admin header".into(), message: m })?;
            let answered = exchange::send(
                &self.transport,
                request,
                Some((&admin.header, &header)),
                &self.redactor,
                &secrets,
            )?;
            if answered.reply.status != admin.reauth_status || stale.is_some() {
                return Ok(answered);
            }
            stale = Some(token);
        }
    }

    /// The admin token: the one held, unless it is `stale` (refused by the server), in which
    /// case (or when none is held) a fresh one from the `[admin]` login.
    fn admin_token(&self, stale: Option<&str>, globals: &Vars) -> Answer<String> {
        let mut token = self.admin.token.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(held) = token.as_ref()
            && stale != Some(held.as_str())
        {
            // Another call signed in again meanwhile, or the token was never refused.
            return Ok(held.clone());
        }
        let fresh = self.sign_in(globals)?;
        self.redactor.learn(fresh.clone());
        *token = Some(fresh.clone());
        Ok(fresh)
    }

    /// The `[admin]` login. Takes no lock but the redactor's.
    fn sign_in(&self, globals: &Vars) -> Answer<String> {
        let Some(admin) = &self.profile.file.admin else {
            return Err(TargetError::Refused {
                request: "admin sign-in".into(),
                message: "no [admin]".into(),
            });
        };
        let vars = Vars::new();
        let scope = VarScope { vars: &vars, globals, shared: self };
        let request = exchange::render(&admin.login, &scope)
            .map_err(|m| TargetError::Refused { request: "admin sign-in".into(), message: m })?;
        let answered = exchange::send(&self.transport, &request, None, &self.redactor, &[])?;
        match answered.reply.text_at(&admin.token) {
            Some(t) if (200..300).contains(&answered.reply.status) => Ok(t),
            _ => Err(TargetError::Refused {
                request: request.label(),
                message: format!(
                    "admin sign-in gave HTTP {} and no token at {}; answer starts {:?}",
                    answered.reply.status,
                    admin.token,
                    self.excerpt(&answered.body, &vars)
                ),
            }),
        }
    }
}
