//! The `na-fy27` data set: a North American sales team of reps and the
//! customer and prospect accounts they cover, generated so that the
//! `examples/na-fy27/policy.terra` policy is feasible by construction.
//!
//! How feasibility is built in (the example's README states the argument):
//! - every customer (and every prospect with an open opportunity) has a
//!   current owner in its own region, with the skill its industry requires,
//!   and owners' loads stay under 75 % of their capacity, so keeping every
//!   owned account where it is meets the capacity, locked, skill, region and
//!   churn rules;
//! - each region's customer potential and prospect potential are rescaled to
//!   be proportional to its number of reps, and prospects carry 1.8 times
//!   the customers' potential, so every region can top each rep up to a
//!   common book level with prospects of its own;
//! - owners' books vary by about ±40 % around the mean, and no prospect is
//!   larger than a few percent of a book, so topping every rep up to
//!   `max book / 1.12` leaves all books within ±15 % of their mean.

use super::names::NameBook;
use super::rng::{cos, exp, Rng};
use super::{fmt_fixed, write_file, GenSummary, RegionSummary};
use std::path::Path;

struct Metro {
    name: &'static str,
    lat: f64,
    lon: f64,
    weight: f64,
    /// The direction (north, east) of open water next to the metro, if any:
    /// points scattered that way are mirrored back onto land.
    water: Option<(f64, f64)>,
}

const fn m(name: &'static str, lat: f64, lon: f64, weight: f64) -> Metro {
    Metro {
        name,
        lat,
        lon,
        weight,
        water: None,
    }
}

/// A metro with open water in direction `water` (north, east).
const fn coast(name: &'static str, lat: f64, lon: f64, weight: f64, water: (f64, f64)) -> Metro {
    Metro {
        name,
        lat,
        lon,
        weight,
        water: Some(water),
    }
}

const D: f64 = std::f64::consts::FRAC_1_SQRT_2;
const EAST: (f64, f64) = (0.0, 1.0);
const WEST: (f64, f64) = (0.0, -1.0);
const SOUTH: (f64, f64) = (-1.0, 0.0);
const SOUTH_EAST: (f64, f64) = (-D, D);
const SOUTH_WEST: (f64, f64) = (-D, -D);

struct RegionSpec {
    name: &'static str,
    /// Reps at scale 1.0; accounts follow the reps.
    reps: usize,
    metros: &'static [Metro],
    /// Multipliers on the national industry mix, by industry index.
    tilt: [f64; 7],
}

