//! Where a server's SMS go: POSTed as JSON to a webhook URL, so a harness can receive the codes
//! any HTTP MFA server sends; or, in live mode without a webhook, nowhere (nobody could read an
//! outbox there, and it would only grow).

use std::time::Duration;

use reqwest::Url;
use tokio::sync::mpsc;

use crate::protocol::SmsMessage;
use crate::reference::SmsGateway;

/// Messages waiting for the webhook; beyond this the newest are dropped (and logged), so a
/// slow or silent webhook cannot grow the server's memory.
pub const WEBHOOK_QUEUE: usize = 1024;

/// How long one delivery may take before it is given up.
pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(5);

/// Queues messages and POSTs them from a background task (the service calls `send` with its
/// lock held, so it must not wait on the network).
#[derive(Debug)]
pub struct WebhookGateway {
    url: Url,
    queue: mpsc::Sender<SmsMessage>,
}

impl WebhookGateway {
    /// Starts the delivery task on the current tokio runtime. Failed deliveries are logged
    /// (URL and status only, never the message) and dropped, as an SMS network would.
    pub fn spawn(url: Url) -> Self {
        let (queue, mut rx) = mpsc::channel::<SmsMessage>(WEBHOOK_QUEUE);
        let target = url.clone();
        tokio::spawn(async move {
            let client = reqwest::Client::builder().timeout(WEBHOOK_TIMEOUT).build().unwrap_or_default();
            while let Some(message) = rx.recv().await {
                match client.post(target.clone()).json(&message).send().await {
                    Ok(r) if r.status().is_success() => {}
                    Ok(r) => {
                        tracing::warn!(url = %target, status = %r.status(), "sms webhook refused a message")
                    }
                    Err(e) => tracing::warn!(url = %target, error = %e, "sms webhook unreachable"),
                }
            }
        });
        WebhookGateway { url, queue }
    }
}

impl SmsGateway for WebhookGateway {
    fn send(&self, message: SmsMessage) {
        match self.queue.try_send(message) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(url = %self.url, "sms webhook queue full; message dropped");
            }
            // The delivery task ends only with the runtime: nobody is left to deliver to.
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }
}

/// Drops every message: a live server without a webhook has nowhere to send them.
#[derive(Debug, Default)]
pub struct Discard;

impl SmsGateway for Discard {
    fn send(&self, _message: SmsMessage) {}
}
