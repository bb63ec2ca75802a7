//! Word lists for plausible rep and account names. The names are invented;
//! any resemblance to a real company is a coincidence of common words.

use super::rng::Rng;
use std::collections::HashSet;

#[rustfmt::skip]
const FIRST_NAMES: &[&str] = &[
    "Aaliyah", "Aaron", "Adriana", "Ahmed", "Aiko", "Alejandro", "Alexis", "Amara", "Andre", "Angela",
    "Anika", "Ben", "Bianca", "Brandon", "Camille", "Carlos", "Chen", "Chloe", "Daniel", "Deepa",
    "Devon", "Diego", "Elena", "Emeka", "Emily", "Farah", "Felix", "Gabriel", "Grace", "Hannah",
    "Hiro", "Imani", "Isaac", "Jamal", "Jasmine", "Javier", "Jenna", "Jordan", "Julia", "Kai",
    "Karim", "Kavya", "Keisha", "Kevin", "Laura", "Leah", "Liam", "Lucia", "Malik", "Marcus",
    "Maria", "Maya", "Mei", "Miguel", "Naomi", "Nathan", "Nikhil", "Noah", "Olivia", "Omar",
    "Priya", "Rachel", "Rafael", "Ravi", "Rosa", "Ryan", "Samir", "Sarah", "Sofia", "Tariq",
    "Tessa", "Thomas", "Valeria", "Victor", "Wei", "Yara", "Yusuf", "Zoe",
];

#[rustfmt::skip]
const LAST_NAMES: &[&str] = &[
    "Abbott", "Adeyemi", "Alvarez", "Anderson", "Bennett", "Bergeron", "Brooks", "Castillo", "Chen",
    "Clarke", "Coleman", "Dubois", "Edwards", "Fischer", "Flores", "Foster", "Gagnon", "Garcia",
    "Gonzalez", "Gupta", "Hall", "Hayes", "Hernandez", "Hughes", "Ibrahim", "Jackson", "Jensen",
    "Kaur", "Kim", "Kowalski", "Lambert", "Lee", "Lopez", "MacLeod", "Martin", "Mendoza", "Mitchell",
    "Moreau", "Murphy", "Nakamura", "Nguyen", "Novak", "Obi", "Okafor", "Olsen", "Ortiz", "Park",
    "Patel", "Perez", "Petrov", "Price", "Quinn", "Ramirez", "Reyes", "Rivera", "Roberts", "Rossi",
    "Russell", "Sanchez", "Schmidt", "Shah", "Silva", "Singh", "Sullivan", "Tanaka", "Thompson",
    "Tremblay", "Turner", "Vargas", "Walker", "Wang", "Washington", "Watts", "Williams", "Wong",
    "Yamamoto", "Young", "Zhang",
];

/// First words of company names.
#[rustfmt::skip]
const STEMS: &[&str] = &[
    "Acorn", "Alder", "Allied", "Anchor", "Apex", "Arbor", "Aspen", "Atlas", "Aurora", "Beacon",
    "Birch", "Blue Ridge", "Bluewater", "Boulder", "Bridgeway", "Brightline", "Cardinal", "Cascade",
    "Cedar", "Centennial", "Clearwater", "Cobalt", "Compass", "Copper", "Crescent", "Crestview",
    "Cypress", "Delta", "Eagle", "Elm", "Evergreen", "Falcon", "Fieldstone", "Frontier", "Gateway",
    "Glacier", "Golden", "Granite", "Great Lakes", "Harbor", "Harvest", "Hawthorne", "Heritage",
    "Highland", "Horizon", "Ironwood", "Juniper", "Keystone", "Lakeshore", "Landmark", "Liberty",
    "Lighthouse", "Magnolia", "Maple", "Meadow", "Meridian", "Mesa", "Midland", "Monarch",
    "North Star", "Northfield", "Oak", "Orchard", "Pacific", "Paragon", "Pinnacle", "Pioneer",
    "Prairie", "Quarry", "Redwood", "Ridgeline", "River", "Riverside", "Sagebrush", "Sequoia",
    "Sierra", "Silverline", "Skyline", "Sterling", "Stonebridge", "Summit", "Sunrise", "Tamarack",
    "Timberline", "Trillium", "Union", "Valley", "Vanguard", "Vista", "Westbrook", "Willow",
];