#[rustfmt::skip]
const REGIONS: &[RegionSpec] = &[
    RegionSpec {
        name: "West",
        reps: 30,
        metros: &[
            coast("Seattle", 47.6062, -122.3321, 3.0, WEST),
            m("Portland", 45.5152, -122.6784, 2.0),
            coast("San Francisco", 37.7749, -122.4194, 4.0, WEST),
            m("San Jose", 37.3382, -121.8863, 2.0),
            m("Sacramento", 38.5816, -121.4944, 1.0),
            coast("Los Angeles", 34.0522, -118.2437, 5.0, SOUTH_WEST),
            coast("San Diego", 32.7157, -117.1611, 2.0, WEST),
        ],
        tilt: [1.0, 1.0, 0.9, 1.0, 1.6, 0.7, 1.0],
    },
    RegionSpec {
        name: "Mountain",
        reps: 16,
        metros: &[
            m("Denver", 39.7392, -104.9903, 4.0),
            m("Phoenix", 33.4484, -112.0740, 4.0),
            m("Salt Lake City", 40.7608, -111.8910, 2.0),
            m("Las Vegas", 36.1699, -115.1398, 2.0),
            m("Albuquerque", 35.0844, -106.6504, 1.0),
            m("Boise", 43.6150, -116.2023, 1.0),
        ],
        tilt: [1.0, 0.9, 1.0, 1.0, 1.0, 1.4, 1.2],
    },
    RegionSpec {
        name: "Central",
        reps: 32,
        metros: &[
            coast("Chicago", 41.8781, -87.6298, 6.0, EAST),
            m("Dallas", 32.7767, -96.7970, 4.0),
            coast("Houston", 29.7604, -95.3698, 4.0, SOUTH_EAST),
            m("Austin", 30.2672, -97.7431, 2.0),
            m("Minneapolis", 44.9778, -93.2650, 2.0),
            m("St. Louis", 38.6270, -90.1994, 2.0),
            m("Kansas City", 39.0997, -94.5786, 1.0),
            coast("Detroit", 42.3314, -83.0458, 2.0, EAST),
            m("Columbus", 39.9612, -82.9988, 1.0),
        ],
        tilt: [1.0, 1.0, 1.4, 1.0, 0.9, 1.5, 1.0],
    },
    RegionSpec {
        name: "Southeast",
        reps: 24,
        metros: &[
            m("Atlanta", 33.7490, -84.3880, 5.0),
            coast("Miami", 25.7617, -80.1918, 3.0, EAST),
            coast("Tampa", 27.9506, -82.4572, 2.0, WEST),
            m("Orlando", 28.5383, -81.3792, 2.0),
            m("Charlotte", 35.2271, -80.8431, 2.0),
            m("Raleigh", 35.7796, -78.6382, 2.0),
            m("Nashville", 36.1627, -86.7816, 2.0),
        ],
        tilt: [1.25, 1.0, 1.0, 1.2, 0.9, 0.8, 1.0],
    },
    RegionSpec {
        name: "Northeast",
        reps: 32,
        metros: &[
            coast("New York", 40.7128, -74.0060, 8.0, SOUTH_EAST),
            coast("Boston", 42.3601, -71.0589, 4.0, EAST),
            m("Philadelphia", 39.9526, -75.1652, 3.0),
            m("Washington", 38.9072, -77.0369, 4.0),
            m("Baltimore", 39.2904, -76.6122, 1.0),
            m("Pittsburgh", 40.4406, -79.9959, 1.0),
            m("Hartford", 41.7658, -72.6734, 1.0),
        ],
        tilt: [1.1, 1.6, 0.9, 1.0, 1.0, 0.7, 1.0],
    },
    RegionSpec {
        name: "Canada",
        reps: 16,
        metros: &[
            coast("Toronto", 43.6532, -79.3832, 5.0, SOUTH),
            m("Montreal", 45.5019, -73.5674, 3.0),
            coast("Vancouver", 49.2827, -123.1207, 3.0, WEST),
            m("Calgary", 51.0447, -114.0719, 2.0),
            m("Ottawa", 45.4215, -75.6972, 1.0),
            m("Edmonton", 53.5461, -113.4938, 1.0),
        ],
        tilt: [1.0, 1.2, 1.0, 1.0, 0.9, 1.4, 1.2],
    },
];

struct Industry {
    name: &'static str,
    /// Share of accounts nationally, before regional tilts.
    share: f64,
    /// Multiplier on potential: a bank is worth more than a store.
    value: f64,
    /// The rep skill the policy requires for accounts of this industry.
    required_skill: Option<&'static str>,
}

/// Order matters: `names::INDUSTRY_NOUNS` follows it.
#[rustfmt::skip]
const INDUSTRIES: [Industry; 7] = [
    Industry { name: "Healthcare", share: 0.14, value: 1.15, required_skill: Some("healthcare") },
    Industry { name: "Finance", share: 0.16, value: 1.25, required_skill: None },
    Industry { name: "Manufacturing", share: 0.18, value: 1.0, required_skill: None },
    Industry { name: "Retail", share: 0.13, value: 0.85, required_skill: None },
    Industry { name: "Technology", share: 0.19, value: 1.1, required_skill: None },
    Industry { name: "Energy", share: 0.08, value: 1.2, required_skill: None },
    Industry { name: "Public Sector", share: 0.12, value: 0.9, required_skill: Some("public_sector") },
];

/// Skills in the order they are written in a rep's `skills` cell.
const SKILLS: [&str; 7] = [
    "healthcare",
    "finance",
    "manufacturing",
    "retail",
    "technology",
    "energy",
    "public_sector",
];
/// Skills that are not required by any rule, handed out as a rep's focus.
const FOCUS_SKILLS: [&str; 5] = ["finance", "manufacturing", "retail", "technology", "energy"];

