//! Step definitions, one file per concept. Every pattern is listed in `features/STEPS.md`;
//! a test checks the two agree. Steps use only [`super::world::MfaWorld`] and the
//! [`crate::sut::Target`] trait: a step that needed to know its target would mean the
//! trait lacks a method.

mod cast;
mod clock;
mod devices;
mod near_miss;
mod outcome;
mod protection;
mod record;
mod signin;
