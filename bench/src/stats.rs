//! Percentiles and a compact "median [min–max]" summary of repeated measurements.

/// The `p`-th percentile (0–100) of sorted samples, nearest rank.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn sorted(mut samples: Vec<f64>) -> Vec<f64> {
    samples.sort_by(f64::total_cmp);
    samples
}

/// Median and range of one figure over the rounds.
#[derive(Debug, Clone, Copy)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    pub fn of(samples: &[f64]) -> Spread {
        let s = sorted(samples.to_vec());
        Spread {
            median: median(&s),
            min: s.first().copied().unwrap_or(f64::NAN),
            max: s.last().copied().unwrap_or(f64::NAN),
        }
    }

    /// `1.23 [1.10–1.40]` with `digits` decimals.
    pub fn show(&self, digits: usize) -> String {
        if !self.median.is_finite() {
            return "–".to_owned();
        }
        format!(
            "{} [{}–{}]",
            num(self.median, digits),
            num(self.min, digits),
            num(self.max, digits)
        )
    }
}

/// Median of sorted samples (mean of the middle two for an even count).
pub fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// A number with `digits` decimals; large ones grouped in thousands (`123 456`).
pub fn num(value: f64, digits: usize) -> String {
    if !value.is_finite() {
        return "–".to_owned();
    }
    if digits == 0 && value.abs() >= 10_000.0 {
        let whole = format!("{:.0}", value.abs());
        let mut out = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                out.push(' ');
            }
            out.push(c);
        }
        return if value < 0.0 { format!("-{out}") } else { out };
    }
    format!("{value:.digits$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_spread() {
        let s = sorted((1..=100).map(f64::from).collect());
        assert_eq!(percentile(&s, 50.0), 50.0);
        assert_eq!(percentile(&s, 99.0), 99.0);
        assert_eq!(percentile(&s, 100.0), 100.0);
        let spread = Spread::of(&[3.0, 1.0, 2.0]);
        assert_eq!(spread.median, 2.0);
        assert_eq!(spread.show(1), "2.0 [1.0–3.0]");
        assert_eq!(num(1_234_567.0, 0), "1 234 567");
        assert_eq!(num(9_999.0, 0), "9999");
    }
}