/// Share of each region's reps with the skills that rules require (at least
/// two reps each, so that a region never depends on one person).
const HEALTHCARE_REPS: f64 = 0.30;
const PUBLIC_SECTOR_REPS: f64 = 0.25;

const CUSTOMERS_AT_SCALE_1: f64 = 8000.0;
const PROSPECTS_AT_SCALE_1: f64 = 25000.0;
/// Share of prospects with an open opportunity, and so a current owner.
const OWNED_PROSPECT_SHARE: f64 = 0.04;
/// Share of customers that are locked named accounts.
const LOCKED_SHARE: f64 = 0.02;
/// Current books spread evenly over mean × (1 ± BOOK_SPREAD).
const BOOK_SPREAD: f64 = 0.4;
/// Owners' loads stay under this share of their capacity.
const OWNER_LOAD_LIMIT: f64 = 0.75;
/// An owner takes another account past their book target only when no
/// other owner can: books end within a few percent of their targets.
const BOOK_OVERSHOOT: f64 = 1.05;
/// The rep that the `rep_leaves` scenario removes: none of their accounts is
/// locked, so the scenario stays feasible.
pub const LEAVING_REP: &str = "R017";

/// Customer potential: log-normal with this median and log-sd, clamped to
/// [-2.5, 3] standard deviations. Prospects: smaller and less spread.
const CUSTOMER_MEDIAN: f64 = 40_000.0;
const CUSTOMER_SIGMA: f64 = 1.0;
const PROSPECT_MEDIAN: f64 = 25_000.0;
const PROSPECT_SIGMA: f64 = 0.9;

struct Rep {
    id: String,
    name: String,
    region: usize,
    metro: usize,
    skills: Vec<&'static str>,
    capacity: f64,
    lat: f64,
    lon: f64,
    /// Relative size of the book this rep currently owns (mean 1 in each
    /// region).
    book_weight: f64,
}

struct Account {
    name: String,
    region: usize,
    metro: usize,
    industry: usize,
    customer: bool,
    potential: f64,
    effort: f64,
    lat: f64,
    lon: f64,
    /// Customers and prospects with an open opportunity have an owner.
    owned: bool,
    /// An index into the reps, set by `assign_owners`.
    owner: Option<usize>,
    locked: bool,
}

/// Splits `total` into parts proportional to `weights`, by largest
/// remainder (ties to the earlier part).
fn apportion(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut left = total - parts.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

/// A point around a metro: `sigma_km` is the spread of each coordinate.
fn scatter(rng: &mut Rng, metro: &Metro, sigma_km: f64) -> (f64, f64) {
    let mut north = rng.normal() * sigma_km;
    let mut east = rng.normal() * sigma_km;
    if let Some((wn, we)) = metro.water {
        let toward_water = north * wn + east * we;
        if toward_water > 0.0 {
            north -= 2.0 * toward_water * wn;
            east -= 2.0 * toward_water * we;
        }
    }
    let lat = metro.lat + north / 111.32;
    let lon = metro.lon + east / (111.32 * cos(metro.lat.to_radians()));
    (lat, lon)
}

/// Planar (equirectangular) distance in km: good enough to prefer near
/// owners.
fn approx_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64, cos_lat: f64) -> f64 {
    let dy = (lat1 - lat2) * 111.32;
    let dx = (lon1 - lon2) * 111.32 * cos_lat;
    (dx * dx + dy * dy).sqrt()
}

fn round_to(x: f64, step: f64) -> f64 {
    (x / step).round() * step
}

fn io_error(msg: String) -> std::io::Error {
    std::io::Error::other(msg)
}

