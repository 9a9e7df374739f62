//! The SMS gateway seam: the service hands each message to a [`SmsGateway`]; where it goes
//! (the simulator's SMS channel, a test, an HTTP webhook) is the caller's choice.

use std::sync::Mutex;

use crate::protocol::SmsMessage;

/// Delivers SMS messages. Called with the service's state locked, so implementations must
/// not block (queue the message and return).
pub trait SmsGateway: Send + Sync {
    /// Hands one message over for delivery.
    fn send(&self, message: SmsMessage);
}

/// The in-process gateway: records every message in order for the caller to drain (the
/// simulator's SMS channel consumes this).
#[derive(Debug, Default)]
pub struct SmsOutbox {
    queue: Mutex<Vec<SmsMessage>>,
}

impl SmsOutbox {
    /// An empty outbox.
    pub fn new() -> Self {
        SmsOutbox::default()
    }

    /// Takes every message sent since the last drain, oldest first.
    pub fn drain(&self) -> Vec<SmsMessage> {
        std::mem::take(&mut *self.queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

impl SmsGateway for SmsOutbox {
    fn send(&self, message: SmsMessage) {
        self.queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(message);
    }
}