/// Second words, used for about half of the names.
#[rustfmt::skip]
const MODIFIERS: &[&str] = &[
    "Bay", "Creek", "Crossing", "Hill", "Lake", "Park", "Peak", "Point", "Ridge", "Springs", "Trail",
    "View",
];

/// Industry nouns, by the industry's index in `territory::INDUSTRIES`.
#[rustfmt::skip]
const INDUSTRY_NOUNS: &[&[&str]] = &[
    &["Health", "Medical", "Care", "Clinics", "Health System", "Diagnostics", "Biologics", "Pharma"],
    &["Financial", "Capital", "Bank", "Credit Union", "Insurance", "Investments", "Trust", "Wealth"],
    &["Manufacturing", "Industries", "Components", "Fabrication", "Machining", "Plastics", "Metals", "Tooling"],
    &["Markets", "Outfitters", "Stores", "Goods", "Apparel", "Home", "Grocers", "Supply"],
    &["Software", "Systems", "Networks", "Labs", "Data", "Cloud", "Analytics", "Digital"],
    &["Energy", "Power", "Utilities", "Solar", "Pipeline", "Resources", "Renewables", "Gas"],
    &["County", "School District", "Transit Authority", "Water District", "Public Library",
      "Housing Authority", "Port Authority", "Community College"],
];

#[rustfmt::skip]
const COMPANY_SUFFIXES: &[&str] = &["", "", "", "Inc.", "LLC", "Group", "Partners", "Co.", "Corp.", "Holdings"];

/// Hands out unique names.
pub struct NameBook {
    used: HashSet<String>,
}

impl NameBook {
    pub fn new() -> NameBook {
        NameBook { used: HashSet::new() }
    }

    fn claim(&mut self, candidate: String) -> Option<String> {
        if self.used.insert(candidate.clone()) {
            Some(candidate)
        } else {
            None
        }
    }

    /// A unique "First Last".
    pub fn person(&mut self, rng: &mut Rng) -> String {
        for _ in 0..50 {
            let c = format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES));
            if let Some(n) = self.claim(c) {
                return n;
            }
        }
        self.numbered(format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES)))
    }

    /// A unique organisation name for an industry (index into
    /// `territory::INDUSTRIES`), located in `metro`.
    pub fn organisation(&mut self, rng: &mut Rng, industry: usize, metro: &str) -> String {
        let nouns = INDUSTRY_NOUNS[industry];
        let public = industry == INDUSTRY_NOUNS.len() - 1;
        let mut last = String::new();
        for _ in 0..30 {
            let stem = if rng.chance(0.5) {
                format!("{} {}", rng.pick(STEMS), rng.pick(MODIFIERS))
            } else {
                rng.pick(STEMS).to_string()
            };
            let noun = rng.pick(nouns);
            let c = if public {
                format!("{stem} {noun}")
            } else {
                let suffix = rng.pick(COMPANY_SUFFIXES);
                if suffix.is_empty() {
                    format!("{stem} {noun}")
                } else {
                    format!("{stem} {noun} {suffix}")
                }
            };
            if let Some(n) = self.claim(c.clone()) {
                return n;
            }
            last = c;
        }
        if let Some(n) = self.claim(format!("{last} of {metro}")) {
            return n;
        }
        self.numbered(last)
    }

    fn numbered(&mut self, base: String) -> String {
        let mut k = 2;
        loop {
            if let Some(n) = self.claim(format!("{base} {k}")) {
                return n;
            }
            k += 1;
        }
    }
}
