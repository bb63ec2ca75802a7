//! A small seeded pseudo-random generator and the few math functions the
//! generators need, written so that output is byte-identical on every
//! platform.
//!
//! The generator is SplitMix64: one 64-bit state, a fixed increment and a
//! fixed output mix. It is not cryptographic; it is fast, well distributed and
//! trivially reproducible.
//!
//! `exp` and `cos` are implemented here with plain arithmetic because the
//! standard library forwards them to the platform's math library, whose last
//! bit may differ between systems; a one-ulp difference can flip a rounded
//! digit in a CSV file. Addition, multiplication, division, `sqrt` and
//! `round` are exact IEEE operations and safe to use directly.

/// A seeded SplitMix64 stream.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    /// An independent stream for one purpose (`"reps"`, `"accounts"`, ...),
    /// so that changing how one kind of record is drawn leaves the others
    /// unchanged.
    pub fn derive(seed: u64, label: &str) -> Rng {
        // FNV-1a over the label, then mixed with the seed.
        let mut h: u64 = 0xCBF2_9CE4_8422_2325;
        for b in label.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01B3);
        }
        Rng::new(mix64(seed ^ mix64(h)))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix64(self.state)
    }

    /// Uniform in [0, 1), with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Uniform integer in [0, n), without modulo bias. `n` must be positive.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "Rng::below(0)");
        // Reject the top partial block so every residue is equally likely.
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }

    /// Uniform integer in [lo, hi], both ends included.
    pub fn int_inclusive(&mut self, lo: i64, hi: i64) -> i64 {
        assert!(lo <= hi, "Rng::int_inclusive with lo > hi");
        let span = (hi - lo) as u64 + 1;
        lo + self.below(span) as i64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Approximately standard normal: the sum of twelve uniforms minus six
    /// (Irwin–Hall). Mean 0, variance 1, bounded by ±6, and free of
    /// transcendental functions.
    pub fn normal(&mut self) -> f64 {
        let mut s = 0.0;
        for _ in 0..12 {
            s += self.uniform();
        }
        s - 6.0
    }

    /// A uniformly chosen element. `items` must not be empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index drawn with probability proportional to `weights` (all
    /// non-negative, at least one positive).
    pub fn pick_weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        assert!(total > 0.0, "Rng::pick_weighted with no positive weight");
        let mut x = self.uniform() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        // Rounding can leave x just above the last weight: take the last
        // index with a positive weight.
        weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

const LN2: f64 = std::f64::consts::LN_2;

/// e^x with plain arithmetic (see the module documentation). Relative error
/// is a few ulps, which is far below the precision the generators print.
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.0 {
        return f64::INFINITY;
    }
    if x < -708.0 {
        return 0.0;
    }
    // x = k ln2 + r with |r| <= ln2 / 2, so e^x = 2^k e^r.
    let k = (x / LN2).round();
    let r = x - k * LN2;
    let mut term = 1.0;
    let mut sum = 1.0;
    for i in 1..=24 {
        term *= r / f64::from(i);
        sum += term;
    }
    // 2^k built from its bit pattern: exact for -1022 <= k <= 1023.
    let two_k = f64::from_bits(((k as i64 + 1023) as u64) << 52);
    sum * two_k
}

/// cos x with plain arithmetic (see the module documentation).
pub fn cos(x: f64) -> f64 {
    let tau = std::f64::consts::TAU;
    let r = x - (x / tau).round() * tau; // |r| <= pi
    let r2 = r * r;
    let mut term = 1.0;
    let mut sum = 1.0;
    // Alternating series; 30 terms are ample for |r| <= pi.
    for i in 1..=30 {
        let n = f64::from(2 * i);
        term *= -r2 / ((n - 1.0) * n);
        sum += term;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_reference_values() {
        // First outputs of SplitMix64 seeded with 0 (published reference).
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn exp_and_cos_match_std_closely() {
        for i in -200..=200 {
            let x = f64::from(i) * 0.05;
            let (a, b) = (exp(x), x.exp());
            assert!(((a - b) / b).abs() < 1e-14, "exp({x}) = {a}, std {b}");
            let (c, d) = (cos(x), x.cos());
            assert!((c - d).abs() < 1e-14, "cos({x}) = {c}, std {d}");
        }
    }

    #[test]
    fn below_stays_in_range() {
        let mut r = Rng::new(7);
        for n in 1..50u64 {
            for _ in 0..20 {
                assert!(r.below(n) < n);
            }
        }
    }
}
