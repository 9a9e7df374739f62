//! SMS: what the target sent, on its way to the phones.

use std::time::Duration;

use super::MfaWorld;
use crate::clock::SimTime;
use crate::scenario::fault::no_answer;

/// How long an SMS takes unless a step says otherwise: the median of the simulator's default
/// channel. Conformance runs use a fixed delay, never the random channel, so no seed can make
/// a correct server miss an SMS.
pub const DEFAULT_SMS_DELAY: Duration = Duration::from_secs(4);

/// An SMS on its way to, or on, a phone.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// The code it carries.
    pub code: String,
    /// When it reaches the phone.
    pub delivered_at: SimTime,
}

impl MfaWorld {
    /// Fetches what the target sent and schedules delivery to the phones.
    pub fn collect_sms(&mut self) {
        let sent = self.call("collecting SMS", |t, now| t.take_sms(now));
        for message in sent {
            let delay = self.next_sms_delay.take().unwrap_or(DEFAULT_SMS_DELAY);
            let delivered_at = message.sent_at + delay;
            let owner = self
                .people
                .iter()
                .find(|(_, p)| self.sim.phone(p.phone).is_ok_and(|phone| phone.number().0 == message.phone));
            let Some((name, _)) = owner else {
                no_answer(format!("the target sent an SMS to {} which belongs to nobody", message.phone))
            };
            let name = name.clone();
            let code =
                if message.code.is_empty() { code_in_text(&message.text) } else { message.code.clone() };
            self.log(format!("SMS to {name}, arriving at {delivered_at}"));
            self.person_mut(&name).inbox.push(Delivery { code, delivered_at });
        }
    }

    /// Every SMS the target sent to `name`'s phone so far, arrived or on its way: how many
    /// a server sends is its behaviour; when they arrive is the simulated network's.
    pub fn sms_sent_to(&mut self, name: &str) -> Vec<Delivery> {
        self.collect_sms();
        self.person(name).inbox.clone()
    }
}

/// The first run of 6 to 10 digits in an SMS text (for targets that send only text).
fn code_in_text(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|run| (6..=10).contains(&run.len()))
        .unwrap_or_default()
        .to_owned()
}
