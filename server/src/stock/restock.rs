//! Restock suggestions from the packed-order history.
//!
//! Over a window of days (default 28) the item's daily use has mean μ and deviation σ
//! (population deviation, the window's days with no use counted as 0). With lead time
//! L days, the reorder point is L·μ + z·σ·√L, z the normal quantile of the service
//! level (1.645 for 95 %). At or below it (or at or below the item's minimum), the
//! suggestion is what brings the item up to its maximum, rounded up to whole packs.
//! With no use at all in the window there is no history, and no number is invented.

/// Days of history a suggestion looks at, unless configured.
pub const DEFAULT_WINDOW_DAYS: u32 = 28;
/// z for a 95 % service level: the default.
pub const Z_95: f64 = 1.645;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RestockSettings {
    pub window_days: u32,
    /// The normal quantile of the service level.
    pub z: f64,
}

impl Default for RestockSettings {
    fn default() -> Self {
        RestockSettings {
            window_days: DEFAULT_WINDOW_DAYS,
            z: Z_95,
        }
    }
}

/// What a suggestion is computed from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RestockInput<'a> {
    pub quantity: i64,
    pub min: i64,
    pub max: i64,
    pub pack_size: u32,
    pub lead_days: u32,
    /// Units used on each day of the window, oldest first, days without use as 0.
    pub daily_use: &'a [f64],
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Restock {
    /// No use in the window: nothing to base a number on.
    NoHistory,
    Suggested(Suggestion),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Suggestion {
    /// μ, units a day.
    pub mean: f64,
    /// σ, units a day.
    pub deviation: f64,
    pub reorder_point: f64,
    /// Units to order now (0 while above the reorder point and the minimum).
    pub quantity: i64,
}

pub fn suggest(input: &RestockInput<'_>, z: f64) -> Restock {
    let days = input.daily_use.len();
    if days == 0 || input.daily_use.iter().all(|used| *used == 0.0) {
        return Restock::NoHistory;
    }
    let count = days as f64;
    let mean = input.daily_use.iter().sum::<f64>() / count;
    let variance = input
        .daily_use
        .iter()
        .map(|used| (used - mean).powi(2))
        .sum::<f64>()
        / count;
    let deviation = variance.sqrt();
    let lead = f64::from(input.lead_days);
    let reorder_point = lead * mean + z * deviation * lead.sqrt();
    let order_now = input.quantity as f64 <= reorder_point || input.quantity <= input.min;
    let quantity = if order_now {
        let missing = (input.max - input.quantity).max(0);
        let pack = i64::from(input.pack_size.max(1));
        missing.div_euclid(pack) * pack + if missing % pack == 0 { 0 } else { pack }
    } else {
        0
    };
    Restock::Suggested(Suggestion {
        mean,
        deviation,
        reorder_point,
        quantity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_hand_computed_example() {
        // Eight days of use: 2 4 4 4 5 5 7 9, sum 40, so μ = 40 / 8 = 5.
        // Squared differences from 5: 9 1 1 1 0 0 4 16, sum 32; σ² = 32 / 8 = 4, σ = 2.
        // Lead time 4 days: L·μ = 20; z·σ·√L = 1.645 · 2 · 2 = 6.58; reorder point 26.58.
        // 20 on hand ≤ 26.58, so order up to the maximum 100: 80 missing, in packs of
        // 12 that is 6.67 packs, rounded up to 7 packs = 84 units.
        let use_per_day = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let input = RestockInput {
            quantity: 20,
            min: 10,
            max: 100,
            pack_size: 12,
            lead_days: 4,
            daily_use: &use_per_day,
        };
        let Restock::Suggested(s) = suggest(&input, Z_95) else {
            panic!("there is history");
        };
        assert!((s.mean - 5.0).abs() < 1e-9, "{s:?}");
        assert!((s.deviation - 2.0).abs() < 1e-9, "{s:?}");
        assert!((s.reorder_point - 26.58).abs() < 1e-9, "{s:?}");
        assert_eq!(s.quantity, 84);
        // Above the reorder point and the minimum: nothing to order yet.
        let stocked = RestockInput {
            quantity: 27,
            ..input
        };
        match suggest(&stocked, Z_95) {
            Restock::Suggested(s) => assert_eq!(s.quantity, 0),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn no_use_in_the_window_is_no_history() {
        let input = RestockInput {
            quantity: 0,
            min: 10,
            max: 100,
            pack_size: 12,
            lead_days: 4,
            daily_use: &[0.0; 28],
        };
        assert_eq!(suggest(&input, Z_95), Restock::NoHistory);
        assert_eq!(
            suggest(
                &RestockInput {
                    daily_use: &[],
                    ..input
                },
                Z_95
            ),
            Restock::NoHistory
        );
    }
}
