//! The HTTP webhook SMS gateway: each message is POSTed as JSON to a URL, so a harness can
//! receive the codes any HTTP MFA server sends.

use reqwest::Url;
use tokio::sync::mpsc;

use crate::protocol::SmsMessage;
use crate::reference::SmsGateway;

/// Queues messages and POSTs them from a background task (the service calls `send` with its
/// lock held, so it must not wait on the network).
#[derive(Debug)]
pub struct WebhookGateway {
    queue: mpsc::UnboundedSender<SmsMessage>,
}

impl WebhookGateway {
    /// Starts the delivery task on the current tokio runtime. Failed deliveries are logged
    /// (URL and status only, never the message) and dropped, as an SMS network would.
    pub fn spawn(url: Url) -> Self {
        let (queue, mut rx) = mpsc::unbounded_channel::<SmsMessage>();
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            while let Some(message) = rx.recv().await {
                match client.post(url.clone()).json(&message).send().await {
                    Ok(r) if r.status().is_success() => {}
                    Ok(r) => tracing::warn!(%url, status = %r.status(), "sms webhook refused a message"),
                    Err(e) => tracing::warn!(%url, error = %e, "sms webhook unreachable"),
                }
            }
        });
        WebhookGateway { queue }
    }
}

impl SmsGateway for WebhookGateway {
    fn send(&self, message: SmsMessage) {
        // The receiver lives as long as the runtime; after shutdown there is nobody to deliver to.
        let _ = self.queue.send(message);
    }
}