pub(super) fn write(out_dir: &Path, scale: f64, seed: u64) -> std::io::Result<GenSummary> {
    if !(scale.is_finite() && scale > 0.0 && scale <= 100.0) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("scale must be in (0, 100], not {scale}"),
        ));
    }
    let mut names = NameBook::new();
    let reps = make_reps(scale, seed, &mut names);
    let mut accounts = make_accounts(scale, seed, &reps);
    assign_owners(&reps, &mut accounts)?;
    lock_named_accounts(seed, &reps, &mut accounts);
    name_accounts(seed, &mut accounts, &mut names);

    // Account ids in a shuffled order, as a CRM would have them.
    let mut order: Vec<usize> = (0..accounts.len()).collect();
    Rng::derive(seed, "account-ids").shuffle(&mut order);
    let width = accounts.len().to_string().len().max(5);

    std::fs::create_dir_all(out_dir)?;
    let reps_bytes = reps_csv(&reps)?;
    let accounts_bytes = accounts_csv(&accounts, &order, width, &reps)?;
    write_file(&out_dir.join("reps.csv"), &reps_bytes)?;
    write_file(&out_dir.join("accounts.csv"), &accounts_bytes)?;

    let regions = REGIONS
        .iter()
        .enumerate()
        .map(|(g, spec)| {
            let in_region = accounts.iter().filter(|a| a.region == g);
            let (mut customers, mut prospects, mut cp, mut pp) = (0, 0, 0.0, 0.0);
            for a in in_region {
                if a.customer {
                    customers += 1;
                    cp += a.potential;
                } else {
                    prospects += 1;
                    pp += a.potential;
                }
            }
            RegionSummary {
                name: spec.name.to_string(),
                reps: reps.iter().filter(|r| r.region == g).count(),
                customers,
                prospects,
                customer_potential: cp,
                prospect_potential: pp,
            }
        })
        .collect();
    Ok(GenSummary {
        reps: reps.len(),
        customers: accounts.iter().filter(|a| a.customer).count(),
        prospects: accounts.iter().filter(|a| !a.customer).count(),
        owned_prospects: accounts.iter().filter(|a| !a.customer && a.owner.is_some()).count(),
        locked: accounts.iter().filter(|a| a.locked).count(),
        regions,
        files: vec![
            ("reps.csv".to_string(), reps_bytes.len() as u64),
            ("accounts.csv".to_string(), accounts_bytes.len() as u64),
        ],
    })
}

fn reps_per_region(scale: f64) -> Vec<usize> {
    REGIONS
        .iter()
        .map(|g| ((g.reps as f64 * scale).round() as usize).max(2))
        .collect()
}

fn make_reps(scale: f64, seed: u64, names: &mut NameBook) -> Vec<Rep> {
    let mut rng = Rng::derive(seed, "reps");
    let counts = reps_per_region(scale);
    let total: usize = counts.iter().sum();
    let width = total.to_string().len().max(3);
    let mut reps = Vec::with_capacity(total);
    for (g, spec) in REGIONS.iter().enumerate() {
        let n = counts[g];
        let weights: Vec<f64> = spec.metros.iter().map(|m| m.weight).collect();
        let per_metro = apportion(n, &weights);
        let mut metros: Vec<usize> = per_metro
            .iter()
            .enumerate()
            .flat_map(|(i, &k)| std::iter::repeat_n(i, k))
            .collect();
        rng.shuffle(&mut metros);

        // Capacity by seniority. Current books spread evenly from -40 % to
        // +40 % of the mean, in order of a seniority score: ramping reps
        // carry the small books, senior reps the large ones.
        let kinds: Vec<(f64, f64)> = (0..n)
            .map(|_| {
                let u = rng.uniform();
                let (base, seniority) = if u < 0.10 {
                    (1100.0, rng.range(0.0, 0.25))
                } else if u < 0.25 {
                    (1700.0, rng.range(0.7, 1.0))
                } else {
                    (1500.0, rng.range(0.1, 0.9))
                };
                (base + 20.0 * rng.int_inclusive(-2, 2) as f64, seniority)
            })
            .collect();
        let mut by_seniority: Vec<usize> = (0..n).collect();
        by_seniority.sort_by(|&a, &b| kinds[a].1.total_cmp(&kinds[b].1).then(a.cmp(&b)));
        let mut book_weights = vec![0.0; n];
        for (rank, &k) in by_seniority.iter().enumerate() {
            book_weights[k] = 1.0 - BOOK_SPREAD + 2.0 * BOOK_SPREAD * (rank as f64 + 0.5) / n as f64;
        }

        // Required skills: a fixed share of the region's reps, at least two,
        // and not ramping reps while others are available.
        let quota = |share: f64| ((n as f64 * share).ceil() as usize).clamp(2.min(n), n);
        let mut specialists = |share: f64| {
            let mut order: Vec<usize> = (0..n).collect();
            rng.shuffle(&mut order);
            order.sort_by_key(|&k| kinds[k].0 < 1200.0); // stable: ramping last
            order.truncate(quota(share));
            order
        };
        let healthcare = specialists(HEALTHCARE_REPS);
        let public = specialists(PUBLIC_SECTOR_REPS);

        for (k, &metro_ix) in metros.iter().enumerate() {
            let metro = &spec.metros[metro_ix];
            let mut skills = Vec::new();
            if healthcare.contains(&k) {
                skills.push("healthcare");
            }
            if public.contains(&k) {
                skills.push("public_sector");
            }
            // One or two focus industries.
            let first = *rng.pick(&FOCUS_SKILLS);
            skills.push(first);
            if rng.chance(0.45) {
                let second = *rng.pick(&FOCUS_SKILLS);
                if second != first {
                    skills.push(second);
                }
            }
            skills.sort_by_key(|s| SKILLS.iter().position(|t| t == s));
            let (capacity, book_weight) = (kinds[k].0, book_weights[k]);
            let (lat, lon) = scatter(&mut rng, metro, 12.0);
            let id = format!("R{:0width$}", reps.len() + 1);
            let name = names.person(&mut rng);
            reps.push(Rep {
                id,
                name,
                region: g,
                metro: metro_ix,
                skills,
                capacity,
                lat,
                lon,
                book_weight,
            });
        }
    }
    reps
}

