//! Runtime values and the arithmetic of unknowns.

use crate::check::schema::EntityId;
use crate::syntax::ast::BinaryOp;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Num(f64),
    Bool(bool),
    /// An interned text.
    Text(u32),
    /// Sorted interned texts.
    Set(Vec<u32>),
    Geo((f64, f64)),
    Row(EntityId, u32),
    /// The value `none`: an empty optional cell, an unassigned row.
    None,
    /// Unknown: reached through `none` (`a.rep.region` when `a` is
    /// unassigned), or arithmetic on `none`. Rules about it hold; filters
    /// about it exclude; `==` with it is unknown too.
    Unknown,
}

impl Value {
    /// A hashable identity (numbers by their bits), for memo keys.
    pub fn key(&self) -> (u8, u64, u64) {
        match self {
            Value::Num(x) => (0, x.to_bits(), 0),
            Value::Bool(b) => (1, *b as u64, 0),
            Value::Text(t) => (2, *t as u64, 0),
            Value::Set(s) => (3, s.len() as u64, s.iter().fold(0u64, |h, x| h.wrapping_mul(31).wrapping_add(*x as u64))),
            Value::Geo((a, b)) => (4, a.to_bits(), b.to_bits()),
            Value::Row(e, r) => (5, *e as u64, *r as u64),
            Value::None => (6, 0, 0),
            Value::Unknown => (7, 0, 0),
        }
    }
}

/// `a <= b` up to the relative tolerance of solver arithmetic.
pub fn le(a: f64, b: f64) -> bool {
    a <= b + super::TOLERANCE * 1f64.max(a.abs()).max(b.abs())
}

fn eq(a: f64, b: f64) -> bool {
    le(a, b) && le(b, a)
}

/// How much `l op r` is violated (0 when it holds).
pub fn excess(op: BinaryOp, l: f64, r: f64) -> f64 {
    match op {
        BinaryOp::Le | BinaryOp::Lt if !le(l, r) => l - r,
        BinaryOp::Ge | BinaryOp::Gt if !le(r, l) => r - l,
        BinaryOp::Eq if !eq(l, r) => (l - r).abs(),
        _ => 0.0,
    }
}

pub fn binary(op: BinaryOp, l: &Value, r: &Value) -> Value {
    use Value as V;
    match op {
        BinaryOp::And => match (l, r) {
            (V::Bool(false), _) | (_, V::Bool(false)) => V::Bool(false),
            (V::Bool(true), V::Bool(true)) => V::Bool(true),
            _ => V::Unknown,
        },
        BinaryOp::Or => match (l, r) {
            (V::Bool(true), _) | (_, V::Bool(true)) => V::Bool(true),
            (V::Bool(false), V::Bool(false)) => V::Bool(false),
            _ => V::Unknown,
        },
        // `none` is a value for equality.
        BinaryOp::Eq | BinaryOp::Ne if *l == V::Unknown || *r == V::Unknown => V::Unknown,
        BinaryOp::Eq | BinaryOp::Ne => {
            let same = match (l, r) {
                (V::Num(a), V::Num(b)) => eq(*a, *b),
                _ => l == r,
            };
            V::Bool(same == (op == BinaryOp::Eq))
        }
        BinaryOp::In => match (l, r) {
            (V::Text(t), V::Set(s)) => V::Bool(s.binary_search(t).is_ok()),
            _ => V::Unknown,
        },
        _ => match (l, r) {
            (V::Num(a), V::Num(b)) => match op {
                BinaryOp::Lt => V::Bool(*a < *b),
                BinaryOp::Le => V::Bool(le(*a, *b)),
                BinaryOp::Gt => V::Bool(*a > *b),
                BinaryOp::Ge => V::Bool(le(*b, *a)),
                BinaryOp::Add => V::Num(a + b),
                BinaryOp::Sub => V::Num(a - b),
                BinaryOp::Mul => V::Num(a * b),
                BinaryOp::Div if *b != 0.0 => V::Num(a / b),
                _ => V::Unknown,
            },
            _ => V::Unknown,
        },
    }
}

/// Great-circle distance in km (mean Earth radius 6371.0088 km).
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().min(1.0).asin()
}
