//! Login and operation protection: who may change whose, and what changing it asks for.

use super::ReferenceError;
use super::audit::AuditKind;
use super::service::Service;
use super::state::{Action, State};
use crate::clock::SimTime;
use crate::protocol::{MethodSet, RejectReason, Role, Scope, SessionId, Verdict};

impl Service {
    /// Sets an account's protection as an administrator would, with no session (setup).
    ///
    /// # Errors
    /// [`ReferenceError::UnknownUser`].
    pub fn provision_protection(
        &self,
        user: &str,
        scope: Scope,
        methods: MethodSet,
        now: SimTime,
    ) -> Result<(), ReferenceError> {
        let mut st = self.lock();
        st.user(user)?;
        st.apply_protection("setup", user, scope, methods, true, now);
        Ok(())
    }

    /// Sets login or operation protection of `target`. Anyone may strengthen their own;
    /// weakening one's own needs a root or admin IAM account; changing another user's needs
    /// the root of that IAM user or an admin IAM user under the same root. Changing settings
    /// is itself a sensitive operation for the actor.
    ///
    /// # Errors
    /// [`ReferenceError::UnknownSession`], [`ReferenceError::UnknownUser`].
    pub fn set_protection(
        &self,
        session: SessionId,
        target: &str,
        scope: Scope,
        methods: MethodSet,
        now: SimTime,
    ) -> Result<Verdict, ReferenceError> {
        let mut st = self.lock();
        let actor = st.session_user(session)?;
        let target_user = st.user(target)?;
        let current = target_user.protection(scope);
        let admin_set = target_user.admin_set.contains(&scope);
        let actor_role = st.user(&actor)?.role.clone();
        let weakening = !methods.covers(current);
        let allowed = if actor == target {
            // Anyone may strengthen their own protection (Baidu: "Any Baidu AI Cloud user can
            // enable two-factor authentication for their own accounts"); an IAM user may not
            // weaken what an administrator set.
            !weakening
                || !matches!(actor_role, Role::Iam { .. })
                || !admin_set
                || self.policy.dangers.danger_iam_self_weaken
        } else {
            match &target_user.role {
                Role::Root => false,
                Role::Iam { root } | Role::IamAdmin { root } => {
                    *root == actor || matches!(&actor_role, Role::IamAdmin { root: r } if r == root)
                }
            }
        };
        if !allowed {
            st.audit(now, &actor, AuditKind::AuthenticationFailed { reason: RejectReason::NotAllowed });
            return Ok(Verdict::rejected(RejectReason::NotAllowed));
        }
        // Weakening protection is a sensitive operation for the actor; strengthening is not.
        let required = if weakening { st.user(&actor)?.operation } else { MethodSet::NONE };
        let action =
            Action::SetProtection { target: target.to_owned(), scope, methods, by_admin: actor != target };
        Ok(self.protect(&mut st, &actor, required, action, now))
    }
}

impl State {
    /// Sets `target`'s protection of `scope` to `methods` on behalf of `by` and audits it;
    /// `by_admin` marks it as an administrator's setting the user may not weaken.
    pub(super) fn apply_protection(
        &mut self,
        by: &str,
        target: &str,
        scope: Scope,
        methods: MethodSet,
        by_admin: bool,
        now: SimTime,
    ) {
        if let Some(t) = self.users.get_mut(target) {
            t.set_protection(scope, methods);
            if by_admin {
                t.admin_set.insert(scope);
            }
        }
        self.audit(now, target, AuditKind::ProtectionChanged { by: by.to_owned(), scope, methods });
    }
}