fn lognormal(rng: &mut Rng, median: f64, sigma: f64, z_lo: f64, z_hi: f64) -> f64 {
    median * exp(sigma * rng.normal().clamp(z_lo, z_hi))
}

fn make_accounts(scale: f64, seed: u64, reps: &[Rep]) -> Vec<Account> {
    let mut rng = Rng::derive(seed, "accounts");
    let region_reps: Vec<f64> = (0..REGIONS.len())
        .map(|g| reps.iter().filter(|r| r.region == g).count() as f64)
        .collect();
    let customers = apportion((CUSTOMERS_AT_SCALE_1 * scale).round() as usize, &region_reps);
    let prospects = apportion((PROSPECTS_AT_SCALE_1 * scale).round() as usize, &region_reps);

    let mut accounts = Vec::new();
    for (g, spec) in REGIONS.iter().enumerate() {
        // Accounts cluster around the metros where the region's reps live.
        let metro_reps: Vec<f64> = (0..spec.metros.len())
            .map(|i| reps.iter().filter(|r| r.region == g && r.metro == i).count() as f64)
            .collect();
        let industry_weights: Vec<f64> = INDUSTRIES.iter().zip(spec.tilt).map(|(ind, t)| ind.share * t).collect();
        for customer in [true, false] {
            let n = if customer { customers[g] } else { prospects[g] };
            for _ in 0..n {
                let metro = rng.pick_weighted(&metro_reps);
                let sigma_km = if rng.chance(0.12) { 75.0 } else { 18.0 };
                let (lat, lon) = scatter(&mut rng, &spec.metros[metro], sigma_km);
                let industry = rng.pick_weighted(&industry_weights);
                let raw = if customer {
                    lognormal(&mut rng, CUSTOMER_MEDIAN, CUSTOMER_SIGMA, -2.5, 3.0)
                } else {
                    lognormal(&mut rng, PROSPECT_MEDIAN, PROSPECT_SIGMA, -2.5, 2.5)
                };
                let potential = raw * INDUSTRIES[industry].value;
                let owned = !customer && rng.chance(OWNED_PROSPECT_SHARE);
                accounts.push(Account {
                    name: String::new(),
                    region: g,
                    metro,
                    industry,
                    customer,
                    potential,
                    effort: 0.0,
                    lat,
                    lon,
                    owned: customer || owned,
                    owner: None,
                    locked: false,
                });
            }
        }
    }

    // Make each region's customer potential, and separately its prospect
    // potential, proportional to its number of reps.
    let total_reps: f64 = region_reps.iter().sum();
    for customer in [true, false] {
        let total: f64 = accounts
            .iter()
            .filter(|a| a.customer == customer)
            .map(|a| a.potential)
            .sum();
        let per_rep = total / total_reps;
        for (g, reps_here) in region_reps.iter().enumerate() {
            let here: f64 = accounts
                .iter()
                .filter(|a| a.customer == customer && a.region == g)
                .map(|a| a.potential)
                .sum();
            if here <= 0.0 {
                continue;
            }
            let factor = per_rep * reps_here / here;
            for a in accounts.iter_mut().filter(|a| a.customer == customer && a.region == g) {
                a.potential = round_to(a.potential * factor, 100.0).max(100.0);
            }
        }
    }

    // Effort grows with potential, but slower: a big account is not ten
    // times the work of a small one.
    let mut rng = Rng::derive(seed, "effort");
    for a in &mut accounts {
        let noise = rng.range(0.85, 1.15);
        let hours = if a.customer {
            5.0 + 10.0 * (a.potential / 70_000.0).sqrt() * noise
        } else {
            4.0 + 4.0 * (a.potential / 40_000.0).sqrt() * noise
        };
        a.effort = round_to(hours, 0.5);
    }
    accounts
}

