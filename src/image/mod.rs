//! Container images: where they come from and what they contain.
//!
//! This branch holds the two transports that talk to something over a socket; the image
//! core (archives, layouts, the layer walker, facts) adapts them to its source trait.
//! Each is self-contained, with its own small descriptor types, so it can be read and
//! tested alone.

pub mod daemon;
pub mod registry;
