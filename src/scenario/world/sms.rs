//! SMS: what the target sent, on its way to the phones.

use std::time::Duration;

use super::MfaWorld;
use crate::clock::SimTime;
use crate::scenario::fault::no_answer;
use crate::sim::{PhoneNumber, code_in_text};

/// How long an SMS takes unless a step says otherwise: the median of the simulator's default
/// channel. The scenario's simulator delivers SMS through a fixed-delay channel of this
/// latency, never the random one, so no seed can make a correct server miss an SMS.
pub const DEFAULT_SMS_DELAY: Duration = Duration::from_secs(4);

/// An SMS on its way to, or on, a phone.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// The code it carries.
    pub code: String,
    /// When it reaches the phone, in true time.
    pub delivered_at: SimTime,
}

impl MfaWorld {
    /// Fetches what the target sent and hands it to the simulator's SMS channel, which
    /// delivers it to the recipient's phone.
    pub fn collect_sms(&mut self) {
        let sent = self.call("collecting SMS", |t, now| t.take_sms(now));
        for message in sent {
            let owner = self
                .people
                .iter()
                .find(|(_, p)| self.sim.phone(p.phone).is_ok_and(|phone| phone.number().0 == message.phone));
            let Some((name, _)) = owner else {
                no_answer(format!("the target sent an SMS to {} which belongs to nobody", message.phone))
            };
            let name = name.clone();
            let (number, sent_at) = (PhoneNumber(message.phone.clone()), self.true_time(message.sent_at));
            let id = match self.next_sms_delay.take() {
                Some(delay) => self.sim.send_sms_taking(&number, message.text.clone(), sent_at, delay),
                None => self.sim.send_sms_at(&number, message.text.clone(), sent_at),
            };
            let delivered_at = id
                .ok()
                .and_then(|id| self.sim.sms_arrival(id))
                .unwrap_or_else(|| no_answer(format!("the SMS to {name} was lost on the way")));
            let code = if message.code.is_empty() {
                code_in_text(&message.text).unwrap_or_default().to_owned()
            } else {
                message.code.clone()
            };
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