/// Gives every customer and every owned prospect a current owner in its
/// region, with the required skill, near its site, so that owners' books
/// follow their book weights (about ±40 % around the mean) and owners' loads
/// stay under `OWNER_LOAD_LIMIT` of capacity.
fn assign_owners(reps: &[Rep], accounts: &mut [Account]) -> std::io::Result<()> {
    let cos_lat: Vec<f64> = reps.iter().map(|r| cos(r.lat.to_radians())).collect();
    for (g, region) in REGIONS.iter().enumerate() {
        let here: Vec<usize> = (0..reps.len()).filter(|&r| reps[r].region == g).collect();
        let mut items: Vec<usize> = (0..accounts.len())
            .filter(|&i| accounts[i].region == g && accounts[i].owned)
            .collect();
        // Accounts that need a specialist first, while the specialists have
        // room; then largest first, so that the small accounts at the end
        // even out the books (the longest-processing-time rule).
        let restricted = |i: usize| INDUSTRIES[accounts[i].industry].required_skill.is_some();
        items.sort_by(|&a, &b| {
            restricted(b)
                .cmp(&restricted(a))
                .then(accounts[b].potential.total_cmp(&accounts[a].potential))
                .then(a.cmp(&b))
        });
        let total: f64 = items.iter().map(|&i| accounts[i].potential).sum();
        let weight_sum: f64 = here.iter().map(|&r| reps[r].book_weight).sum();
        let target: Vec<f64> = here
            .iter()
            .map(|&r| (total * reps[r].book_weight / weight_sum).max(1.0))
            .collect();
        let mut book = vec![0.0; here.len()];
        let mut load = vec![0.0; here.len()];
        for &i in &items {
            let a = &accounts[i];
            let skill = INDUSTRIES[a.industry].required_skill;
            // The best rep by book deficit and distance; first among those
            // the account would not take past their target, then among all.
            let choose = |capped: bool| {
                let mut best: Option<(f64, usize)> = None;
                for (k, &r) in here.iter().enumerate() {
                    let rep = &reps[r];
                    if skill.is_some_and(|s| !rep.skills.contains(&s))
                        || load[k] + a.effort > OWNER_LOAD_LIMIT * rep.capacity
                        || (capped && book[k] + a.potential > BOOK_OVERSHOOT * target[k])
                    {
                        continue;
                    }
                    let km = approx_km(a.lat, a.lon, rep.lat, rep.lon, cos_lat[r]);
                    let score = (target[k] - book[k]) / target[k] - km / 1500.0;
                    if best.is_none_or(|(s, _)| score > s) {
                        best = Some((score, k));
                    }
                }
                best
            };
            let best = choose(true).or_else(|| choose(false));
            let Some((_, k)) = best else {
                return Err(io_error(format!(
                    "no {} rep in {} can own another {} account",
                    skill.unwrap_or("eligible"),
                    region.name,
                    INDUSTRIES[a.industry].name
                )));
            };
            book[k] += a.potential;
            load[k] += a.effort;
            accounts[i].owner = Some(here[k]);
        }
    }
    Ok(())
}

