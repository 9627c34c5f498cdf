//! Rules that read a Dockerfile. One file per rule, named by its code.

use crate::rules::Rule;

mod base_image;
mod buildkit_checks;
mod copies;
mod expose;
mod labels;
mod practices;
mod scripts;
mod secret_names;
mod stage_names;

pub use secret_names::secret_value_ranges;

/// Declares each rule module and lists its `RULE` in [`RULES`]: registering a rule is
/// adding its module name here.
macro_rules! register_rules {
    ($($module:ident),* $(,)?) => {
        $(mod $module;)*

        /// Every Dockerfile rule, in code order.
        pub static RULES: &[&Rule] = &[$(&$module::RULE),*];
    };
}

register_rules! {
    dl1000,
    dl1001,
    dl3000,
    dl3001,
    dl3002,
    dl3003,
    dl3004,
    dl3006,
    dl3007,
    dl3008,
    dl3009,
    dl3010,
    dl3011,
    dl3012,
    dl3013,
    dl3014,
    dl3015,
    dl3016,
    dl3018,
    dl3019,
    dl3020,
    dl3021,
    dl3022,
    dl3023,
    dl3024,
    dl3025,
    dl3026,
    dl3027,
    dl3028,
    dl3029,
    dl3030,
    dl3032,
    dl3033,
    dl3034,
    dl3035,
    dl3036,
    dl3037,
    dl3038,
    dl3040,
    dl3041,
    dl3042,
    dl3044,
    dl3045,
    dl3046,
    dl3047,
    dl3048,
    dl3049,
    dl3050,
    dl3051,
    dl3052,
    dl3053,
    dl3054,
    dl3055,
    dl3056,
    dl3057,
    dl3058,
    dl3059,
    dl3060,
    dl3061,
    dl3062,
    dl3063,
    dl3064,
    dl3065,
    dl3066,
    dl3067,
    dl4000,
    dl4001,
    dl4003,
    dl4004,
    dl4005,
    dl4006,
    dg1001,
    dg1002,
    dg1003,
    dg1010,
    dg1011,
    dg1012,
    dg1020,
    dg1021,
    dg1030,
    dg1040,
    dg1041,
    dg1042,
    dg1043,
    dg1050,
    dg1051,
    dg1052,
    dg1100,
    dg1101,
    dg1102,
    dg1103,
    dg1104,
    dg1105,
    dg1106,
    dg1108,
    dg1109,
    dg1110,
    dg1111,
    dg1112,
    dg1113,
    dg1114,
}
