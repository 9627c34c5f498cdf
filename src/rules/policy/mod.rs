//! Rules about the policy itself. The policy engine reports them (there is nothing to
//! check per Dockerfile); they are rules so that they are documented, listed by
//! `dockgate rules`, and can be given a severity like any other.

use crate::rules::Rule;

pub mod dg0001;
pub mod dg0002;
pub mod dg0003;
pub mod dg0004;

/// Every policy rule, in code order.
pub static RULES: &[&Rule] = &[&dg0001::RULE, &dg0002::RULE, &dg0003::RULE, &dg0004::RULE];