/// Locks about 2 % of customers, chosen among the largest fifth: named
/// accounts are the strategic ones. The leaving rep's accounts are skipped.
fn lock_named_accounts(seed: u64, reps: &[Rep], accounts: &mut [Account]) {
    let mut rng = Rng::derive(seed, "locked");
    let mut potentials: Vec<f64> = accounts.iter().filter(|a| a.customer).map(|a| a.potential).collect();
    if potentials.is_empty() {
        return;
    }
    potentials.sort_by(|a, b| b.total_cmp(a));
    let n_locked = (potentials.len() as f64 * LOCKED_SHARE).round() as usize;
    let threshold = potentials[(potentials.len() / 5).min(potentials.len() - 1)];
    let mut candidates: Vec<usize> = (0..accounts.len())
        .filter(|&i| {
            let a = &accounts[i];
            a.customer && a.potential >= threshold && a.owner.is_some_and(|r| reps[r].id != LEAVING_REP)
        })
        .collect();
    rng.shuffle(&mut candidates);
    for &i in candidates.iter().take(n_locked) {
        accounts[i].locked = true;
    }
}

fn name_accounts(seed: u64, accounts: &mut [Account], names: &mut NameBook) {
    let mut rng = Rng::derive(seed, "account-names");
    for a in accounts.iter_mut() {
        let metro = REGIONS[a.region].metros[a.metro].name;
        a.name = names.organisation(&mut rng, a.industry, metro);
    }
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> std::io::Result<Vec<u8>> {
    w.into_inner().map_err(|e| io_error(e.to_string()))
}

fn csv_err(e: csv::Error) -> std::io::Error {
    io_error(e.to_string())
}

fn reps_csv(reps: &[Rep]) -> std::io::Result<Vec<u8>> {
    let mut w = csv_writer();
    w.write_record([
        "id", "name", "region", "metro", "skills", "capacity", "home_lat", "home_lon",
    ])
    .map_err(csv_err)?;
    for r in reps {
        let spec = &REGIONS[r.region];
        w.write_record([
            r.id.as_str(),
            r.name.as_str(),
            spec.name,
            spec.metros[r.metro].name,
            &r.skills.join(";"),
            &fmt_fixed(r.capacity, 0),
            &fmt_fixed(r.lat, 4),
            &fmt_fixed(r.lon, 4),
        ])
        .map_err(csv_err)?;
    }
    finish(w)
}

fn accounts_csv(accounts: &[Account], order: &[usize], width: usize, reps: &[Rep]) -> std::io::Result<Vec<u8>> {
    let mut w = csv_writer();
    w.write_record([
        "id",
        "Account Name",
        "metro",
        "region",
        "industry",
        "status",
        "potential",
        "effort",
        "site_lat",
        "site_lon",
        "owner",
        "locked",
    ])
    .map_err(csv_err)?;
    for (pos, &i) in order.iter().enumerate() {
        let a = &accounts[i];
        let spec = &REGIONS[a.region];
        w.write_record([
            format!("A{:0width$}", pos + 1).as_str(),
            a.name.as_str(),
            spec.metros[a.metro].name,
            spec.name,
            INDUSTRIES[a.industry].name,
            if a.customer { "customer" } else { "prospect" },
            &fmt_fixed(a.potential, 0),
            &fmt_fixed(a.effort, 1),
            &fmt_fixed(a.lat, 4),
            &fmt_fixed(a.lon, 4),
            a.owner.map_or("", |r| reps[r].id.as_str()),
            if a.locked { "true" } else { "false" },
        ])
        .map_err(csv_err)?;
    }
    finish(w)
}
