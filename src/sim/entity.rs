//! Handles to the simulator's entities: tokens, phones, app accounts and users.

/// A hardware token in a [`Sim`](super::Sim).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenId(pub(super) usize);
/// A phone in a [`Sim`](super::Sim).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneId(pub(super) usize);
/// An authenticator app account in a [`Sim`](super::Sim).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AppId(pub(super) usize);
/// A user in a [`Sim`](super::Sim).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub(super) usize);

macro_rules! dense_index {
    ($($id:ident),*) => {$(
        impl $id {
            /// Position in insertion order among entities of this kind (0, 1, 2, ...): lets a
            /// caller keep per-entity data in a plain `Vec`.
            pub fn index(self) -> usize {
                self.0
            }
        }
    )*};
}

dense_index!(TokenId, PhoneId, AppId, UserId);

/// Any named entity (names share one namespace, since they key the RNG streams).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Entity {
    /// A token (named by its serial).
    Token(TokenId),
    /// A phone.
    Phone(PhoneId),
    /// An app account.
    App(AppId),
    /// A user.
    User(UserId),
}

/// A device that shows codes: what a simulated user, or a scenario's person, reads. What it
/// shows is [`Sim::display`](super::Sim::display).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeviceId {
    /// A hardware token.
    Token(TokenId),
    /// An authenticator app, on its phone's clock.
    App(AppId),
    /// A phone's SMS inbox.
    Phone(PhoneId),
}
